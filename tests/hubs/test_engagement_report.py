"""The nightly report's "Engagement and partnerships" section, as of a day: a rebuild for a past day is identical."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hubs.models import Partnership
from hubs.services import (
    engagement_archive,
    engagement_log,
    engagement_update,
    partnership_add,
    partnership_update,
)
from learning import rollup
from learning.models import RollupReport
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def freezer(monkeypatch):
    """A clock the test moves: history records and "today" both read ``timezone.now``."""

    class Clock:
        def move_to(self, when: str):
            moment = timezone.make_aware(datetime.datetime.fromisoformat(when))
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


@pytest.fixture
def hub_lead(hub):
    return MembershipFactory(hub=hub, role="lead").user


def event(hub, by, date, reached, trained, title="Workshop"):
    return engagement_log(
        hub=hub,
        by=by,
        date=date,
        kind="workshop",
        title=title,
        people_reached=reached,
        people_trained=trained,
    )


def section(day):
    return {row["hub"]: row for row in rollup.engagement(day)}


def test_the_section_counts_partners_and_events_as_of_the_day(hub, other_hub, hub_lead, freezer):
    freezer.move_to("2026-05-10 12:00")
    shared = OrganisationFactory(name="University of Exeter")
    PartnershipFactory(hub=other_hub, organisation=shared)
    partnership_add(
        hub=hub,
        organisation=shared,
        role=Partnership.Role.EVALUATION,
        joined_on=datetime.date(2026, 5, 1),
        by=hub_lead,
    )
    event(hub, hub_lead, datetime.date(2026, 2, 3), 30, 10)
    event(hub, hub_lead, datetime.date(2026, 5, 8), 12, 12)
    row = section(datetime.date(2026, 5, 10))["Dorset"]
    assert (row["partners"], row["partners_with_other_hubs"]) == (1, 1)
    assert (row["events"], row["reached"], row["trained"]) == (2, 42, 22)
    assert (row["events_this_quarter"], row["reached_this_quarter"], row["trained_this_quarter"]) == (
        1,
        12,
        12,
    )
    assert row["quarters"] == [
        {"quarter": "2026-01-01", "events": 1, "reached": 30, "trained": 10},
        {"quarter": "2026-04-01", "events": 1, "reached": 12, "trained": 12},
    ]


def test_a_report_rebuilt_for_a_past_day_is_identical(hub, hub_lead, freezer):
    partner = OrganisationFactory(name="Wessex Voices")
    freezer.move_to("2026-05-10 12:00")
    partnership = partnership_add(
        hub=hub, organisation=partner, role="community", joined_on=datetime.date(2026, 5, 1), by=hub_lead
    )
    held = event(hub, hub_lead, datetime.date(2026, 5, 8), 40, 5)
    day = datetime.date(2026, 5, 10)
    before = rollup.build_content(day)["engagement"]

    # Later: the event is corrected, then archived; the partner leaves; an earlier event is logged late.
    freezer.move_to("2026-06-20 09:00")
    engagement_update(event=held, version=held.version, by=hub_lead, people_reached=45)
    engagement_archive(event=held, by=hub_lead)
    partnership_update(
        partnership=partnership, version=partnership.version, by=hub_lead, left_on=datetime.date(2026, 5, 5)
    )
    event(hub, hub_lead, datetime.date(2026, 5, 2), 99, 0, title="Logged late")

    assert rollup.build_content(day)["engagement"] == before
    now = section(datetime.date(2026, 6, 20))["Dorset"]
    assert (now["partners"], now["events"], now["reached"]) == (0, 1, 99)


def test_the_report_page_and_csv_show_the_section(client, hub, hub_lead, reader, freezer):
    freezer.move_to("2026-05-10 12:00")
    event(hub, hub_lead, datetime.date(2026, 5, 8), 40, 5)
    day = datetime.date(2026, 5, 10)
    content = rollup.build_content(day)
    RollupReport.objects.create(day=day, content=content, content_hash="x" * 64)
    client.force_login(reader)
    page = client.get(reverse("learning:report", args=[day.isoformat()])).content.decode()
    assert "Engagement and partnerships" in page
    csv = client.get(reverse("learning:report_csv", args=[day.isoformat(), "engagement"])).content.decode(
        "utf-8-sig"
    )
    assert csv.splitlines()[0].startswith("hub,partners,partners_with_other_hubs,events,reached,trained")
    assert "Dorset,0,0,1,40,5,1,40,5" in csv
