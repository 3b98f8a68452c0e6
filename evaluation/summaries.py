"""Each indicator's monthly series, its SPC reading, and the summary row kept from them.

Dashboards read ``IndicatorSummary`` rows (one query for a page of many
indicators); every write that changes an indicator's figures or SPC options
calls ``refresh`` for it in the same transaction, so the row is never stale. A
change to a programme's minimum for limits refreshes its indicators' rows too
(``refresh_programme``, on the programme's save: ``evaluation.apps``).

``indicator_reading`` is the one way to read an indicator's series: the XmR chart
with the programme's minimum applied (``evaluation.mdc.read``), used by the
indicator page, the summary, the review pages and the data-quality flags alike.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from core.months import add_months, last_complete_month, months_from_to
from core.numbers import figure_value

from . import mdc
from .comparison import figures_changed
from .models import Indicator, IndicatorSummary, Measurement
from .spc import XmrResult, xmr

SUMMARY_FIELDS = [
    "latest_period",
    "latest_value",
    "latest_is_approved",
    "points",
    "months_due",
    "variation",
    "assurance",
    "points_counted",
    "min_points",
    "includes_submitted",
    "refreshed_at",
]
# What reading an indicator needs loaded with it: its direction, adoption and programme's minimum.
READING_RELATED = ("metric", "adoption__hub__programme")
REFRESH_BATCH = 2000


@dataclass(frozen=True)
class MonthlyFigure:
    """One month's figure for all people (no breakdown group), as a plain number."""

    period: datetime.date
    value: float
    status: str

    @property
    def is_approved(self) -> bool:
        return self.status == Measurement.Status.APPROVED


def monthly_totals(*, approved_only: bool = False):
    """Every monthly total for all people that counts: approved and submitted (returned ones are being corrected)."""
    rows = Measurement.objects.filter(group__isnull=True)
    return rows.approved() if approved_only else rows.exclude(status=Measurement.Status.RETURNED)


def _totals(indicator_ids: Iterable[int], *, approved_only: bool):
    """(indicator id, figure) for every monthly total that counts, in time order."""
    rows = monthly_totals(approved_only=approved_only).filter(indicator__in=indicator_ids)
    for indicator_id, period, value, numerator, denominator, status in rows.order_by(
        "indicator", "period"
    ).values_list("indicator", "period", "value", "numerator", "denominator", "status"):
        yield indicator_id, MonthlyFigure(period, figure_value(value, numerator, denominator), status)


def recent_totals(latest: Mapping[int, datetime.date], months: int):
    """The totals of each indicator in ``latest`` in the ``months`` months up to the month given for it.

    One query for any number of indicators: (indicator id, period, value, numerator, denominator).
    """
    by_last: dict[datetime.date, list[int]] = defaultdict(list)
    for indicator_id, last in latest.items():
        by_last[last].append(indicator_id)
    windows = Q()
    for last, ids in by_last.items():
        windows |= Q(indicator__in=ids, period__gte=add_months(last, 1 - months), period__lte=last)
    if not windows:
        return []
    return (
        monthly_totals()
        .filter(windows)
        .values_list("indicator", "period", "value", "numerator", "denominator")
    )


def monthly_figures(indicator: Indicator, *, approved_only: bool = False) -> list[MonthlyFigure]:
    """The indicator's monthly totals: approved and submitted ones (returned ones are being corrected)."""
    return [figure for _, figure in _totals([indicator.pk], approved_only=approved_only)]


def rebase_indexes(periods: Sequence[datetime.date], rebase_periods: Iterable[datetime.date]) -> list[int]:
    """Where in the series each rebase starts a new group: the first figure on or after its month."""
    indexes = set()
    for rebase in rebase_periods:
        index = next((i for i, period in enumerate(periods) if period >= rebase), None)
        if index:  # a rebase before the first figure changes nothing
            indexes.add(index)
    return sorted(indexes)


def _xmr_of(
    indicator: Indicator, figures: Sequence[MonthlyFigure], rebase_periods
) -> tuple[XmrResult, list[int]]:
    if rebase_periods is None:
        rebase_periods = [point.period for point in indicator.rebase_points.all()]
    rebase_at = rebase_indexes([figure.period for figure in figures], rebase_periods)
    result = xmr(
        [figure.value for figure in figures],
        improvement=indicator.metric.improvement,
        target=indicator.target,
        baseline=indicator.baseline_length,
        rebase_at=rebase_at,
    )
    return result, rebase_at


def indicator_spc(indicator: Indicator, figures: Sequence[MonthlyFigure], rebase_periods=None) -> XmrResult:
    """The XmR reading of a series, with the indicator's direction, target, baseline and rebases.

    Without the programme's minimum for limits: what a page shows goes through ``indicator_reading``.
    """
    return _xmr_of(indicator, figures, rebase_periods)[0]


def min_points_for(indicator: Indicator) -> int:
    """The fewest figures before the indicator's chart shows limits: its programme's setting."""
    return indicator.adoption.hub.programme.min_points_for_limits


@dataclass(frozen=True)
class IndicatorReading:
    """An indicator's series read: the XmR result, what it shows (``mdc.Reading``) and the chart to draw."""

    result: XmrResult
    reading: mdc.Reading
    rebase_at: list[int]

    @property
    def chart(self) -> XmrResult:
        """The XmR chart, or below the programme's minimum a run chart with its median."""
        if self.reading.too_few:
            return mdc.run_chart([point.value for point in self.result.points], self.rebase_at)
        return self.result


def indicator_reading(
    indicator: Indicator, figures: Sequence[MonthlyFigure], rebase_periods=None
) -> IndicatorReading:
    """The series read as every page shows it: XmR, then the programme's minimum (``mdc.read``).

    ``indicator`` needs its metric and its adoption's hub's programme (``READING_RELATED``).
    """
    result, rebase_at = _xmr_of(indicator, figures, rebase_periods)
    reading = mdc.read(
        result,
        improvement=indicator.metric.improvement,
        rebase_at=rebase_at,
        min_points=min_points_for(indicator),
    )
    return IndicatorReading(result, reading, rebase_at)


def months_due(started_on: datetime.date, today: datetime.date | None = None) -> int:
    """Complete months from the adoption's first month to last month, both included."""
    return months_from_to(started_on, last_complete_month(today))


def summarise(indicator: Indicator, figures: Sequence[MonthlyFigure], rebase_periods) -> IndicatorSummary:
    reading = indicator_reading(indicator, figures, rebase_periods).reading
    latest = figures[-1] if figures else None
    return IndicatorSummary(
        indicator=indicator,
        latest_period=latest.period if latest else None,
        latest_value=latest.value if latest else None,
        latest_is_approved=bool(latest and latest.is_approved),
        points=len(figures),
        months_due=months_due(indicator.adoption.started_on),
        variation=reading.variation or "",
        assurance=reading.assurance or "",
        points_counted=reading.points,
        min_points=reading.min_points,
        includes_submitted=any(not figure.is_approved for figure in figures),
        refreshed_at=timezone.now(),
    )


def refresh(indicator_ids: Iterable[int]) -> int:
    """Recompute and store the summary rows of these indicators; returns how many."""
    ids = list(indicator_ids)
    indicators = (
        Indicator.objects.filter(pk__in=ids)
        .select_related(*READING_RELATED)
        .prefetch_related("rebase_points")
        .in_bulk()
    )
    figures: dict[int, list[MonthlyFigure]] = defaultdict(list)
    for indicator_id, figure in _totals(ids, approved_only=False):
        figures[indicator_id].append(figure)
    summaries = [
        summarise(indicator, figures[pk], [point.period for point in indicator.rebase_points.all()])
        for pk, indicator in indicators.items()
    ]
    IndicatorSummary.objects.bulk_create(
        summaries, update_conflicts=True, unique_fields=["indicator"], update_fields=SUMMARY_FIELDS
    )
    # The funnel plots pool these figures too: their cached sums go stale.
    figures_changed(indicator.metric_id for indicator in indicators.values())
    return len(summaries)


def refresh_all(indicators=None) -> int:
    """Recompute every summary (or those of a queryset of indicators), a batch at a time."""
    ids = (indicators if indicators is not None else Indicator.objects.all()).values_list("pk", flat=True)
    return refresh_in_batches(list(ids))


def refresh_in_batches(ids: Sequence[int]) -> int:
    return sum(refresh(ids[start : start + REFRESH_BATCH]) for start in range(0, len(ids), REFRESH_BATCH))


def refresh_programme(programme) -> list[int]:
    """Refresh the summaries read with another minimum than the programme's (after it changed); their ids."""
    stale = list(
        IndicatorSummary.objects.filter(indicator__adoption__hub__programme=programme)
        .exclude(min_points=programme.min_points_for_limits)
        .values_list("indicator_id", flat=True)
    )
    refresh_in_batches(stale)
    return stale
