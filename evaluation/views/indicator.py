"""One indicator: its XmR chart, icons and figures; for evaluators, its SPC options.

The hub's own staff and evaluators see its figures as entered; anyone else sees a
count from 1 to 7 as "<8", no percentage worked out from one, and no chart that
would plot one (``core.disclosure``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.disclosure import figure_disclosed, figure_text
from core.forms import submit
from core.history import HistoryEntry, newest_first
from core.numbers import completeness
from hubs.access import evaluators_only, get_visible_or_404, roles_of

from .. import annotations, charts, services, summaries
from ..breakdowns import group_order
from ..flags import active_flags
from ..forms import BaselineForm, RebaseAddForm, RebaseRemoveForm
from ..models import (
    MIN_BASELINE_MONTHS,
    BreakdownDimension,
    BreakdownGroup,
    Indicator,
    Measurement,
    Metric,
    RebasePoint,
    ReopenRequest,
)
from ..spc import PointType, XmrPoint

INDICATOR_RELATED = ("metric", "adoption__hub__programme", "adoption__innovation")


def figures_seen_by(user, indicator: Indicator) -> QuerySet[Measurement]:
    """The indicator's figures this user may see: own hubs' in full, other hubs' only once approved.

    In time order, each with its group: one query, however many groups.
    """
    rows = Measurement.objects.for_user(user).filter(indicator=indicator).select_related("group__dimension")
    return rows.order_by("period")


def charted(rows: list[Measurement]) -> list[Measurement]:
    """The rows that make the chart: monthly totals (for all people, no group) that are not returned.

    The same rule as ``summaries.monthly_figures``, applied to what the user may
    see, so a member of another hub gets a chart of approved figures only. For
    evaluators, who see every row, the two agree.
    """
    return [row for row in rows if row.group_id is None and row.status != Measurement.Status.RETURNED]


def as_figure(row: Measurement) -> summaries.MonthlyFigure:
    return summaries.MonthlyFigure(
        row.period, summaries.figure_value(row.value, row.numerator, row.denominator), row.status
    )


@dataclass(frozen=True)
class Disclosure:
    """How this viewer sees one indicator's figures: raw (the hub's staff, evaluators) or not."""

    is_count: bool
    raw: bool

    def text(self, row: Measurement) -> str:
        return figure_text(row.value, row.numerator, row.denominator, is_count=self.is_count, raw=self.raw)

    def whole(self, row: Measurement) -> bool:
        """Whether the figure is shown as it is, not as "<8" or "Not shown"."""
        return figure_disclosed(
            row.value, row.numerator, row.denominator, is_count=self.is_count, raw=self.raw
        )


@dataclass(frozen=True)
class FigureRow:
    """A row of the data table: a monthly total as this viewer may see it, and its SPC reading when charted."""

    measurement: Measurement
    point: XmrPoint | None
    figure: str
    improvement: str  # the metric's direction, which the reading's words need

    @property
    def reading(self) -> str:
        return charts.point_label(self.point, self.improvement) if self.point else ""

    @property
    def is_special(self) -> bool:
        return bool(self.point and self.point.point_type != PointType.COMMON_CAUSE)


@dataclass(frozen=True)
class GroupCell:
    measurement: Measurement
    figure: str  # as this viewer may see it


@dataclass(frozen=True)
class BreakdownRow:
    """A month of one breakdown: the figure of each of its groups (the table's columns), None where none."""

    period: datetime.date
    cells: list[GroupCell | None]


@dataclass(frozen=True)
class BreakdownTable:
    """One dimension's figures: a column per group given in any month, a row per month, in time order."""

    dimension: BreakdownDimension
    groups: list[BreakdownGroup]
    rows: list[BreakdownRow]


def breakdown_tables(rows: list[Measurement], disclosure: Disclosure) -> list[BreakdownTable]:
    """A table per breakdown dimension the figures (in time order, with their groups) are given for."""
    by_dimension: dict[int, list[Measurement]] = {}
    for row in rows:
        if row.group is not None:
            by_dimension.setdefault(row.group.dimension_id, []).append(row)
    tables = []
    for given in by_dimension.values():
        groups = sorted({row.group_id: row.group for row in given}.values(), key=group_order)
        column = {group.pk: index for index, group in enumerate(groups)}
        by_month: dict[datetime.date, list[GroupCell | None]] = {}
        for row in given:
            cells = by_month.setdefault(row.period, [None] * len(groups))
            cells[column[row.group_id]] = GroupCell(row, disclosure.text(row))
        tables.append(
            BreakdownTable(
                groups[0].dimension,
                groups,
                [BreakdownRow(period, cells) for period, cells in by_month.items()],
            )
        )
    return sorted(tables, key=lambda table: (table.dimension.position, table.dimension.pk))


def baseline_words(length: int | None) -> str:
    return f"first {length} months of each group" if length else "every month of each group"


def indicator_history(indicator: Indicator) -> list[HistoryEntry]:
    """Changes to the baseline and target, from the indicator's history records."""
    entries = []
    previous = None
    for record in indicator.history.select_related("history_user").order_by("history_date", "history_id"):
        changes = []
        if previous is None:
            if record.baseline_length:
                changes.append(f"Baseline set: {baseline_words(record.baseline_length)}")
        else:
            if record.baseline_length != previous.baseline_length:
                changes.append(f"Baseline changed to the {baseline_words(record.baseline_length)}")
            if record.target != previous.target:
                target = "none" if record.target is None else charts.format_number(float(record.target), 2)
                changes.append(f"Target changed to {target}")
        if changes:
            entries.append(
                HistoryEntry(
                    record.history_date,
                    record.history_user,
                    what="; ".join(changes),
                    why=record.history_change_reason or "",
                )
            )
        previous = record
    return entries


REBASE_CHANGES = {
    "+": "Rebase added from {month}",
    "-": "Rebase from {month} removed",
    "~": "Rebase at {month} changed",
}


def rebase_history(indicator: Indicator) -> list[HistoryEntry]:
    """Rebase points added and removed, with the reason given each time."""
    records = RebasePoint.history.filter(indicator_id=indicator.pk).select_related("history_user")
    return [
        HistoryEntry(
            record.history_date,
            record.history_user,
            what=REBASE_CHANGES[record.history_type].format(month=charts.long_month(record.period)),
            why=record.history_change_reason or (record.reason if record.history_type == "+" else ""),
        )
        for record in records
    ]


def options_history(indicator: Indicator) -> list[HistoryEntry]:
    """Every change to the indicator's SPC options, newest first."""
    return newest_first(indicator_history(indicator) + rebase_history(indicator))


# ?events=off hides the events marked on the chart (a link, so no script is needed); they show by default.
EVENTS_PARAMETER = "events"
EVENTS_OFF = "off"


def chart_events(request: HttpRequest, indicator: Indicator, context: dict, *, periods, rebases) -> dict:
    """The events marked on a drawn chart (``evaluation.annotations``), and the chart and its description with them.

    The page lists the same events under the chart, with their links, and offers a link
    that hides or shows them again, keeping the page's other query parameters.
    """
    shows = request.GET.get(EVENTS_PARAMETER) != EVENTS_OFF
    query = request.GET.copy()
    if shows:
        query[EVENTS_PARAMETER] = EVENTS_OFF
    else:
        query.pop(EVENTS_PARAMETER)
    address = f"?{query.urlencode()}" if query else request.path
    toggle = {"shows_events": shows, "events_toggle_url": f"{address}#chart-events"}
    chart = context["chart"]
    found = (
        annotations.on_chart(indicator, request.user, first=periods[0], last=periods[-1], rebases=rebases)
        if chart and shows
        else []
    )
    if not found:
        return {"events": [], **toggle}
    chart, band = charts.annotation_band(chart, periods, found)
    return {
        "chart": chart,
        "chart_description": f"{context['chart_description']} {charts.annotations_sentence(found)}",
        "events": found,
        "event_band": band,
        **toggle,
    }


def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_visible_or_404(Indicator.objects.select_related(*INDICATOR_RELATED), request.user, pk=pk)
    rows = list(figures_seen_by(request.user, indicator))
    series = charted(rows)
    figures = [as_figure(row) for row in series]
    rebases = list(indicator.rebase_points.select_related("created_by"))
    read = summaries.indicator_reading(indicator, figures, [rebase.period for rebase in rebases])
    # Below the programme's minimum (counted since the latest rebase): a run chart, and no icons.
    result, run_chart = read.chart, read.reading.too_few
    point_of = {row.pk: point for row, point in zip(series, result.points, strict=True)}

    metric = indicator.metric
    disclosure = Disclosure(
        is_count=metric.kind == Metric.Kind.COUNT,
        raw=roles_of(request.user).sees_raw_figures_of(indicator.adoption.hub_id),
    )
    # A point's height gives its value away, so a chart with a withheld figure is not drawn.
    chart_withheld = not all(disclosure.whole(row) for row in series)
    periods = [figure.period for figure in figures]
    approved = [figure.is_approved for figure in figures]
    chart_options = {
        "improvement": metric.improvement,
        "target": indicator.target,
        "rebases": [charts.Rebase(rebase.period, rebase.reason) for rebase in rebases],
        "approved": approved,
        "unit": metric.unit,
        "run_chart": run_chart,
    }
    months_due = summaries.months_due(indicator.adoption.started_on)
    changeable_ids = set(
        Measurement.objects.changeable_by(request.user)
        .filter(indicator=indicator)
        .values_list("pk", flat=True)
    )
    # Hub staff who may change the indicator ask to reopen an approved month; one request waits at a time.
    can_ask_reopen = Indicator.objects.changeable_by(request.user).filter(pk=indicator.pk).exists()
    reopen_pending = (
        set(
            indicator.reopen_requests.filter(status=ReopenRequest.Status.PENDING).values_list(
                "period", flat=True
            )
        )
        if can_ask_reopen
        else set()
    )
    context = {
        "indicator": indicator,
        "metric": metric,
        "can_ask_reopen": can_ask_reopen,
        "reopen_pending": reopen_pending,
        "result": result,
        "reading": read.reading,
        "run_chart": run_chart,
        # The month the current group starts: the minimum is counted from there.
        "counted_since": periods[max(read.rebase_at)] if read.rebase_at else None,
        "chart": charts.xmr_chart(periods, result, baseline_length=indicator.baseline_length, **chart_options)
        if figures and not chart_withheld
        else None,
        "chart_withheld": bool(figures) and chart_withheld,
        "chart_title": f"{'Run' if run_chart else 'XmR'} chart of {metric.name}, {indicator.adoption.innovation.name} in "
        f"{indicator.adoption.hub.name}",
        "chart_description": charts.describe(periods, result, **chart_options),
        "includes_submitted": not all(approved),
        "figure_rows": [
            FigureRow(row, point_of.get(row.pk), disclosure.text(row), metric.improvement)
            for row in rows
            if row.group_id is None
        ],
        "breakdown_tables": breakdown_tables(rows, disclosure),
        "rebases": rebases,
        "history": options_history(indicator),
        "months_with_figures": len(figures),
        "months_due": months_due,
        "completeness": completeness(len(figures), months_due),
        "changeable_ids": changeable_ids,
        "can_set_options": roles_of(request.user).reviews_figures,
        "flags": active_flags(indicator, request.user),
    }
    context.update(chart_events(request, indicator, context, periods=periods, rebases=rebases))
    return render(request, "evaluation/indicator_detail.html", context)


# SPC options, for evaluators


def _indicator_for_options(pk: int) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related(*INDICATOR_RELATED), pk=pk)


def _options_page(request: HttpRequest, indicator: Indicator, form, **context) -> HttpResponse:
    return render(
        request, "evaluation/indicator_options.html", {"indicator": indicator, "form": form, **context}
    )


@evaluators_only
@require_http_methods(["GET", "POST"])
def indicator_baseline(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator_for_options(pk)
    data = request.POST if request.method == "POST" else None
    form = BaselineForm(data, initial={"baseline_length": indicator.baseline_length})
    if submit(
        form, lambda data: services.indicator_set_baseline(indicator=indicator, by=request.user, **data)
    ):
        messages.success(request, "The baseline is saved and the chart recalculated.")
        return redirect(indicator)
    return _options_page(
        request,
        indicator,
        form,
        heading="Set the baseline",
        intro="The mean and process limits of each group are set from its first months. "
        "Choose a baseline when the process was stable at the start and later months should be judged against it.",
        button="Save the baseline",
    )


@evaluators_only
@require_http_methods(["GET", "POST"])
def rebase_add(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = _indicator_for_options(pk)
    # A rebase at the first month would change nothing, so it is not offered.
    months = [figure.period for figure in summaries.monthly_figures(indicator)][1:]
    taken = indicator.rebase_points.values_list("period", flat=True)
    data = request.POST if request.method == "POST" else None
    form = RebaseAddForm(data, months=months, taken=taken)
    if submit(form, lambda data: services.rebase_add(indicator=indicator, by=request.user, **data)):
        messages.success(request, "The rebase is added: the chart has new limits from that month.")
        return redirect(indicator)
    return _options_page(
        request,
        indicator,
        form if months else None,
        heading="Add a rebase point",
        intro="A rebase starts a new mean and new process limits from a month when the process changed, "
        "for example a new pathway. Say what changed.",
        empty=f"This indicator needs figures for at least {MIN_BASELINE_MONTHS} months before it can be rebased.",
        button="Add the rebase",
    )


@evaluators_only
@require_http_methods(["GET", "POST"])
def rebase_remove(request: HttpRequest, pk: int) -> HttpResponse:
    rebase = get_object_or_404(
        RebasePoint.objects.select_related(*(f"indicator__{field}" for field in INDICATOR_RELATED)), pk=pk
    )
    indicator = rebase.indicator
    form = RebaseRemoveForm(request.POST if request.method == "POST" else None)
    if submit(form, lambda data: services.rebase_remove(rebase=rebase, by=request.user, **data)):
        messages.success(request, "The rebase is removed. Its history keeps who removed it and why.")
        return redirect(indicator)
    return _options_page(
        request,
        indicator,
        form,
        heading=f"Remove the rebase from {charts.long_month(rebase.period)}",
        intro=f"Reason given when it was added: {rebase.reason}",
        button="Remove the rebase",
        warning=True,
    )
