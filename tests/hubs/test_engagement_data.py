"""Synthetic engagement logs: the demo's four hubs and the scale data each have one, marked synthetic, within the rules."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.engagement import SYNTHETIC_NOTE
from demo.loader import seed_demo
from hubs.models import EngagementEvent, Hub
from learning import rollup

pytestmark = pytest.mark.django_db


def check_the_logs(hubs):
    today = timezone.localdate()
    for hub in hubs:
        events = list(EngagementEvent.objects.filter(hub=hub).prefetch_related("organisations"))
        held = [event for event in events if event.date <= today]
        planned = [event for event in events if event.date > today]
        assert len(held) >= 6, hub
        assert len(planned) == 2 and all(event.people_reached is None for event in planned)
        assert {event.kind for event in held} == set(EngagementEvent.Kind.values)
        assert all(event.notes == SYNTHETIC_NOTE for event in events)
        assert all(event.organisations.all() for event in events)
        for event in events:
            event.full_clean()  # every synthetic event keeps the rules a person's would
        assert EngagementEvent.history.filter(hub=hub).count() == len(events)


def test_the_demo_hubs_each_have_a_log_and_partners_who_joined_over_time():
    seed_demo()
    hubs = list(Hub.objects.order_by("name"))
    assert len(hubs) == 4
    check_the_logs(hubs)
    for hub in hubs:
        assert len(set(hub.partnerships.values_list("joined_on", flat=True))) > 1
    report = {row["hub"]: row for row in rollup.engagement(timezone.localdate())}
    assert all(report[hub.name]["partners"] >= 4 and report[hub.name]["reached"] > 0 for hub in hubs)
    events = EngagementEvent.objects.count()
    seed_demo()
    assert EngagementEvent.objects.count() == events


def test_the_scale_data_has_logs_and_replace_removes_them():
    call_command("generate_scale_data", "--scale", "0.01", stdout=StringIO())
    hubs = list(Hub.objects.filter(programme__slug="scale-test-programme"))
    check_the_logs(hubs)
    report = rollup.engagement(timezone.localdate())
    assert all(row["partners"] == 2 and row["events"] > 0 for row in report)
    call_command("generate_scale_data", "--scale", "0.02", "--replace", stdout=StringIO())
    # The old events went with their history and who took part; the new ones have one record each.
    assert EngagementEvent.history.count() == EngagementEvent.objects.count() > 0
    assert (
        EngagementEvent.objects.filter(hub__programme__slug="scale-test-programme").count()
        == EngagementEvent.objects.count()
    )
