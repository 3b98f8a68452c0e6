"""Spend to date, the forecast to the award's end, and the warnings, on quarters made by hand."""

import datetime
from decimal import Decimal

from django.utils import timezone

from tests.factories import HubFactory
from value.spend import LAG_POINTS, forecast, hub_spend, hub_spends, quarters_between

from .spend_helpers import approved_quarter, nth_quarter, submitted_quarter


def test_forecast_adds_the_average_of_the_last_four_quarters_for_each_quarter_left():
    approved = [Decimal(x) for x in ("1000", "10", "20", "30", "40")]
    assert forecast(Decimal("1100"), approved, 3) == Decimal("1175.00")  # 1100 + 25 × 3
    assert forecast(Decimal("1100"), [], 3) == Decimal("1100")
    assert quarters_between(datetime.date(2025, 4, 1), datetime.date(2026, 1, 1)) == 4


def test_hub_spend_to_date_against_its_award(db, lead, evaluator_user, hub):
    today = timezone.localdate()
    hub.start_date = datetime.date(today.year - 1, 1, 1)
    hub.end_date = datetime.date(today.year + 1, 12, 31)  # twelve quarters
    hub.award = Decimal("120000.00")
    hub.save()
    approved_quarter(hub, nth_quarter(hub, 0), lead=lead, evaluator=evaluator_user, amounts=["10000", "0.01"])
    approved_quarter(
        hub, nth_quarter(hub, 1), lead=lead, evaluator=evaluator_user, amounts=["20000"], in_kind=["5"]
    )
    submitted_quarter(hub, nth_quarter(hub, 2), lead=lead, amounts=["99999"])
    summary = hub_spend(hub, as_of=today)
    assert summary.spent == Decimal("30000.01")
    assert summary.in_kind == Decimal("5.00")
    assert [q.cumulative for q in summary.quarters] == [
        Decimal("10000.01"),
        Decimal("30000.01"),
        Decimal("30000.01"),
    ]
    assert summary.awaiting_review == 1
    # Ten quarters after the second, at the average of the two approved ones (15,000.005 each).
    assert summary.quarters_left == 10
    assert summary.forecast == Decimal("180000.06")
    assert summary.forecast_over_award
    assert round(summary.share_spent, 1) == 25.0


def test_spend_lagging_far_behind_time_is_flagged(db, lead, evaluator_user):
    today = timezone.localdate()
    hub = HubFactory(
        start_date=today - datetime.timedelta(days=600), end_date=today + datetime.timedelta(days=300)
    )
    summary = hub_spend(hub, as_of=today)
    assert summary.share_of_time - 0 > LAG_POINTS
    assert summary.lags_behind_time
    assert not summary.forecast_over_award


def test_as_of_a_past_day_an_approval_made_later_does_not_count(hub, lead, evaluator_user):
    approved_quarter(hub, nth_quarter(hub, 0), lead=lead, evaluator=evaluator_user, amounts=["10"])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    assert hub_spends([hub], as_of=yesterday, approved_only=True)[0].spent == Decimal("0")
    assert hub_spends([hub], as_of=timezone.localdate(), approved_only=True)[0].spent == Decimal("10.00")
