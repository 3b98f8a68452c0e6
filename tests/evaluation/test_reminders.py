"""Reminders of figures due and overdue: to whoever answers for each indicator, once per person, month and kind."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from evaluation import tasks
from evaluation.models import Measurement
from evaluation.reminders import reminders_send
from hubs.models import Membership
from notifications.models import Kind, Notification
from outbox.models import OutboxItem
from tests.factories import (
    AdoptionFactory,
    IndicatorFactory,
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    UserFactory,
)
from tests.threads import at_once

D = datetime.date
# December 2026's figures are due on Friday 15 January 2027; "due soon" from Tuesday 12 January.
DAY_BEFORE_WINDOW, FIRST_DAY, DUE_DAY, AFTER_DUE = (
    D(2027, 1, 11),
    D(2027, 1, 12),
    D(2027, 1, 15),
    D(2027, 1, 18),
)


def metric(n: int):
    return MetricFactory(code=f"metric-{n}", name=f"Metric {n}")


def lead_of(hub, username: str):
    user = UserFactory(username=username, first_name=username.title(), last_name="Lead")
    MembershipFactory(hub=hub, user=user, role=Membership.Role.LEAD)
    return user


@pytest.fixture
def people(hub, other_hub, owner, reader):
    """Dorset, begun 20 Sep 2026: ``owner`` owns two silent indicators, the lead answers for a third;
    a fourth has every month's total and a fifth is archived. Manchester has one silent indicator."""
    dorset_lead = lead_of(hub, "dorset")
    adoption = AdoptionFactory(hub=hub, started_on=D(2026, 9, 20))
    IndicatorFactory(adoption=adoption, metric=metric(1), owner=owner)
    IndicatorFactory(adoption=adoption, metric=metric(2), owner=owner)
    IndicatorFactory(adoption=adoption, metric=metric(3))
    complete = IndicatorFactory(adoption=adoption, metric=metric(4), owner=owner)
    for month in (9, 10, 11, 12):
        MeasurementFactory(indicator=complete, period=D(2026, month, 1), status=Measurement.Status.APPROVED)
    archived = AdoptionFactory(hub=hub, archived=True, archived_reason="Stopped.", started_on=D(2026, 1, 1))
    IndicatorFactory(adoption=archived, metric=metric(5), owner=owner)
    manchester_lead = lead_of(other_hub, "manchester")
    IndicatorFactory(adoption=AdoptionFactory(hub=other_hub, started_on=D(2026, 1, 1)), metric=metric(6))
    return {"owner": owner, "dorset": dorset_lead, "manchester": manchester_lead, "reader": reader}


def told(user, kind=None):
    rows = Notification.objects.filter(recipient=user).order_by("key")
    return [row.key for row in (rows.filter(kind=kind) if kind else rows)]


@pytest.mark.django_db
def test_overdue_months_then_due_soon_each_once_to_whoever_answers(people):
    owner, dorset, manchester = people["owner"], people["dorset"], people["manchester"]

    before = reminders_send(DAY_BEFORE_WINDOW)

    # October and November are overdue; December is due but not yet within three working days.
    assert told(owner) == [f"figures-overdue:2026-{m}:{owner.pk}" for m in ("10", "11")]
    assert told(dorset) == [f"figures-overdue:2026-{m}:{dorset.pk}" for m in ("10", "11")]
    assert told(manchester) == [f"figures-overdue:2026-{m}:{manchester.pk}" for m in ("10", "11")]
    assert told(people["reader"]) == []  # a member of Manchester who answers for nothing
    assert (before.sent, before.skipped_already_sent) == (6, 0)

    first = reminders_send(FIRST_DAY)
    assert (first.sent, first.skipped_already_sent) == (3, 6)
    assert told(owner, Kind.FIGURES_DUE) == [f"figures-due:2026-12:{owner.pk}"]

    again = reminders_send(FIRST_DAY)
    assert (again.sent, again.skipped_already_sent) == (0, 9)
    assert Notification.objects.count() == 9


@pytest.mark.django_db
def test_one_reminder_lists_all_of_a_persons_indicators(people):
    reminders_send(FIRST_DAY)
    owner = people["owner"]
    due = Notification.objects.get(recipient=owner, kind=Kind.FIGURES_DUE)
    assert due.title == "Figures for December 2026 are due by Friday 15 January (2 indicators)"
    assert "Metric 1 – " in due.body and "Metric 2 – " in due.body
    assert "Metric 3" not in due.body  # the lead's
    assert "Metric 4" not in due.body and "Metric 5" not in due.body  # sent; archived
    assert (
        due.url
        == f"/evaluation/adoptions/{owner.memberships.get().hub.adoptions.get(archived=False).pk}/figures/2026-12/"
    )
    manchester = Notification.objects.get(recipient=people["manchester"], kind=Kind.FIGURES_DUE)
    assert "Metric 6" in manchester.body and "Metric 1" not in manchester.body
    # Every reminder's e-mail is promised once (everyone here has an address and the default, at once).
    assert (
        OutboxItem.objects.filter(key__startswith="notification-email:").count()
        == Notification.objects.count()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("day", [D(2027, 1, 13), D(2027, 1, 14), DUE_DAY])
def test_a_missed_first_day_is_made_up_within_the_three_days(people, day):
    reminders_send(day)
    assert told(people["owner"], Kind.FIGURES_DUE) == [f"figures-due:2026-12:{people['owner'].pk}"]


@pytest.mark.django_db
def test_after_the_due_date_december_is_overdue_and_sent_figures_end_it(people):
    owner = people["owner"]
    MeasurementFactory(indicator=owner.owned_indicators.get(metric__code="metric-2"), period=D(2026, 12, 1))
    reminders_send(AFTER_DUE)
    overdue = Notification.objects.get(recipient=owner, key=f"figures-overdue:2026-12:{owner.pk}")
    assert (
        overdue.title
        == "Figures for December 2026 are overdue: they were due on Friday 15 January (1 indicator)"
    )
    assert told(owner, Kind.FIGURES_DUE) == []  # too late for "due soon"


@pytest.mark.django_db
def test_the_command_prints_one_json_object_last(people):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2027-01-12", stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1]) == {
        "date": "2027-01-12",
        "sent": 9,
        "skipped_already_sent": 0,
    }
    out = io.StringIO()
    call_command("send_reminders", "--date", "2027-01-12", stdout=out)
    assert json.loads(out.getvalue().splitlines()[-1]) == {
        "date": "2027-01-12",
        "sent": 0,
        "skipped_already_sent": 9,
    }


@pytest.mark.django_db
def test_the_beat_task_sends_what_the_command_would_once(people):
    assert tasks.send_reminders.apply(args=["2027-01-12"]).get() == {
        "date": "2027-01-12",
        "sent": 9,
        "skipped_already_sent": 0,
    }
    assert tasks.send_reminders.apply(args=["2027-01-12"]).get()["sent"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text", ["12/01/2027", "2027-13-01", "2027-02-30", "tomorrow", "1999-06-01", "20270-01-12", "x" * 5000]
)
def test_a_bad_date_is_a_clear_error(text):
    with pytest.raises(CommandError, match="--date must"):
        call_command("send_reminders", "--date", text, stdout=io.StringIO())


@pytest.mark.django_db
def test_today_is_the_default(people):
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    result = json.loads(out.getvalue().splitlines()[-1])
    assert set(result) == {"date", "sent", "skipped_already_sent"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_two_runs_at_once_send_each_reminder_exactly_once(people):
    def run():
        out = io.StringIO()
        call_command("send_reminders", "--date", "2027-01-12", stdout=out)
        return json.loads(out.getvalue().splitlines()[-1])

    results = at_once(run)

    assert sorted((r["sent"], r["skipped_already_sent"]) for r in results) == [(0, 9), (9, 0)]
    assert Notification.objects.count() == 9
    assert OutboxItem.objects.filter(key__startswith="notification-email:").count() == 9
