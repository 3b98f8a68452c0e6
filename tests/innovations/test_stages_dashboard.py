"""The stages dashboard: what it shows, who may open it, and its query count."""

import datetime
import html as html_module
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from innovations import dashboards
from innovations.models import StageTransition
from innovations.stages import Stage
from tests.factories import AdoptionFactory, HubFactory, InnovationFactory
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def text_of(html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip())


def table_row(content: str, header: str, after: str = "") -> list[str]:
    """The text of each data cell in the first table row headed ``header`` (after the id ``after``)."""
    if after:
        content = content[content.index(f'id="{after}"') :]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", content, re.S):
        heading = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if heading and text_of(heading.group(1)) == header:
            return [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    raise AssertionError(f"no row headed {header!r}")


def move(adoption, to_stage, on, from_stage="", reason=""):
    return StageTransition.objects.create(
        adoption=adoption, from_stage=from_stage, to_stage=to_stage, date=on, reason=reason
    )


@pytest.fixture
def two_hubs_two_innovations(hub, other_hub):
    """Dorset and Manchester; oximetry adopted by both, link workers by Dorset only."""
    oximetry = InnovationFactory(name="Oximetry at home")
    link_workers = InnovationFactory(name="Link workers")
    return {
        "dorset_oximetry": AdoptionFactory(hub=hub, innovation=oximetry, stage=Stage.TESTING),
        "manchester_oximetry": AdoptionFactory(hub=other_hub, innovation=oximetry, stage=Stage.SUSTAINED),
        "dorset_link": AdoptionFactory(hub=hub, innovation=link_workers, stage=Stage.PAUSED),
        "archived": AdoptionFactory(
            hub=other_hub,
            innovation=link_workers,
            stage=Stage.IMPLEMENTED,
            archived=True,
            archived_reason="Entered twice by mistake.",
        ),
    }


def test_the_matrix_shows_each_adoptions_stage_in_its_hubs_column(client, reader, two_hubs_two_innovations):
    client.force_login(reader)  # a member of another hub: stages are shared across hubs
    response = client.get(reverse("evaluation:stages"))
    assert response.status_code == 200
    content = response.content.decode()
    header = re.search(r"<thead.*?</thead>", content, re.S).group(0)
    assert [text_of(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', header, re.S)] == [
        "Innovation",
        "Dorset",
        "Manchester",
    ]
    # Each cell names its hub too, shown only where a row is a list (a phone).
    oximetry = table_row(content, "Oximetry at home")
    assert oximetry[0].startswith("Dorset Testing (PDSA cycles)")
    assert oximetry[1].startswith("Manchester Sustained")
    link_workers = table_row(content, "Link workers")
    assert link_workers[0].startswith("Dorset Paused")
    # The archived adoption is not current: Manchester's cell is empty.
    assert link_workers[1] == "Manchester —No current adoption"
    assert "Implemented (routine use)" not in link_workers[1]


def test_counts_per_stage_include_current_adoptions_only(client, reader, two_hubs_two_innovations, hub):
    AdoptionFactory(hub=hub, stage=Stage.TESTING)
    client.force_login(reader)
    content = client.get(reverse("evaluation:stages")).content.decode()
    assert table_row(content, "Testing (PDSA cycles)")[0] == "2"
    assert table_row(content, "Sustained")[0] == "1"
    assert table_row(content, "Implemented (routine use)")[0] == "0"  # only the archived one
    assert table_row(content, "All stages")[0] == "4"


def test_recent_moves_cover_the_last_90_days_newest_first(client, reader, adoption):
    move(adoption, Stage.ASSESSING, days_ago(91), Stage.IDENTIFIED, reason="Ninety-one days ago")
    move(adoption, Stage.DECIDED, days_ago(89), Stage.ASSESSING, reason="Eighty-nine days ago")
    move(adoption, Stage.PAUSED, days_ago(3), Stage.DECIDED, reason="Three days ago")
    client.force_login(reader)
    content = client.get(reverse("evaluation:stages")).content.decode()
    assert "Ninety-one days ago" not in content
    assert content.index("Three days ago") < content.index("Eighty-nine days ago")
    assert "Assessing → to Decided to adopt" in text_of(content)


def test_recent_moves_are_capped_with_a_count_of_the_rest(adoption):
    for days in range(5):
        move(adoption, Stage.ASSESSING if days % 2 else Stage.DECIDED, days_ago(days), reason=f"move {days}")
    recent = dashboards.recent_moves(StageTransition.objects.all(), today=TODAY, limit=2)
    assert [m.reason for m in recent.moves] == ["move 0", "move 1"]
    assert recent.total == 5
    assert recent.not_shown == 3


def test_median_days_per_stage_from_a_hand_built_history(adoption, hub):
    StageTransition.objects.filter(adoption=adoption).delete()  # the factory's first step, two years ago
    move(adoption, Stage.IDENTIFIED, days_ago(100))
    move(adoption, Stage.ASSESSING, days_ago(90), Stage.IDENTIFIED)  # 10 days identified
    move(adoption, Stage.DECIDED, days_ago(60), Stage.ASSESSING)  # 30 days assessing
    # ... and still at "decided" today: 60 days so far.
    second = AdoptionFactory(hub=hub, started_on=days_ago(50), stage=Stage.ASSESSING)  # identified then
    move(second, Stage.ASSESSING, days_ago(30), Stage.IDENTIFIED)  # 20 days identified
    move(second, Stage.IDENTIFIED, days_ago(20), Stage.ASSESSING, reason="Back")  # 10 days assessing
    move(second, Stage.ASSESSING, days_ago(20), Stage.IDENTIFIED)  # 0 days identified, same day
    # ... and still assessing today: 20 days so far.

    durations = {
        row.stage: row
        for row in dashboards.stage_durations(
            dashboards.stage_history(StageTransition.objects.all()), today=TODAY
        )
    }
    assert durations[Stage.IDENTIFIED].median_days == 10  # 10, 20, 0
    assert durations[Stage.IDENTIFIED].spells == 3
    assert durations[Stage.ASSESSING].median_days == 20  # 30, 10, 20 (ongoing)
    assert durations[Stage.ASSESSING].ongoing == 1
    assert durations[Stage.DECIDED].median_days == 60  # ongoing, counted to today
    assert durations[Stage.TESTING].median_days is None
    assert durations[Stage.TESTING].spells == 0


def test_the_median_page_says_the_current_stage_counts_to_today(client, reader, adoption):
    client.force_login(reader)
    content = client.get(reverse("evaluation:stages")).content.decode()
    assert "count up to today" in content
    # The factory's adoption was identified two years ago and is still there.
    assert table_row(content, "Identified", after="durations-heading") == ["730", "1", "1"]


def stage_page_queries(client) -> int:
    warm_todo_count(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("evaluation:stages")).status_code == 200
    return len(queries)


def test_the_stages_page_runs_a_fixed_number_of_queries(client, reader, hub, other_hub):
    client.force_login(reader)
    AdoptionFactory(hub=hub)
    few = stage_page_queries(client)
    for _ in range(4):
        for stage_hub in (hub, other_hub, HubFactory()):
            adoption = AdoptionFactory(hub=stage_hub)
            move(adoption, Stage.ASSESSING, days_ago(5), Stage.IDENTIFIED)
    assert stage_page_queries(client) == few


def test_the_public_is_sent_to_sign_in(client):
    response = client.get(reverse("evaluation:stages"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
