"""A hub's month at once, for evaluators: what awaits review, and everything needed to judge it.

``hub_months_awaiting_review`` lists each hub-month with figures awaiting review (the queue
and the evaluators' to-do list read it); ``hub_month`` gathers one hub-month's indicators
with their figures, chart position, data-quality flags and previous months, in a fixed
number of queries however many indicators the hub reports.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Sum

from core.months import add_months
from core.numbers import figure_text, figure_value
from hubs.models import Hub

from . import charts, summaries
from .measurements import hub_indicators
from .models import AdoptionMonthAwaiting, DataQualityFlag, Indicator, Measurement
from .review_notices import hub_month_url
from .spc import XmrPoint

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
    awaiting: int  # figures (totals and IMD quintile rows) submitted and not yet reviewed
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
    flags = {
        (hub_id, period): count
        for hub_id, period, count in DataQualityFlag.objects.filter(
            active=True,
            indicator__adoption__archived=False,
            indicator__adoption__hub__in=hubs,
            period__in={row["period"] for row in rows},
        )
        .order_by()
        .values_list("indicator__adoption__hub", "period")
        .annotate(count=Count("pk"))
    }
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

    @property
    def is_special(self) -> bool:
        return bool(self.point and self.point.special_cause)


@dataclass
class IndicatorMonth:
    """One indicator of the hub in the month: its figures, status, chart position, flags, previous totals."""

    indicator: Indicator
    total: Measurement | None = None
    quintiles: list[Measurement] = field(default_factory=list)
    position: ChartPosition | None = None
    flags: list[DataQualityFlag] = field(default_factory=list)
    previous: list[tuple[datetime.date, str | None]] = field(default_factory=list)

    @property
    def rows(self) -> list[Measurement]:
        return ([self.total] if self.total else []) + self.quintiles

    @property
    def status(self) -> str:
        rows = self.rows
        if not rows:
            return NO_FIGURE
        if any(row.status == Measurement.Status.SUBMITTED for row in rows):
            resubmitted = any(row.status == Measurement.Status.SUBMITTED and row.reviewed_at for row in rows)
            return RESUBMITTED_STATUS if resubmitted else SUBMITTED
        if any(row.status == Measurement.Status.RETURNED for row in rows):
            return RETURNED
        return APPROVED

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
    def quintiles_text(self) -> str:
        return " · ".join(f"Q{row.imd_quintile} {figure_text_of(row)}" for row in self.quintiles)

    @property
    def notes(self) -> list[str]:
        return sorted({row.review_note for row in self.rows if row.review_note})


def figure_text_of(measurement: Measurement) -> str:
    return figure_text(measurement.value, measurement.numerator, measurement.denominator)


@dataclass
class HubMonth:
    hub: Hub
    period: datetime.date
    indicators: list[IndicatorMonth]

    @property
    def figures(self) -> list[Measurement]:
        return [row for item in self.indicators for row in item.rows]

    @property
    def awaiting(self) -> list[IndicatorMonth]:
        return [item for item in self.indicators if item.awaiting]

    @property
    def seen(self) -> dict[int, int]:
        """Each figure shown, with the version shown: what the review checks is unchanged."""
        return {row.pk: row.version for row in self.figures}


def hub_month(hub: Hub, period: datetime.date) -> HubMonth | None:
    """Every current indicator of ``hub`` in ``period``; None when the hub has no figure that month.

    Five queries: the indicators, their rebase points, the month's figures, every earlier
    total (for the chart and the previous months), and the month's active flags.
    """
    indicators = list(
        hub_indicators(hub)
        .select_related("metric", "adoption__innovation")
        .prefetch_related("rebase_points")
        .order_by("adoption__innovation__name", "metric__dimension", "metric__name", "pk")
    )
    items = {indicator.pk: IndicatorMonth(indicator) for indicator in indicators}
    month_rows = Measurement.objects.filter(indicator__in=items, period=period).order_by(
        F("imd_quintile").asc(nulls_first=True)
    )
    found = False
    for row in month_rows:
        found = True
        item = items[row.indicator_id]
        if row.imd_quintile is None:
            item.total = row
        else:
            item.quintiles.append(row)
    if not found:
        return None
    _add_totals(items, period)
    for flag in (
        DataQualityFlag.objects.filter(indicator__in=items, period=period, active=True)
        .select_related("explained_by", "checked_by")
        .order_by("kind")
    ):
        items[flag.indicator_id].flags.append(flag)
    return HubMonth(hub, period, list(items.values()))


def _add_totals(items: dict[int, IndicatorMonth], period: datetime.date) -> None:
    """Each indicator's chart position in ``period`` and its totals of the months before, from one query."""
    series: dict[int, list[summaries.MonthlyFigure]] = defaultdict(list)
    earlier: dict[int, dict[datetime.date, str]] = defaultdict(dict)
    first_previous = add_months(period, -PREVIOUS_MONTHS)
    totals = (
        Measurement.objects.filter(indicator__in=items, imd_quintile__isnull=True, period__lte=period)
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
    result = summaries.indicator_spc(indicator, figures, rebases)
    points = list(zip([figure.period for figure in figures], result.points, strict=True))
    own = next((point for month, point in points if month == period), None)
    unit = indicator.metric.unit
    latest_month, latest = points[-1]
    if own is None:
        text = f"No charted total for {period:%B %Y}. " + charts.process_sentence(latest, unit)
    else:
        text = f"{charts.point_label(own)}. {charts.process_sentence(own, unit)}"
    drawn = points[-CHARTED_POINTS:]
    return ChartPosition(
        text=text,
        points=[(month, point.value) for month, point in drawn],
        point=own,
        svg=sparkline(drawn, period),
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
            "special": bool(point.special_cause),
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
