"""Each person's to-do list on the home page, and its count in the header."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import MeasurementUpload
from innovations.models import Innovation
from learning.models import RollupRun
from learning.summaries import summary_submit
from tests.factories import AdoptionFactory, InnovationFactory, ahsn_admin, draft_summary

pytestmark = pytest.mark.django_db


def todo_titles(client) -> list[str]:
    """The list's titles, leaving out complexity checks due (tests/innovations/test_complexity_lists.py)."""
    return [item.title for item in client.get(reverse("home")).context["items"] if not is_complexity(item)]


def is_complexity(item) -> bool:
    return item.title.endswith(("complexity check due", "complexity check overdue"))


def header_count(client, path: str = "/hubs/") -> str:
    html = client.get(path).content.decode()
    start = html.index('class="hp-count">') + len('class="hp-count">')
    return html[start : html.index("<", start)]


def test_an_adoption_with_no_stage_move_for_90_days_is_on_its_hubs_list_only(client, owner, reader, hub):
    today = timezone.localdate()
    AdoptionFactory(
        hub=hub, innovation=InnovationFactory(name="Stuck"), stage="planning",
        stage_since=today - datetime.timedelta(days=91),
    )  # fmt: skip
    AdoptionFactory(
        hub=hub, innovation=InnovationFactory(name="Moving"), stage="planning",
        stage_since=today - datetime.timedelta(days=30),
    )  # fmt: skip
    AdoptionFactory(
        hub=hub, innovation=InnovationFactory(name="Settled"), stage="sustained",
        stage_since=today - datetime.timedelta(days=400),
    )  # fmt: skip
    client.force_login(owner)
    assert todo_titles(client) == ["Stuck: no stage move for 91 days"]
    client.force_login(reader)
    assert todo_titles(client) == []


def test_admins_see_proposals_summaries_sent_by_another_and_failed_runs(client, admin_user_ahsn):
    other_admin = ahsn_admin(username="ahsn-admin-2")
    InnovationFactory(name="Pocket spirometry", status=Innovation.Status.PROPOSED)
    theirs = draft_summary(by=other_admin, title="What Dorset learned")
    summary_submit(summary=theirs, by=other_admin)
    mine = draft_summary(by=admin_user_ahsn, title="What Bradford learned")
    summary_submit(summary=mine, by=admin_user_ahsn)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    RollupRun.objects.create(day=yesterday, status=RollupRun.Status.FAILED, error="Database went away")
    client.force_login(admin_user_ahsn)
    assert todo_titles(client) == [
        "Review the learning summary “What Dorset learned”",
        "Innovation proposed: Pocket spirometry",
        f"The roll-up report for {yesterday:%-d %B %Y} failed",
    ]
    client.force_login(other_admin)
    assert "Review the learning summary “What Bradford learned”" in todo_titles(client)


def test_a_failed_run_built_again_since_leaves_the_list(client, admin_user_ahsn):
    day = timezone.localdate() - datetime.timedelta(days=1)
    RollupRun.objects.create(day=day, status=RollupRun.Status.FAILED)
    RollupRun.objects.create(day=day, status=RollupRun.Status.SUCCEEDED)
    client.force_login(admin_user_ahsn)
    assert todo_titles(client) == []


def test_a_checked_upload_waits_on_its_hubs_lists(client, owner, reader, hub):
    adoption = AdoptionFactory(hub=hub, stage="sustained")
    MeasurementUpload.objects.create(
        adoption=adoption, uploaded_by=owner, file_name="october.csv", status=MeasurementUpload.Status.CHECKED
    )
    client.force_login(owner)
    assert todo_titles(client) == ["Import the checked file “october.csv”"]
    client.force_login(reader)
    assert todo_titles(client) == []


def test_the_header_counts_the_list_and_a_change_recounts_it(client, admin_user_ahsn):
    client.force_login(admin_user_ahsn)
    assert header_count(client) == "0"
    proposal = InnovationFactory(name="Pocket spirometry", status=Innovation.Status.PROPOSED)
    # Nothing was changed through the portal: the minute's cached count stands.
    assert header_count(client) == "0"
    client.post(reverse("innovations:innovation_approve", args=[proposal.slug]))
    InnovationFactory(name="Smart inhalers", status=Innovation.Status.PROPOSED)
    assert header_count(client) == "1"


def test_an_empty_list_says_nothing_waits_and_when_figures_are_next_due(client, reader):
    client.force_login(reader)
    html = client.get(reverse("home")).content.decode()
    assert "Nothing waiting for you." in html
    assert "Figures are next due on" in html


def test_the_home_page_takes_a_fixed_number_of_queries(client, owner, hub, django_assert_max_num_queries):
    today = timezone.localdate()
    for n in range(8):
        adoption = AdoptionFactory(
            hub=hub, stage="planning", stage_since=today - datetime.timedelta(days=100)
        )
        MeasurementUpload.objects.create(
            adoption=adoption,
            uploaded_by=owner,
            file_name=f"{n}.csv",
            status=MeasurementUpload.Status.CHECKED,
        )
    client.force_login(owner)
    with django_assert_max_num_queries(17):  # +1: the complexity checks due
        items = client.get(reverse("home")).context["items"]
    assert len([item for item in items if not is_complexity(item)]) == 16
    assert len([item for item in items if is_complexity(item)]) == 8  # never checked: overdue
