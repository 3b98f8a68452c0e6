"""Reporting status: per hub and month, the indicators due and how many have a figure, by status.

The counts come from two aggregate queries whatever the number of figures: one
counts indicators by hub and the month their adoption started (an indicator is
due every month from then on), the other counts monthly totals (the rows with
no breakdown group) by hub, month and status. Nothing loops over measurement rows.

Below them, each indicator-month with its status (``evaluation.calendar.month_status``),
due date and owner (``evaluation.owners``): a hub's page, and ``figures_due_for``, what
waits for hub staff, which their to-do list shows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Count, Max, Min, QuerySet
from django.db.models.functions import TruncMonth

from core.months import add_months, last_complete_month, month_index, months_from_to
from core.people import display_name, name_from
from hubs.access import roles_of
from hubs.models import Hub
from innovations.models import Adoption

from .calendar import WAITING_FOR_HUB, FigureStatus, due_date, month_status, tag_class
from .models import Indicator, Measurement
from .owners import owners_of

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


def hubs_reported_to(user) -> QuerySet[Hub]:
    """The hubs whose reporting status ``user`` follows: every hub for evaluators and AHSN admins,
    their own hubs for hub staff, none for anyone else."""
    roles = roles_of(user)
    if roles.reads_everything:
        return Hub.objects.all()
    return Hub.objects.filter(pk__in=roles.hub_ids)


def indicators_due(periods: Sequence[datetime.date], hub_ids=None) -> dict[HubMonth, int]:
    """(hub id, month) → indicators of the hub's current adoptions begun by that month (of ``hub_ids``)."""
    if not periods:
        return {}
    started = Indicator.objects.filter(
        adoption__archived=False, adoption__started_on__lt=add_months(max(periods), 1)
    )
    if hub_ids is not None:
        started = started.filter(adoption__hub__in=hub_ids)
    started = (
        started.annotate(start=TruncMonth("adoption__started_on"))
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


def totals_by_status(periods: Sequence[datetime.date], hub_ids=None) -> dict[HubMonth, dict[str, int]]:
    """(hub id, month) → {status: monthly totals}, for current adoptions' indicators (of ``hub_ids``)."""
    counts: dict[HubMonth, dict[str, int]] = defaultdict(dict)
    if not periods:
        return counts
    totals = Measurement.objects.filter(
        group__isnull=True, period__in=periods, indicator__adoption__archived=False
    )
    if hub_ids is not None:
        totals = totals.filter(indicator__adoption__hub__in=hub_ids)
    rows = (
        totals.values_list("indicator__adoption__hub", "period", "status")
        .annotate(totals=Count("pk"))
        .order_by()
    )
    for hub_id, period, status, totals in rows:
        counts[hub_id, period][status] = totals
    return counts


def reporting_status(hubs: Iterable[Hub], periods: Sequence[datetime.date]) -> list[HubStatus]:
    """Each hub's months, in the order given, with indicators due and totals by status."""
    hubs = list(hubs)
    hub_ids = [hub.pk for hub in hubs]
    due = indicators_due(periods, hub_ids)
    counts = totals_by_status(periods, hub_ids)
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


# Each indicator-month: its status, due date and owner --------------------------------------------

# How far back the to-do list looks for months without figures: older gaps stay on the hub's
# reporting page, and the list stays a list.
GAP_MONTHS = 36


@dataclass(frozen=True)
class Total:
    """What the calendar needs of a month's total for all people (the figure of record)."""

    status: str
    reviewed: bool
    note: str = ""
    reviewed_by: str = ""


@dataclass(frozen=True)
class IndicatorMonth:
    """One indicator's month: its status, when it is due, who answers for it, and any note on return."""

    indicator: Indicator
    period: datetime.date
    status: FigureStatus
    due: datetime.date
    owner: object | None
    note: str = ""  # the evaluator's note, on figures returned
    returned_by: str = ""  # the evaluator who returned them

    @property
    def adoption(self) -> Adoption:
        return self.indicator.adoption

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def tag_class(self) -> str:
        return tag_class(self.status)

    @property
    def before_start(self) -> bool:
        return self.period < self.indicator.adoption.started_on.replace(day=1)

    @property
    def owner_name(self) -> str:
        return display_name(self.owner, "No one (the hub has no lead)")


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    owner: object | None
    owner_chosen: bool  # an owner set on the indicator, rather than the hub's lead by default
    months: list[IndicatorMonth]


@dataclass(frozen=True)
class AdoptionRows:
    adoption: Adoption
    rows: list[IndicatorRow]


def totals_of(
    indicator_ids, periods=None, status: str | None = None
) -> dict[tuple[int, datetime.date], Total]:
    """(indicator id, month) → its monthly total's status and review, in one query.

    Of the months given (every month if None), and of one status if given.
    """
    rows = Measurement.objects.filter(indicator__in=indicator_ids, group__isnull=True)
    if periods is not None:
        rows = rows.filter(period__in=periods)
    if status is not None:
        rows = rows.filter(status=status)
    return {
        (indicator_id, period): Total(
            figure_status, reviewed_at is not None, note, name_from(first, last, username)
        )
        for indicator_id, period, figure_status, reviewed_at, note, first, last, username in rows.order_by().values_list(
            "indicator",
            "period",
            "status",
            "reviewed_at",
            "review_note",
            "reviewed_by__first_name",
            "reviewed_by__last_name",
            "reviewed_by__username",
        )
    }


def indicator_month(
    indicator: Indicator, period: datetime.date, total: Total | None, owner, today: datetime.date
) -> IndicatorMonth:
    """An indicator-month from its total (or None); the indicator comes with its adoption, hub and programme."""
    adoption = indicator.adoption
    due = due_date(period, adoption.hub.programme)
    status = month_status(
        period,
        today=today,
        due=due,
        adoption_start=adoption.started_on,
        archived=adoption.archived,
        figure_status=total.status if total else None,
        reviewed=bool(total and total.reviewed),
    )
    returned = status == FigureStatus.RETURNED
    return IndicatorMonth(
        indicator=indicator,
        period=period,
        status=status,
        due=due,
        owner=owner,
        note=total.note if returned else "",
        returned_by=total.reviewed_by if returned else "",
    )


def with_calendar(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """What an indicator-month needs loaded with its indicator: owner, adoption, hub, programme, names."""
    return indicators.select_related(
        "metric", "owner", "adoption__hub__programme", "adoption__innovation"
    ).order_by("adoption__innovation__name", "adoption", "metric__dimension", "metric__name")


def adoptions_reporting(
    adoptions: Sequence[Adoption], periods: Sequence[datetime.date], today: datetime.date
) -> list[AdoptionRows]:
    """Each adoption's indicators, each with its owner and its months' statuses: four queries in all."""
    indicators = list(with_calendar(Indicator.objects.filter(adoption__in=adoptions)))
    owners = owners_of(indicators)
    totals = totals_of([indicator.pk for indicator in indicators], periods)
    by_adoption: dict[int, list[IndicatorRow]] = defaultdict(list)
    for indicator in indicators:
        owner = owners.get(indicator.pk)
        by_adoption[indicator.adoption_id].append(
            IndicatorRow(
                indicator=indicator,
                owner=owner,
                owner_chosen=owner is not None and owner.pk == indicator.owner_id,
                months=[
                    indicator_month(indicator, period, totals.get((indicator.pk, period)), owner, today)
                    for period in periods
                ],
            )
        )
    return [AdoptionRows(adoption, by_adoption[adoption.pk]) for adoption in adoptions]


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [add_months(first, step) for step in range(months_from_to(first, last))]


def months_without_total(
    starts: Mapping[int, datetime.date], today: datetime.date
) -> dict[int, list[datetime.date]]:
    """Indicator id → the complete months, back to its adoption's start (at most GAP_MONTHS), with no total.

    ``starts`` maps each current indicator's id to its adoption's start date.

    One aggregate query (how many totals each indicator has, its first and its latest): an
    indicator whose totals run unbroken from its first month needs nothing more, since its gaps
    can only follow its latest total. Only indicators with a gap in the middle, or a total before
    their adoption's first month (the start date corrected since, not counted), have their months
    read, in one more. Neither query joins the indicators or adoptions (the adoptions' start is
    known here already): each reads these indicators' rows through their index, so its time
    follows how many months they have, not the size of the programme.
    """
    last = last_complete_month(today)
    earliest = add_months(last, -(GAP_MONTHS - 1))
    firsts = {pk: max(started_on.replace(day=1), earliest) for pk, started_on in starts.items()}
    firsts = {pk: first for pk, first in firsts.items() if first <= last}
    if not firsts:
        return {}
    in_range = Measurement.objects.filter(
        indicator__in=list(firsts), group__isnull=True, period__gte=earliest, period__lte=last
    ).order_by()
    counts = {
        indicator_id: (count, earliest_total, latest)
        for indicator_id, count, earliest_total, latest in in_range.values_list("indicator")
        .annotate(count=Count("pk"), first=Min("period"), latest=Max("period"))
        .values_list("indicator", "count", "first", "latest")
    }
    missing: dict[int, list[datetime.date]] = {}
    broken = []
    for pk, first in firsts.items():
        count, earliest_total, latest = counts.get(pk, (0, None, None))
        if latest is None or latest < first:  # none at all, or only before the adoption's start
            missing[pk] = _months(first, last)
        elif earliest_total < first:
            broken.append(pk)
        elif count == months_from_to(first, latest):
            missing[pk] = _months(add_months(latest, 1), last)
        else:
            broken.append(pk)
    if broken:
        present = defaultdict(set)
        for indicator_id, period in in_range.filter(indicator__in=broken).values_list("indicator", "period"):
            present[indicator_id].add(month_index(period))
        for pk in broken:
            missing[pk] = [
                period for period in _months(firsts[pk], last) if month_index(period) not in present[pk]
            ]
    return {pk: periods for pk, periods in missing.items() if periods}


# The order of what waits: overdue first, then returned, then due; oldest first within each.
URGENCY = {FigureStatus.OVERDUE: 0, FigureStatus.RETURNED: 1, FigureStatus.DUE: 2}


def figures_due_for(user, today: datetime.date) -> list[IndicatorMonth]:
    """The indicator-months of ``user``'s hubs that wait for hub staff: due, overdue or returned.

    Every current adoption's indicators, whoever owns them (each item names its owner), with
    earlier gaps as well as last month (back GAP_MONTHS), and returned figures with the
    evaluator's note. Most urgent first. Six queries at most, however many indicators and months;
    three when nothing waits.
    """
    hub_ids = roles_of(user).hub_ids
    if not hub_ids:
        return []
    # Every indicator's start first, as plain values: a hub may report hundreds, and only those
    # with a month to show are loaded in full, with their owners.
    starts = dict(
        Indicator.objects.filter(adoption__hub__in=hub_ids, adoption__archived=False).values_list(
            "pk", "adoption__started_on"
        )
    )
    if not starts:
        return []
    gaps = months_without_total(starts, today)
    returned = totals_of(list(starts), status=Measurement.Status.RETURNED)
    shown = set(gaps) | {indicator_id for indicator_id, _ in returned}
    if not shown:
        return []
    by_pk = {indicator.pk: indicator for indicator in with_calendar(Indicator.objects.filter(pk__in=shown))}
    owners = owners_of(by_pk.values())
    items = [
        indicator_month(by_pk[pk], period, None, owners.get(pk), today)
        for pk, periods in gaps.items()
        for period in periods
    ]
    items += [
        indicator_month(by_pk[indicator_id], period, total, owners.get(indicator_id), today)
        for (indicator_id, period), total in returned.items()
    ]
    items = [item for item in items if item.status in WAITING_FOR_HUB]
    items.sort(
        key=lambda item: (
            URGENCY[item.status],
            item.due,
            item.adoption.innovation.name,
            item.indicator.metric.name,
        )
    )
    return items
