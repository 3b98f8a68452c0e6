"""The nightly report's "Complexity profiles" section: as of its day, so a report rebuilt for a past day is the same."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from innovations.models import ComplexityCheck
from innovations.services import adoption_move
from innovations.stages import Stage
from learning import rollup
from learning.models import RollupReport
from tests.factories import AdoptionFactory

from .complexity_data import make_check

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
DAY = datetime.timedelta(days=1)


def test_the_section_holds_what_was_checked_by_the_end_of_the_day(hub, other_hub, reader):
    adoption = AdoptionFactory(hub=hub, started_on=TODAY - 400 * DAY)
    first = make_check(adoption, TODAY - 300 * DAY, "complicated")
    ComplexityCheck.objects.filter(pk=first.pk).update(recorded_at=timezone.now() - 300 * DAY)
    paused = AdoptionFactory(hub=other_hub, started_on=TODAY - 400 * DAY)
    before = rollup.complexity(YESTERDAY)
    # Recorded today: one dated yesterday (known only from today) and one dated today.
    make_check(adoption, YESTERDAY, "simple", technology="complex")
    make_check(paused, TODAY, "complex")
    adoption_move(
        adoption=paused, to_stage=Stage.PAUSED, on=TODAY, reason="Funding gap", by=reader, version=1
    )
    assert rollup.complexity(YESTERDAY) == before  # rebuilt for a past day: the same

    rows = {row["hub"]: row for row in before["adoptions"]}
    assert rows[hub.name]["summary"] == "7 complicated" and rows[hub.name]["checks"] == 1
    assert rows[other_hub.name]["checked_on"] is None and rows[other_hub.name]["overdue"] is True

    now = rollup.complexity(TODAY)
    rows = {row["hub"]: row for row in now["adoptions"]}
    mine = rows[hub.name]
    assert (mine["checked_on"], mine["checks"], mine["summary"]) == (
        YESTERDAY.isoformat(),
        2,
        "1 complex, 6 simple",
    )
    assert (mine["more_complex"], mine["simpler"]) == (1, 6)
    assert mine["ratings"]["technology"] == "complex"
    assert rows[other_hub.name]["due_on"] is None  # paused: no check due
    technology = next(row for row in now["by_domain"] if row["domain"] == "technology")
    assert (technology["simple"], technology["complicated"], technology["complex"]) == (0, 0, 2)


def test_the_report_shows_the_section_and_its_csv(client, hub, reader, owner):
    adoption = AdoptionFactory(hub=hub, started_on=TODAY - 400 * DAY)
    make_check(adoption, TODAY - 200 * DAY, "complex")
    make_check(adoption, TODAY - 10 * DAY, "complicated", embedding="complex")
    RollupReport.objects.create(
        day=TODAY, content=rollup.build_content(TODAY), content_hash="x" * 64, duration_ms=1
    )
    client.force_login(reader)
    page = client.get(reverse("learning:report", args=[TODAY.isoformat()])).content.decode()
    assert "Complexity profiles" in page
    assert "1 complex, 6 complicated" in page and "0 more complex, 6 simpler" in page
    csv_text = client.get(
        reverse("learning:report_csv", args=[TODAY.isoformat(), "complexity"])
    ).content.decode()
    header, row = csv_text.lstrip("\ufeff").splitlines()[:2]
    assert header.startswith("hub,innovation,checked_on,checks,condition,technology")
    assert row.startswith(
        f"{hub.name},{adoption.innovation.name},{(TODAY - 10 * DAY).isoformat()},2,complicated"
    )
    assert row.endswith(",no")
