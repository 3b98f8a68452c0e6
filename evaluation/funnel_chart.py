"""The funnel plot as geometry for a server-rendered SVG (``evaluation/_funnel_chart.html``).

x is each hub's denominator (people counted over the period), y its percentage. The
pooled average is a solid line; the 95% limits are dashed and the 99.8% limits dotted,
each a curve narrowing as the denominator grows. A hub within the limits is a circle;
above them an upward triangle, below them a downward one, hollow past the 95% limit and
filled past the 99.8% limit: shape and fill say where a hub falls, colour only repeats
it, and every point has a label beside it and a tooltip. Pure Python, like
``evaluation.charts``, whose scales, ticks and marker shapes it reuses.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import charts
from .charts import (
    WHITE,
    LegendItem,
    LinearScale,
    Plot,
    Stroke,
    Tick,
    coordinate,
    format_number,
    nice_ticks,
    polyline,
    tick_places,
)
from .comparison import FLAG_WORDS, FunnelRow, HubFunnel
from .funnel import FLAG_HIGH_95, FLAG_HIGH_998, FLAG_LOW_95, FLAG_LOW_998

WIDTH = 720
HEIGHT = 420
MARGIN_LEFT = 64
MARGIN_RIGHT = 24
MARGIN_TOP = 20
MARGIN_BOTTOM = 56  # month labels are not needed, the x-axis title is
MARKER_SIZE = 6
CURVE_POINTS = 150
LABEL_FONT = 12
LABEL_CHAR_WIDTH = 6.6  # an estimate of a 12px character's width, to keep labels apart

TARGET_STROKE = Stroke("#212B32", 2)
LIMIT_95_STROKE = Stroke("#4C6272", 1.5, "7 4")
LIMIT_998_STROKE = Stroke("#4C6272", 1.5, "2 3")
WITHIN_COLOUR = "#425563"
OUTSIDE_COLOUR = "#005EB8"  # NHS blue, 5.1:1 on white; neither red nor green, so no verdict by colour


@dataclass(frozen=True)
class FunnelMarker:
    x: float
    y: float
    path: str
    colour: str
    fill: str
    title: str
    label: str
    label_x: str
    label_y: str
    label_anchor: str


@dataclass(frozen=True)
class FunnelCurve:
    points: str
    stroke: Stroke


@dataclass(frozen=True)
class FunnelChart(charts.Frame):
    curves: list[FunnelCurve]
    target_y: float
    target_label: str
    markers: list[FunnelMarker]
    legend: list[LegendItem]
    x_title: str

    @property
    def target_at(self) -> str:
        return coordinate(self.target_y)

    @property
    def clip(self) -> tuple[int, int, int, int]:
        """x, y, width and height of the plotting area, which the limit curves are clipped to."""
        plot = self.plot
        return plot.left, plot.top, plot.right - plot.left, plot.bottom - plot.top


MARKERS = {
    # flag → (shape, filled, colour)
    None: ("circle", True, WITHIN_COLOUR),
    FLAG_HIGH_95: ("up", False, OUTSIDE_COLOUR),
    FLAG_HIGH_998: ("up", True, OUTSIDE_COLOUR),
    FLAG_LOW_95: ("down", False, OUTSIDE_COLOUR),
    FLAG_LOW_998: ("down", True, OUTSIDE_COLOUR),
}


def marker_path(shape: str, x: float, y: float, size: float = MARKER_SIZE) -> str:
    """A circle, or a triangle pointing up (above the limits) or down (below them)."""
    if shape == "down":
        c = coordinate
        return f"M{c(x)} {c(y + size * 1.2)}L{c(x + size * 1.15)} {c(y - size * 0.85)}H{c(x - size * 1.15)}Z"
    return charts.marker_path("triangle" if shape == "up" else "circle", x, y, size)


def legend() -> list[LegendItem]:
    items = []
    for flag in (None, FLAG_HIGH_998, FLAG_HIGH_95, FLAG_LOW_95, FLAG_LOW_998):
        shape, filled, colour = MARKERS[flag]
        label = (
            "Hub within the limits"
            if flag is None
            else f"Hub {FLAG_WORDS[flag][0].lower()}{FLAG_WORDS[flag][1:]}"
        )
        items.append(
            LegendItem(
                label, path=marker_path(shape, 12, 8, 5), colour=colour, fill=colour if filled else WHITE
            )
        )
    items.append(LegendItem("Average of all hubs", stroke=TARGET_STROKE))
    items.append(LegendItem("95% limits", stroke=LIMIT_95_STROKE))
    items.append(LegendItem("99.8% limits", stroke=LIMIT_998_STROKE))
    return items


def _y_range(funnel: HubFunnel, widest_at: float) -> tuple[float, float]:
    """FunnelPlotR's y range (0.7 × the average or 0.9 × the lowest hub, to 1.3 × it or 1.1 × the highest),
    widened to show the 99.8% limits at the right-hand end, so the funnel itself is always on the plot.
    """
    values = [row.value for row in funnel.shown_rows]
    target = funnel.target_percent
    limits = funnel.result.limits_at(widest_at)
    low = min(0.7 * target, 0.9 * min(values, default=target), 100 * limits.lower_998)
    high = max(1.3 * target, 1.1 * max(values, default=target), 100 * limits.upper_998)
    return max(0.0, low), min(100.0, high)


def _place_labels(
    markers: list[tuple[float, float, str]], plot: Plot, taken: list[tuple[float, float, float, float]]
) -> list[tuple[float, float, str]]:
    """Where each label goes: right of its point, else left, above or below, whichever overlaps nothing ``taken``."""
    placed = []
    for x, y, text in markers:
        width, height = len(text) * LABEL_CHAR_WIDTH, LABEL_FONT
        gap = MARKER_SIZE + 3
        options = [
            (x + gap, y + 4, "start"),
            (x - gap, y + 4, "end"),
            (x, y - gap - 2, "middle"),
            (x, y + gap + height, "middle"),
        ]
        chosen = options[0]
        for option in options:
            box = _label_box(option, width, height)
            inside = box[0] >= plot.left and box[2] <= plot.right + MARGIN_RIGHT and box[1] >= 0
            if inside and not any(_overlaps(box, other) for other in taken):
                chosen = option
                break
        taken.append(_label_box(chosen, width, height))
        placed.append(chosen)
    return placed


def _label_box(
    option: tuple[float, float, str], width: float, height: float
) -> tuple[float, float, float, float]:
    x, y, anchor = option
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return left, y - height, left + width, y


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def funnel_chart(funnel: HubFunnel, *, denominator_words: str) -> FunnelChart:
    """The chart's geometry: axes, the limits as curves, the average, and a labelled marker per hub shown."""
    plot = Plot(left=MARGIN_LEFT, top=MARGIN_TOP, right=WIDTH - MARGIN_RIGHT, bottom=HEIGHT - MARGIN_BOTTOM)
    shown = funnel.shown_rows
    largest = max((row.figures.denominator for row in funnel.rows), default=1)
    x_values = nice_ticks(0, largest * 1.05)
    x = LinearScale(0, x_values[-1], plot.left, plot.right)
    y_values = nice_ticks(*_y_range(funnel, x_values[-1]))
    y = LinearScale(y_values[0], y_values[-1], plot.bottom, plot.top)
    x_places, y_places = tick_places(x_values), tick_places(y_values)

    drawn = funnel.result.curve(x_values[-1], CURVE_POINTS)
    strokes = (LIMIT_95_STROKE, LIMIT_95_STROKE, LIMIT_998_STROKE, LIMIT_998_STROKE)
    curves = [
        FunnelCurve(polyline((x(n), y(100 * limits[index])) for n, limits in drawn), stroke)
        for index, stroke in enumerate(strokes)
    ]

    target_y = y(funnel.target_percent)
    target_label = f"Average {funnel.target_text}"
    positions = [(x(row.figures.denominator), y(row.value), row.key) for row in shown]
    # The average's label sits above the line at the right: no hub's label may cover it.
    target_box = _label_box(
        (plot.right, target_y - 6, "end"), len(target_label) * LABEL_CHAR_WIDTH, LABEL_FONT
    )
    labels = _place_labels(positions, plot, [target_box])
    markers = [
        _marker(row, px, py, label) for row, (px, py, _), label in zip(shown, positions, labels, strict=True)
    ]
    return FunnelChart(
        width=WIDTH,
        height=HEIGHT,
        plot=plot,
        x_ticks=[Tick(x(value), format_number(value, x_places)) for value in x_values],
        y_ticks=[Tick(y(value), f"{format_number(value, y_places)}%") for value in y_values],
        curves=curves,
        target_y=target_y,
        target_label=target_label,
        markers=markers,
        legend=legend(),
        x_title=f"Denominator: {denominator_words}",
    )


def _marker(row: FunnelRow, x: float, y: float, label: tuple[float, float, str]) -> FunnelMarker:
    shape, filled, colour = MARKERS[row.flag]
    return FunnelMarker(
        x=x,
        y=y,
        path=marker_path(shape, x, y),
        colour=colour,
        fill=colour if filled else WHITE,
        title=(
            f"{row.figures.hub}: {row.value_text} ({row.numerator_text} of {row.denominator_text}), "
            f"z = {row.z_text}. {row.place}."
        ),
        label=row.key,
        label_x=coordinate(label[0]),
        label_y=coordinate(label[1]),
        label_anchor=label[2],
    )


def describe(funnel: HubFunnel, *, denominator_words: str) -> str:
    """The chart's text alternative: what it plots, then the reading."""
    return (
        f"Funnel plot of {funnel.metric.name}: each hub's percentage against its denominator "
        f"({denominator_words}), with the average of all hubs and its 95% and 99.8% limits. "
        + " ".join(funnel.reading)
    )
