"""Reporting status: per hub and month, the indicators due and how many have a figure, by status.

The counts come from two aggregate queries whatever the number of figures: one
counts indicators by hub and the month their adoption started (an indicator is
due every month from then on), the other counts monthly totals (the rows with
no IMD quintile) by hub, month and status. Nothing loops over measurement rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Min
from django.db.models.functions import TruncMonth

from core.months import add_months, last_complete_month
from hubs.models import Hub
from innovations.models import Adoption

from .models import Indicator, Measurement

MONTHS_SHOWN = 12

HubMonth = tuple[int, datetime.date]


@dataclass(frozen=True)
class MonthStatus:
    """One hub's month: indicators due, and their monthly totals by status."""

    period: datetime.date
    due: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0

    @property
    def reported(self) -> int:
        return self.submitted + self.approved + self.returned

    @property
    def missing(self) -> int:
        # More figures than indicators due cannot happen for current adoptions; never show a negative gap.
        return max(0, self.due - self.reported)


@dataclass(frozen=True)
class HubStatus:
    hub: Hub
    months: list[MonthStatus]

    @property
    def missing(self) -> int:
        return sum(month.missing for month in self.months)

    @property
    def awaiting_review(self) -> int:
        return sum(month.submitted for month in self.months)

    @property
    def returned(self) -> int:
        return sum(month.returned for month in self.months)


def reporting_months(year: int | None = None, today: datetime.date | None = None) -> list[datetime.date]:
    """The months to show, newest first: the last twelve complete months, or a year's complete months."""
    last = last_complete_month(today)
    if year is None:
        return [add_months(last, -back) for back in range(MONTHS_SHOWN)]
    if year > last.year:
        return []
    newest = last.month if year == last.year else 12
    return [datetime.date(year, month, 1) for month in range(newest, 0, -1)]


def reporting_years(today: datetime.date | None = None) -> list[int]:
    """Years with at least one complete month since the first current adoption began, newest first."""
    first = Adoption.objects.current().aggregate(first=Min("started_on"))["first"]
    last = last_complete_month(today)
    if first is None or first > last:
        return []
    return list(range(last.year, first.year - 1, -1))


def indicators_due(periods: Sequence[datetime.date]) -> dict[HubMonth, int]:
    """(hub id, month) → indicators of the hub's current adoptions begun by that month."""
    if not periods:
        return {}
    started = (
        Indicator.objects.filter(
            adoption__archived=False, adoption__started_on__lt=add_months(max(periods), 1)
        )
        .annotate(start=TruncMonth("adoption__started_on"))
        .values_list("adoption__hub", "start")
        .annotate(indicators=Count("pk"))
        .order_by()
    )
    starts_by_hub: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for hub_id, start, indicators in started:
        starts_by_hub[hub_id].append((start, indicators))
    return {
        (hub_id, period): sum(indicators for start, indicators in starts if start <= period)
        for hub_id, starts in starts_by_hub.items()
        for period in periods
    }


def totals_by_status(periods: Sequence[datetime.date]) -> dict[HubMonth, dict[str, int]]:
    """(hub id, month) → {status: monthly totals}, for current adoptions' indicators."""
    counts: dict[HubMonth, dict[str, int]] = defaultdict(dict)
    if not periods:
        return counts
    rows = (
        Measurement.objects.filter(
            imd_quintile__isnull=True, period__in=periods, indicator__adoption__archived=False
        )
        .values_list("indicator__adoption__hub", "period", "status")
        .annotate(totals=Count("pk"))
        .order_by()
    )
    for hub_id, period, status, totals in rows:
        counts[hub_id, period][status] = totals
    return counts


def reporting_status(hubs: Iterable[Hub], periods: Sequence[datetime.date]) -> list[HubStatus]:
    """Each hub's months, in the order given, with indicators due and totals by status."""
    due = indicators_due(periods)
    counts = totals_by_status(periods)
    return [
        HubStatus(
            hub=hub,
            months=[
                MonthStatus(
                    period=period,
                    due=due.get((hub.pk, period), 0),
                    submitted=counts[hub.pk, period].get(Measurement.Status.SUBMITTED, 0),
                    approved=counts[hub.pk, period].get(Measurement.Status.APPROVED, 0),
                    returned=counts[hub.pk, period].get(Measurement.Status.RETURNED, 0),
                )
                for period in periods
            ],
        )
        for hub in hubs
    ]


def month_across_hubs(statuses: Sequence[HubStatus], period: datetime.date) -> MonthStatus:
    """One month's counts added up over all hubs shown, for the page's summary."""
    months = [month for status in statuses for month in status.months if month.period == period]
    return MonthStatus(
        period=period,
        due=sum(month.due for month in months),
        submitted=sum(month.submitted for month in months),
        approved=sum(month.approved for month in months),
        returned=sum(month.returned for month in months),
    )
