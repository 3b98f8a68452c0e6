"""Cross-hub dashboards: where every adoption stands (stages) and whom reach reaches (equity)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hubs.access import global_readers_only
from innovations.models import Adoption, StageTransition

from .. import dashboards
from ..models import Measurement


def stages(request: HttpRequest) -> HttpResponse:
    """Every hub's current adoptions by stage: stages are shared across hubs, so anyone signed in."""
    today = timezone.localdate()
    adoptions = Adoption.objects.for_user(request.user).current()
    transitions = StageTransition.objects.for_user(request.user).filter(adoption__in=adoptions)
    counts = dashboards.stage_counts(adoptions)
    return render(
        request,
        "evaluation/stages.html",
        {
            "matrix": dashboards.stage_matrix(adoptions),
            "counts": counts,
            "total": sum(count for _, count in counts),
            "recent": dashboards.recent_moves(transitions, today=today),
            "recent_days": dashboards.RECENT_DAYS,
            "durations": dashboards.stage_durations(dashboards.stage_history(transitions), today=today),
            "today": today,
        },
    )


# -- The equity chart: a horizontal bar per hub × innovation, laid out here so the template only draws.

CHART_WIDTH = 720
CHART_LEFT = 20  # room for the "0%" tick label
CHART_RIGHT = 200  # room for the value label after the longest bar
CHART_TOP = 32  # room for the reference line's label
ROW_HEIGHT = 56
BAR_HEIGHT = 22
AXIS_HEIGHT = 32


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    label_y: int
    bar_y: int
    width: str
    value_x: str
    value_y: int
    shown: bool


@dataclass(frozen=True)
class Tick:
    x: str
    label: str


def _x(share: float, axis_max: int) -> float:
    return CHART_LEFT + (CHART_WIDTH - CHART_LEFT - CHART_RIGHT) * share / axis_max


def equity_chart(rows: list[dashboards.EquityRow]) -> dict:
    """Coordinates for the bars, the 20% line and the axis, as strings the template writes out."""
    shown = [row.share for row in rows if not row.suppressed]
    axis_max = min(100, max(30, 10 * math.ceil(max(shown, default=0) / 10)))
    bars = []
    for index, row in enumerate(rows):
        top = CHART_TOP + index * ROW_HEIGHT
        bar_y = top + 20
        width = 0.0 if row.suppressed else _x(row.share, axis_max) - CHART_LEFT
        if row.suppressed:
            value_label = "<8 in quintile 1: share not shown"
        else:
            value_label = f"{row.share_shown}, {row.direction} 20%"
        bars.append(
            Bar(
                label=f"{row.innovation}, {row.hub}",
                value_label=value_label,
                label_y=top + 12,
                bar_y=bar_y,
                width=f"{width:.1f}",
                value_x=f"{CHART_LEFT + width + 6:.1f}",
                value_y=bar_y + 16,
                shown=not row.suppressed,
            )
        )
    plot_bottom = CHART_TOP + len(rows) * ROW_HEIGHT
    return {
        "width": CHART_WIDTH,
        "height": plot_bottom + AXIS_HEIGHT,
        "left": CHART_LEFT,
        "top": CHART_TOP,
        "plot_bottom": plot_bottom,
        "plot_right": f"{_x(axis_max, axis_max):.1f}",
        "bar_height": BAR_HEIGHT,
        "bars": bars,
        "reference_x": f"{_x(dashboards.POPULATION_SHARE, axis_max):.1f}",
        "ticks": [
            Tick(x=f"{_x(share, axis_max):.1f}", label=f"{share}%") for share in range(0, axis_max + 1, 10)
        ],
        "tick_label_y": plot_bottom + 20,
    }


def equity_summary(rows: list[dashboards.EquityRow]) -> str:
    shown = [row for row in rows if not row.suppressed]
    above = sum(1 for row in shown if row.direction == "above")
    text = f"{above} of {len(shown)} adoptions reached people in quintile 1 above their 20% population share."
    if len(shown) < len(rows):
        text += f" {len(rows) - len(shown)} with fewer than 8 people in quintile 1 are not shown as a share."
    return text


@global_readers_only
def equity(request: HttpRequest) -> HttpResponse:
    """Reach into the most deprived fifth (IMD quintile 1) against its 20% share, per hub and innovation."""
    first, last = dashboards.equity_months()
    rows = dashboards.equity_rows(Measurement.objects.for_user(request.user), first=first, last=last)
    sections = []
    for number, (metric, group) in enumerate(groupby(rows, key=lambda row: row.metric), start=1):
        metric_rows = list(group)
        sections.append(
            {
                "id": f"equity-{number}",
                "metric": metric,
                "rows": metric_rows,
                "chart": equity_chart(metric_rows),
                "summary": equity_summary(metric_rows),
            }
        )
    return render(
        request,
        "evaluation/equity.html",
        {"sections": sections, "first": first, "last": last, "population_share": dashboards.POPULATION_SHARE},
    )
