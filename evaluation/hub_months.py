"""A hub's month at once, for evaluators: what awaits review, and everything needed to judge it.

``hub_months_awaiting_review`` lists each hub-month with figures awaiting review (the queue
and the evaluators' to-do list read it, from the counts ``evaluation.awaiting`` keeps);
``hub_month`` gathers every indicator's status in one hub-month and, for one page of them,
their figures, chart position, data-quality flags and previous months, in a fixed number
of queries however many indicators the hub reports; ``after_review`` says where to go next.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.core.paginator import Page, Paginator
from django.db.models import F, Min, Sum

from core.months import add_months
from core.numbers import figure_text, figure_value
from hubs.models import Hub

from . import charts, summaries
from .breakdowns import in_group_order
from .flags import flag_counts_by_hub_month, flags_for
from .measurements import hub_indicators
from .models import AdoptionMonthAwaiting, DataQualityFlag, Indicator, Measurement
from .review_notices import hub_month_url
from .spc import PointType, XmrPoint

PREVIOUS_MONTHS = 6
CHARTED_POINTS = 12  # the latest points drawn in each row's small chart

SUBMITTED = "submitted"
RESUBMITTED_STATUS = "resubmitted"
RETURNED = "returned"
APPROVED = "approved"
NO_FIGURE = "none"
STATUS_LABELS = {
    SUBMITTED: "Submitted",
    RESUBMITTED_STATUS: "Resubmitted",
    RETURNED: "Returned",
    APPROVED: "Approved",
    NO_FIGURE: "No figure yet",
}


# The queue ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubMonthAwaiting:
    """A hub-month with figures awaiting review."""

    hub: Hub
    period: datetime.date
    awaiting: int  # figures (totals and their groups' rows) submitted and not yet reviewed
    resubmitted: int  # of those, figures saved again after a return
    flags: int  # active data-quality flags of the hub's indicators that month

    @property
    def url(self) -> str:
        return hub_month_url(self.hub.slug, self.period)


def _awaiting_by_hub_month(hub_ids=None):
    """The kept counts of current adoptions' figures awaiting review, summed by hub and month."""
    awaiting = AdoptionMonthAwaiting.objects.filter(adoption__archived=False)
    if hub_ids is not None:
        awaiting = awaiting.filter(adoption__hub__in=hub_ids)
    return (
        awaiting.order_by()
        .values("period", hub=F("adoption__hub"))
        .annotate(
            awaiting=Sum("awaiting"),
            resubmitted=Sum("resubmitted"),
            first_submitted=Min("first_submitted"),
        )
        .order_by("period", "first_submitted", "hub")
    )


def hub_months_awaiting_review(hub_ids=None) -> list[HubMonthAwaiting]:
    """Every hub-month with figures awaiting review, oldest month first (of these hubs, if given).

    Three queries, however many: the counts kept per adoption-month (``evaluation.awaiting``)
    summed by hub and month, their hubs, and the active flags of those hub-months.
    """
    rows = list(_awaiting_by_hub_month(hub_ids))
    if not rows:
        return []
    hubs = Hub.objects.in_bulk({row["hub"] for row in rows})
    flags = flag_counts_by_hub_month(hub_ids=hubs, periods={row["period"] for row in rows})
    return [
        HubMonthAwaiting(
            hub=hubs[row["hub"]],
            period=row["period"],
            awaiting=row["awaiting"],
            resubmitted=row["resubmitted"],
            flags=flags.get((row["hub"], row["period"]), 0),
        )
        for row in rows
    ]


def next_hub_month(hub: Hub, period: datetime.date) -> tuple[str, datetime.date, str] | None:
    """The hub-month to review after this one: the oldest other awaiting review (hub slug, month, hub name).

    One query, LIMIT 1, walking the kept adoption-months in the queue's order (month, first
    submitted, hub): the first adoption-month of another hub-month in that order belongs to
    the hub-month the queue lists first, since a hub-month's first submission is its
    adoption-months' earliest.
    """
    row = (
        AdoptionMonthAwaiting.objects.filter(adoption__archived=False)
        .exclude(adoption__hub=hub, period=period)
        .order_by("period", "first_submitted", "adoption__hub__slug")
        .values_list("adoption__hub__slug", "period", "adoption__hub__name")
        .first()
    )
    return tuple(row) if row else None


# One hub-month ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPosition:
    """Where the month's total sits on the indicator's XmR chart, in words and as a small picture."""

    text: str
    points: list[tuple[datetime.date, float]]  # the latest points, oldest first, to draw
    point: XmrPoint | None  # the month's own point (None when the month has no charted total)
    svg: dict | None = None
    run_chart: bool = False  # too few figures for limits: the points against their median

    @property
    def is_special(self) -> bool:
        return bool(self.point and self.point.point_type != PointType.COMMON_CAUSE)


@dataclass
class IndicatorMonth:
    """One indicator of the hub in the month: its figures, status, chart position, flags, previous totals."""

    indicator: Indicator
    total: Measurement | None = None
    groups: list[Measurement] = field(default_factory=list)  # its breakdowns' rows, in order
    position: ChartPosition | None = None
    flags: list[DataQualityFlag] = field(default_factory=list)
    previous: list[tuple[datetime.date, str | None]] = field(default_factory=list)

    @property
    def rows(self) -> list[Measurement]:
        return ([self.total] if self.total else []) + self.groups

    @property
    def status(self) -> str:
        return status_of([(row.status, row.reviewed_at is not None) for row in self.rows])

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def awaiting(self) -> bool:
        return self.status in (SUBMITTED, RESUBMITTED_STATUS)

    @property
    def total_text(self) -> str:
        return figure_text_of(self.total) if self.total else "No total"

    @property
    def groups_text(self) -> str:
        """Each breakdown's figures in a line: "IMD quintile: 1 (most deprived) 20, 2 31; Sex: Female 40"."""
        return "; ".join(
            f"{dimension.name}: " + ", ".join(f"{row.group.label} {figure_text_of(row)}" for row in rows)
            for dimension, rows in groupby(self.groups, key=lambda row: row.group.dimension)
        )

    @property
    def notes(self) -> list[str]:
        return sorted({row.review_note for row in self.rows if row.review_note})


def figure_text_of(measurement: Measurement) -> str:
    return figure_text(measurement.value, measurement.numerator, measurement.denominator)


def status_of(rows: list[tuple[str, bool]]) -> str:
    """An indicator-month's status from its figures' (status, ever reviewed): the least advanced wins."""
    if not rows:
        return NO_FIGURE
    submitted = [reviewed for status, reviewed in rows if status == Measurement.Status.SUBMITTED]
    if submitted:
        return RESUBMITTED_STATUS if any(submitted) else SUBMITTED
    if any(status == Measurement.Status.RETURNED for status, _ in rows):
        return RETURNED
    return APPROVED


INDICATORS_PER_PAGE = 40  # a page an evaluator can read through, whatever the hub reports


@dataclass
class HubMonth:
    """A hub's month: every indicator's status, and one page of indicators in full."""

    hub: Hub
    period: datetime.date
    statuses: dict[int, str]  # every current indicator's status this month, in the page order
    page: Page  # of indicator ids
    indicators: list[IndicatorMonth]  # this page's

    @property
    def figures(self) -> list[Measurement]:
        return [row for item in self.indicators for row in item.rows]

    @property
    def awaiting(self) -> list[IndicatorMonth]:
        return [item for item in self.indicators if item.awaiting]

    @property
    def seen(self) -> dict[int, int]:
        """Each figure shown on this page, with the version shown: what the review checks and reviews."""
        return {row.pk: row.version for row in self.figures}

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """How many indicators of the whole month have each status, by its label."""
        counts: dict[str, int] = defaultdict(int)
        for status in self.statuses.values():
            counts[STATUS_LABELS[status]] += 1
        return sorted(counts.items())

    @property
    def anything_awaiting(self) -> bool:
        return any(status in AWAITING for status in self.statuses.values())


AWAITING = (SUBMITTED, RESUBMITTED_STATUS)


def _month_statuses(hub: Hub, period: datetime.date) -> dict[int, str] | None:
    """Each current indicator of the hub, in the page order, with its status in ``period``; two queries.

    None when the hub has no figure that month.
    """
    indicators = hub_indicators(hub)
    ids = list(
        indicators.order_by(
            "adoption__innovation__name", "metric__dimension", "metric__name", "pk"
        ).values_list("pk", flat=True)
    )
    rows: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for indicator_id, status, reviewed_at in Measurement.objects.filter(
        indicator__in=indicators, period=period
    ).values_list("indicator", "status", "reviewed_at"):
        rows[indicator_id].append((status, reviewed_at is not None))
    if not rows:
        return None
    return {pk: status_of(rows.get(pk, [])) for pk in ids}


def pages_awaiting(statuses: dict[int, str]) -> list[int]:
    """The numbers of the pages with an indicator awaiting review, first page first."""
    return sorted(
        {
            position // INDICATORS_PER_PAGE + 1
            for position, status in enumerate(statuses.values())
            if status in AWAITING
        }
    )


def hub_month(hub: Hub, period: datetime.date, page: int | str | None = 1) -> HubMonth | None:
    """Every current indicator of ``hub`` in ``period`` by status, and one page of them in full.

    None when the hub has no figure that month. Eight queries, however many indicators the
    hub reports: every indicator's status (two), then for the page's indicators only: the
    indicators, their rebase points, the month's figures, every earlier total (for the
    chart and the previous months), and the month's active flags. A page number out of
    range gives the nearest page.
    """
    statuses = _month_statuses(hub, period)
    if statuses is None:
        return None
    shown = Paginator(list(statuses), INDICATORS_PER_PAGE).get_page(page)
    by_pk = (
        Indicator.objects.filter(pk__in=list(shown))
        .select_related(*summaries.READING_RELATED, "adoption__innovation")
        .prefetch_related("rebase_points")
        .in_bulk()
    )
    items = {pk: IndicatorMonth(by_pk[pk]) for pk in shown if pk in by_pk}
    month_rows = Measurement.objects.filter(indicator__in=list(items), period=period)
    for row in in_group_order(month_rows.select_related("group__dimension")):
        item = items[row.indicator_id]
        if row.group is None:
            item.total = row
        else:
            item.groups.append(row)
    _add_totals(items, period)
    for (indicator_id, _), flags in flags_for(list(items), [period]).items():
        items[indicator_id].flags = flags
    return HubMonth(hub, period, statuses, shown, list(items.values()))


def after_review(hub: Hub, period: datetime.date, page: int) -> tuple[str, int | None]:
    """Where an evaluator goes after reviewing a page: (hub-month URL, page number or None).

    The first page of this hub-month from this one on, then from its start, that still has
    an indicator awaiting review; else the next hub-month in the queue; else this page
    again, which says nothing else awaits. Three queries.
    """
    statuses = _month_statuses(hub, period) or {}
    pages = pages_awaiting(statuses)
    later = [number for number in pages if number >= page] + [number for number in pages if number < page]
    if later:
        return hub_month_url(hub.slug, period), later[0]
    following = next_hub_month(hub, period)
    if following:
        return hub_month_url(following[0], following[1]), None
    return hub_month_url(hub.slug, period), page


def _add_totals(items: dict[int, IndicatorMonth], period: datetime.date) -> None:
    """Each indicator's chart position in ``period`` and its totals of the months before, from one query."""
    series: dict[int, list[summaries.MonthlyFigure]] = defaultdict(list)
    earlier: dict[int, dict[datetime.date, str]] = defaultdict(dict)
    first_previous = add_months(period, -PREVIOUS_MONTHS)
    totals = (
        Measurement.objects.filter(indicator__in=items, group__isnull=True, period__lte=period)
        .order_by("indicator", "period")
        .values_list("indicator", "period", "value", "numerator", "denominator", "status")
    )
    for indicator_id, month, value, numerator, denominator, status in totals:
        if month >= first_previous and month < period:
            text = figure_text(value, numerator, denominator)
            if status != Measurement.Status.APPROVED:
                text = f"{text} ({Measurement.Status(status).label.lower()})"
            earlier[indicator_id][month] = text
        if (
            status != Measurement.Status.RETURNED
        ):  # as the indicator's chart: returned ones are being corrected
            series[indicator_id].append(
                summaries.MonthlyFigure(month, figure_value(value, numerator, denominator), status)
            )
    months = [add_months(period, -n) for n in range(PREVIOUS_MONTHS, 0, -1)]
    for indicator_id, item in items.items():
        item.previous = [(month, earlier[indicator_id].get(month)) for month in months]
        item.position = chart_position(item.indicator, series[indicator_id], period)


def chart_position(
    indicator: Indicator, figures: list[summaries.MonthlyFigure], period: datetime.date
) -> ChartPosition:
    """The month's point against the process limits, read as the indicator page's chart reads it."""
    if not figures:
        return ChartPosition("No figures to chart yet.", [], None)
    rebases = [point.period for point in indicator.rebase_points.all()]
    read = summaries.indicator_reading(indicator, figures, rebases)
    points = list(zip([figure.period for figure in figures], read.chart.points, strict=True))
    own = next((point for month, point in points if month == period), None)
    unit = indicator.metric.unit
    latest_month, latest = points[-1]
    if read.reading.too_few:  # as the indicator page: no limits and no reading below the minimum
        text = f"{read.reading.too_few_label}: {read.reading.more_needed_text}."
    elif own is None:
        text = f"No charted total for {period:%B %Y}. " + charts.process_sentence(latest, unit)
    else:
        text = (
            f"{charts.point_label(own, indicator.metric.improvement)}. {charts.process_sentence(own, unit)}"
        )
    drawn = points[-CHARTED_POINTS:]
    return ChartPosition(
        text=text,
        points=[(month, point.value) for month, point in drawn],
        point=own,
        svg=sparkline(drawn, period),
        run_chart=read.reading.too_few,
    )


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 150, 44, 4


def sparkline(points: list[tuple[datetime.date, XmrPoint]], period: datetime.date) -> dict | None:
    """A small chart of the latest points with the current process limits: coordinates for the template."""
    if len(points) < 2:
        return None
    latest = points[-1][1]
    values = [point.value for _, point in points]
    limits = [value for value in (latest.lpl, latest.upl, latest.mean) if value is not None]
    low, high = min(values + limits), max(values + limits)
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(points) - 1)

    def y(value: float) -> float:
        return round(SPARK_HEIGHT - SPARK_PAD - (value - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD), 1)

    def text(number: float | None) -> str | None:  # as SVG wants it, never localised by the template
        return None if number is None else f"{number:.1f}"

    xs = [round(SPARK_PAD + index * step, 1) for index in range(len(points))]
    marks = [
        {
            "x": text(x),
            "y": text(y(point.value)),
            "left": text(x - 3),  # the month's own point: a square centred on it
            "top": text(y(point.value) - 3),
            "own": month == period,
            "special": point.point_type != PointType.COMMON_CAUSE,
        }
        for x, (month, point) in zip(xs, points, strict=True)
    ]
    return {
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "line": " ".join(f"{mark['x']},{mark['y']}" for mark in marks),
        "marks": marks,
        "upl": text(y(latest.upl)) if latest.upl is not None else None,
        "lpl": text(y(latest.lpl)) if latest.lpl is not None else None,
        "mean": text(y(latest.mean)),
        "left": text(SPARK_PAD),
        "right": text(SPARK_WIDTH - SPARK_PAD),
    }
