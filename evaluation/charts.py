"""The XmR chart as geometry for a server-rendered SVG, and its text alternative.

`xmr_chart(...)` turns a series (months and an `XmrResult`) into everything the
template `evaluation/_xmr_chart.html` draws: scales, axis ticks, lines, one
marker per point and the markers of the baseline and of each rebase. Shapes and
colours follow NHS England's "Making Data Count" conventions; every colour
meets 3:1 contrast against white, and every point type also has its own shape
and a legend, so colour is never the only signal. `describe(...)` writes the
summary a screen-reader user hears in place of the picture. With ``run_chart=True``
(a series short of its programme's minimum for limits, ``evaluation.mdc.run_chart``) both
draw a run chart: the figures and each group's median, no limits and no special causes.

`equity_chart(...)` lays out the equity bar chart (`evaluation/_equity_chart.html`)
drawn by the equity dashboard and by each nightly roll-up report: each group's share of
the people reached, with its share of the local population marked.

Pure Python, no Django: the template only loops over what this module built.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from core.months import month_index, month_of_index
from core.numbers import counted

from . import mdc
from .spc import Assurance, Improvement, PointType, SpecialCause, XmrPoint, XmrResult

if TYPE_CHECKING:
    from .annotations import Annotation
    from .dashboards import GroupReach

WIDTH = 720
HEIGHT = 340
MARGIN_LEFT = 64  # room for the y-axis tick labels
MARGIN_RIGHT = 20
MARGIN_TOP = 28  # room for the rebase labels above the plot
MARGIN_BOTTOM = 40  # room for the month labels
X_PADDING = 14  # keeps the first and last markers off the axes
MARKER_SIZE = 5.5
Y_TICK_COUNT = 5
MAX_MONTH_LABELS = 12
WHITE = "#FFFFFF"

MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Stroke:
    """How a line is drawn: colour, width and SVG dash pattern ("" for solid)."""

    colour: str
    width: float
    dash: str = ""


# Dark greys (4.5:1 or more on white) so every line reads; dashes tell the lines apart.
VALUE_STROKE = Stroke("#425563", 2)
MEAN_STROKE = Stroke("#212B32", 1.5)
LIMIT_STROKE = Stroke("#4C6272", 1.5, "6 4")
TARGET_STROKE = Stroke("#D5281B", 2, "14 5")
BASELINE_STROKE = Stroke("#212B32", 1.5, "2 3")
REBASE_STROKE = Stroke("#212B32", 2)
GRID_STROKE = Stroke("#D8DDE0", 1)


@dataclass(frozen=True)
class PointStyle:
    """A point type's marker. Each type has its own shape, so colour is never the only cue.

    Its words are ``evaluation.mdc``'s, read with the metric's direction (``point_words``).
    """

    shape: str
    colour: str


# Making Data Count's grey, blue, orange and purple. The blue (#289DE0) is 3.0:1 on
# white, so it stays; its orange (#FAB428) is 1.8:1, so a darker orange (3.6:1) stands in.
COMMON_CAUSE_COLOUR = "#7B7D7D"
IMPROVEMENT_COLOUR = "#289DE0"
CONCERN_COLOUR = "#C87000"
NEUTRAL_COLOUR = "#361475"

POINT_STYLES = {
    PointType.COMMON_CAUSE: PointStyle("circle", COMMON_CAUSE_COLOUR),
    PointType.IMPROVEMENT: PointStyle("square", IMPROVEMENT_COLOUR),
    PointType.CONCERN: PointStyle("triangle", CONCERN_COLOUR),
    PointType.NEUTRAL_HIGH: PointStyle("diamond", NEUTRAL_COLOUR),
    PointType.NEUTRAL_LOW: PointStyle("diamond", NEUTRAL_COLOUR),
}

# What each special cause means, in words a reader of the table or the summary follows.
CAUSE_DESCRIPTIONS = {
    SpecialCause.ABOVE_UCL: "above the upper process limit",
    SpecialCause.BELOW_LCL: "below the lower process limit",
    SpecialCause.TREND_INCREASING: "part of 7 or more points rising in a row",
    SpecialCause.TREND_DECREASING: "part of 7 or more points falling in a row",
    SpecialCause.TWO_IN_THREE_ABOVE: "2 of 3 points close to the upper process limit",
    SpecialCause.TWO_IN_THREE_BELOW: "2 of 3 points close to the lower process limit",
    SpecialCause.RUN_ABOVE: "part of 7 or more points in a row above the mean",
    SpecialCause.RUN_BELOW: "part of 7 or more points in a row below the mean",
    SpecialCause.COMMON_CAUSE: "",
}

ASSURANCE_DESCRIPTIONS = {
    Assurance.CONSISTENT_PASS: "consistently passing — the process will meet the target",
    Assurance.CONSISTENT_FAIL: "consistently falling short — the process will not meet the target",
    Assurance.INCONSISTENT: "inconsistent — may or may not meet the target",
}


# Numbers and months


def format_number(value: float, places: int = 1) -> str:
    """A number as people read it: thousands separators, at most `places` decimals, no trailing zeros."""
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_value(value: float, unit: str = "") -> str:
    """A figure with its unit when the unit is a symbol that sits on the number (70%)."""
    text = format_number(value, 2)
    return f"{text}%" if unit == "%" else text


def with_unit(value: float, unit: str) -> str:
    """A figure and its unit as a sentence writes them: 70%, £120, 1,500 people."""
    text = format_number(value, 2)
    if unit == "%":
        return f"{text}%"
    if unit == "£":
        return f"£{text}"
    return f"{text} {unit}".rstrip()


def month_label(period: datetime.date) -> str:
    """ "Jan 25": short enough for an axis, and the same in every locale."""
    return f"{MONTH_ABBREVIATIONS[period.month - 1]} {period.year % 100:02d}"


def long_month(period: datetime.date) -> str:
    """ "Jan 2025", for sentences and tables."""
    return f"{MONTH_ABBREVIATIONS[period.month - 1]} {period.year}"


# Scales and ticks


@dataclass(frozen=True)
class LinearScale:
    """Maps a data interval onto a pixel interval (which may run backwards, as y does)."""

    domain_low: float
    domain_high: float
    range_start: float
    range_end: float

    def __call__(self, value: float) -> float:
        span = self.domain_high - self.domain_low
        if span == 0:
            return (self.range_start + self.range_end) / 2
        share = (value - self.domain_low) / span
        return self.range_start + share * (self.range_end - self.range_start)


def nice_step(span: float, count: int = Y_TICK_COUNT) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `count` intervals over `span`."""
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(multiple * magnitude for multiple in (1, 2, 2.5, 5, 10) if raw <= multiple * magnitude)


def padded_range(values: Iterable[float | None]) -> tuple[float, float]:
    """The lowest and highest of the numbers given (None skipped), widened when they are equal.

    A flat series or a single point still needs an axis with some height;
    no numbers at all give 0 to 1.
    """
    numbers = [value for value in values if value is not None]
    if not numbers:
        return 0.0, 1.0
    low, high = min(numbers), max(numbers)
    if low == high:
        spread = abs(low) * 0.1 or 1.0
        return low - spread, high + spread
    return low, high


def nice_ticks(low: float, high: float, count: int = Y_TICK_COUNT) -> list[float]:
    """Round tick values from at or below `low` to at or above `high`."""
    if high <= low:
        low, high = padded_range([low, high])
    step = nice_step(high - low, count)
    first = math.floor(low / step)
    last = math.ceil(high / step)
    # round() removes float noise (0.30000000000000004) from ticks like 0.1 × 3.
    places = max(0, -math.floor(math.log10(step))) + 2
    return [round(index * step, places) for index in range(first, last + 1)]


def tick_places(ticks: Sequence[float]) -> int:
    """Decimals the tick labels need so no two read the same: none for whole steps."""
    return next(
        (places for places in range(7) if all(math.isclose(round(tick, places), tick) for tick in ticks)), 6
    )


# Geometry


@dataclass(frozen=True)
class Plot:
    """The plotting area inside the SVG's margins, in SVG units."""

    left: int = MARGIN_LEFT
    top: int = MARGIN_TOP
    right: int = WIDTH - MARGIN_RIGHT
    bottom: int = HEIGHT - MARGIN_BOTTOM

    @property
    def y_label_x(self) -> int:
        """Where the y-axis labels end, just left of the plot."""
        return self.left - 8

    @property
    def x_label_y(self) -> int:
        """The baseline of the month labels, below the plot."""
        return self.bottom + 22

    @property
    def tick_end(self) -> int:
        return self.bottom + 5


@dataclass(frozen=True)
class Tick:
    position: float
    label: str

    @property
    def at(self) -> str:
        return coordinate(self.position)


@dataclass(frozen=True)
class Line:
    """A polyline ("x,y x,y …") and how to stroke it."""

    kind: str
    points: str
    stroke: Stroke


@dataclass(frozen=True)
class Marker:
    """One point of the chart: where, which shape (as an SVG path) and colour, and its tooltip."""

    x: float
    y: float
    path: str
    colour: str
    fill: str
    title: str


@dataclass(frozen=True)
class Divider:
    """A vertical marker across the plot: the end of a baseline, or a rebase."""

    kind: str
    x: float
    label: str
    label_y: float
    title: str
    stroke: Stroke

    @property
    def at(self) -> str:
        return coordinate(self.x)


@dataclass(frozen=True)
class TargetLine:
    y: float
    label: str
    line: Line

    @property
    def at(self) -> str:
        return coordinate(self.y)


@dataclass(frozen=True)
class LegendItem:
    """A legend entry: a swatch (a marker path, or a line) and its words."""

    label: str
    path: str = ""
    colour: str = ""
    fill: str = ""
    stroke: Stroke | None = None
    vertical: bool = False  # the baseline and rebase markers stand upright on the chart


@dataclass(frozen=True)
class Rebase:
    """A rebase as the chart needs it: its month and why it was made."""

    period: datetime.date
    reason: str


@dataclass(frozen=True)
class Frame:
    """A chart's canvas, plotting area and ticks: what every SVG chart's template draws first."""

    width: int
    height: int
    plot: Plot
    y_ticks: list[Tick]
    x_ticks: list[Tick]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def grid_path(self) -> str:
        return grid_path(self.plot, self.y_ticks)

    @property
    def axis_path(self) -> str:
        return axis_path(self.plot, self.x_ticks)


@dataclass(frozen=True)
class Chart(Frame):
    lines: list[Line]
    target: TargetLine | None
    markers: list[Marker]
    dividers: list[Divider]
    legend: list[LegendItem]


def grid_path(plot: Plot, y_ticks: Sequence[Tick]) -> str:
    """One path for every horizontal grid line: one element to render, not one per tick."""
    left, right = coordinate(plot.left), coordinate(plot.right)
    return "".join(f"M{left} {tick.at}H{right}" for tick in y_ticks)


def axis_path(plot: Plot, x_ticks: Sequence[Tick]) -> str:
    """The x-axis and a short tick under each labelled x value."""
    ticks = "".join(f"M{tick.at} {plot.bottom}V{plot.tick_end}" for tick in x_ticks)
    return f"M{plot.left} {plot.bottom}H{plot.right}{ticks}"


def coordinate(number: float) -> str:
    """An SVG coordinate with one decimal at most: enough for the eye, short in the markup."""
    return format(round(number, 1), "g")


def polyline(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{coordinate(x)},{coordinate(y)}" for x, y in points)


def month_scale(first: datetime.date, last: datetime.date, plot: Plot) -> LinearScale:
    """x of a month: calendar months evenly spaced, so a missing month leaves a gap.

    A single month sits in the middle of the plot.
    """
    return LinearScale(month_index(first), month_index(last), plot.left + X_PADDING, plot.right - X_PADDING)


def x_positions(periods: Sequence[datetime.date], plot: Plot) -> list[float]:
    if not periods:
        return []
    scale = month_scale(periods[0], periods[-1], plot)
    return [scale(month_index(period)) for period in periods]


def x_ticks(periods: Sequence[datetime.date], plot: Plot, max_labels: int = MAX_MONTH_LABELS) -> list[Tick]:
    """Month labels along the x-axis: every month, or every Nth when there are many."""
    if not periods:
        return []
    scale = month_scale(periods[0], periods[-1], plot)
    first, last = month_index(periods[0]), month_index(periods[-1])
    every = math.ceil((last - first + 1) / max_labels)
    return [
        Tick(scale(number), month_label(month_of_index(number))) for number in range(first, last + 1, every)
    ]


def y_scale_and_ticks(
    points: Sequence[XmrPoint], target: float | None, plot: Plot
) -> tuple[LinearScale, list[Tick]]:
    """A y scale covering every value, mean, limit and the target, with round ticks."""
    low, high = padded_range(
        [target]
        + [point.value for point in points]
        + [point.mean for point in points]
        + [point.lpl for point in points]
        + [point.upl for point in points]
    )
    ticks = nice_ticks(low, high)
    scale = LinearScale(ticks[0], ticks[-1], plot.bottom, plot.top)
    places = tick_places(ticks)
    return scale, [Tick(scale(tick), format_number(tick, places)) for tick in ticks]


def group_bounds(length: int, rebase_indexes: Iterable[int]) -> list[tuple[int, int]]:
    """(start, end) of each group of points: the series cut at every rebase."""
    starts = sorted({0, *(index for index in rebase_indexes if 0 < index < length)})
    if length == 0:
        return []
    return list(zip(starts, [*starts[1:], length], strict=True))


def step_lines(
    kind: str,
    xs: Sequence[float],
    levels: Sequence[float | None],
    groups: Sequence[tuple[int, int]],
    y: LinearScale,
    stroke: Stroke,
) -> list[Line]:
    """A line per group for the mean or a limit: it steps at each rebase, never joins across one.

    A group without the level (limits of a single point) draws nothing; a group
    of one point draws a short tick so its mean still shows.
    """
    lines = []
    for start, end in groups:
        if any(levels[index] is None for index in range(start, end)):
            continue
        vertices = [(xs[index], y(levels[index])) for index in range(start, end)]
        if len(vertices) == 1:
            (x, level_y) = vertices[0]
            vertices = [(x - MARKER_SIZE * 2, level_y), (x + MARKER_SIZE * 2, level_y)]
        lines.append(Line(kind, polyline(vertices), stroke))
    return lines


def marker_path(shape: str, x: float, y: float, size: float = MARKER_SIZE) -> str:
    """An SVG path for a marker centred on (x, y): circle, square, triangle or diamond."""
    c = coordinate
    if shape == "square":
        side = size * 1.7
        return f"M{c(x - side / 2)} {c(y - side / 2)}h{c(side)}v{c(side)}h{c(-side)}Z"
    if shape == "triangle":
        half = size * 1.15
        return f"M{c(x)} {c(y - size * 1.2)}L{c(x + half)} {c(y + size * 0.85)}H{c(x - half)}Z"
    if shape == "diamond":
        reach = size * 1.3
        return f"M{c(x)} {c(y - reach)}L{c(x + reach)} {c(y)}L{c(x)} {c(y + reach)}L{c(x - reach)} {c(y)}Z"
    return f"M{c(x - size)} {c(y)}a{c(size)} {c(size)} 0 1 0 {c(size * 2)} 0a{c(size)} {c(size)} 0 1 0 {c(-size * 2)} 0Z"


def point_words(point_type: str, improvement: str) -> str:
    """A point type's words with the metric's direction: "Special cause improvement: lower values"."""
    return mdc.variation_label(mdc.variation_reading(point_type, improvement))


def point_label(point: XmrPoint, improvement: str) -> str:
    """A point's reading in words, with why: "Special cause improvement: higher values (above the
    upper process limit)"."""
    label = point_words(point.point_type, improvement)
    cause = CAUSE_DESCRIPTIONS.get(point.special_cause, "")
    return f"{label} ({cause})" if cause else label


def point_marker(
    period: datetime.date,
    point: XmrPoint,
    x: float,
    y: float,
    *,
    approved: bool,
    unit: str,
    improvement: str,
    run_chart: bool = False,
) -> Marker:
    """The marker of one point: shape and colour by point type, hollow when not yet approved.

    A run chart's points have no reading: each is a plain circle.
    """
    style = POINT_STYLES[point.point_type]
    status = "" if approved else " (submitted, not yet approved)"
    title = f"{long_month(period)}: {format_value(point.value, unit)}{status}."
    return Marker(
        x=x,
        y=y,
        path=marker_path(style.shape, x, y),
        colour=style.colour,
        fill=style.colour if approved else WHITE,
        title=title if run_chart else f"{title} {point_label(point, improvement)}",
    )


def rebase_starts(periods: Sequence[datetime.date], rebases: Iterable[Rebase]) -> list[tuple[int, Rebase]]:
    """Where each rebase starts a new group (the first figure on or after its month), in order.

    A rebase before the first figure or after the last one changes no group,
    so it has no place on the chart (it still shows in the page's list).
    """
    starts = {}
    for rebase in sorted(rebases, key=lambda rebase: rebase.period):
        index = next((i for i, period in enumerate(periods) if period >= rebase.period), None)
        if index:
            starts.setdefault(index, rebase)
    return sorted(starts.items(), key=lambda item: item[0])


def between(xs: Sequence[float], index: int) -> float:
    """The x halfway between a point and the one before it: where a divider goes."""
    return (xs[index - 1] + xs[index]) / 2


def dividers(
    xs: Sequence[float],
    groups: Sequence[tuple[int, int]],
    starts: Sequence[tuple[int, Rebase]],
    baseline_length: int | None,
    plot: Plot,
) -> list[Divider]:
    """A dotted line at the end of each group's baseline, a solid one at each rebase."""
    result = []
    if baseline_length:
        for start, end in groups:
            if end - start > baseline_length:
                result.append(
                    Divider(
                        kind="baseline",
                        x=between(xs, start + baseline_length),
                        label="Baseline",
                        label_y=plot.bottom - 6,
                        title=f"End of the {baseline_length}-month baseline that sets the mean and limits",
                        stroke=BASELINE_STROKE,
                    )
                )
    for number, (index, rebase) in enumerate(starts, start=1):
        result.append(
            Divider(
                kind="rebase",
                x=between(xs, index),
                label=f"Rebase {number}",
                label_y=plot.top - 8,
                title=f"Rebase {number}, from {long_month(rebase.period)}: {rebase.reason}",
                stroke=REBASE_STROKE,
            )
        )
    return result


def target_line(target: float | None, y: LinearScale, plot: Plot, unit: str) -> TargetLine | None:
    if target is None:
        return None
    level = y(target)
    line = Line("target", polyline([(plot.left, level), (plot.right, level)]), TARGET_STROKE)
    return TargetLine(y=level, label=f"Target {format_value(target, unit)}", line=line)


def legend(
    improvement: str, *, has_target: bool, has_submitted: bool, kinds: set[str], run_chart: bool = False
) -> list[LegendItem]:
    """What the shapes and lines mean. Point types are listed whether or not they occur, so the key stays put.

    A run chart has no point types and no limits: its key is the figures, the median and the target.
    """
    items = [LegendItem("Monthly figure", stroke=VALUE_STROKE)]
    point_types = [PointType.COMMON_CAUSE]
    if improvement == Improvement.NEUTRAL:
        point_types.append(PointType.NEUTRAL_HIGH)
    else:
        point_types += [PointType.IMPROVEMENT, PointType.CONCERN]
    for point_type in [] if run_chart else point_types:
        style = POINT_STYLES[point_type]
        # One diamond stands for neutral variation either way, and says so.
        neutral = point_type == PointType.NEUTRAL_HIGH
        label = mdc.EITHER_DIRECTION[mdc.NEUTRALS] if neutral else point_words(point_type, improvement)
        items.append(
            LegendItem(label, path=marker_path(style.shape, 12, 8), colour=style.colour, fill=style.colour)
        )
    if has_submitted:
        style = POINT_STYLES[PointType.COMMON_CAUSE]
        items.append(
            LegendItem(
                "Hollow: submitted, not yet approved",
                path=marker_path(style.shape, 12, 8),
                colour=style.colour,
                fill=WHITE,
            )
        )
    if run_chart:
        items.append(LegendItem("Median", stroke=MEAN_STROKE))
    else:
        items.append(LegendItem("Mean", stroke=MEAN_STROKE))
        items.append(LegendItem("Process limits", stroke=LIMIT_STROKE))
    if has_target:
        items.append(LegendItem("Target", stroke=TARGET_STROKE))
    if "baseline" in kinds:
        items.append(LegendItem("End of baseline", stroke=BASELINE_STROKE, vertical=True))
    if "rebase" in kinds:
        what = "new median" if run_chart else "new mean and limits"
        items.append(LegendItem(f"Rebase: {what}", stroke=REBASE_STROKE, vertical=True))
    return items


def xmr_chart(
    periods: Sequence[datetime.date],
    result: XmrResult,
    *,
    improvement: str,
    target: float | None = None,
    rebases: Iterable[Rebase] = (),
    baseline_length: int | None = None,
    approved: Sequence[bool] | None = None,
    unit: str = "",
    run_chart: bool = False,
) -> Chart:
    """The chart's geometry from the months, their XmR reading and the indicator's options.

    `approved` says, point by point, whether a figure is approved (default:
    all are); the others are drawn hollow. `run_chart` draws `result` (from
    ``mdc.run_chart``: each point's ``mean`` is its group's median) as a run chart.
    """
    points = result.points
    if len(periods) != len(points):
        raise ValueError(f"{len(periods)} months for {len(points)} points")
    approved = list(approved) if approved is not None else [True] * len(points)
    target = float(target) if target is not None else None
    plot = Plot()
    xs = x_positions(periods, plot)
    y, y_ticks = y_scale_and_ticks(points, target, plot)
    starts = rebase_starts(periods, rebases)
    groups = group_bounds(len(points), [index for index, _ in starts])

    lines = [
        *step_lines("lpl", xs, [p.lpl for p in points], groups, y, LIMIT_STROKE),
        *step_lines("upl", xs, [p.upl for p in points], groups, y, LIMIT_STROKE),
        *step_lines("median" if run_chart else "mean", xs, [p.mean for p in points], groups, y, MEAN_STROKE),
    ]
    if points:
        lines.append(
            Line("value", polyline((x, y(p.value)) for x, p in zip(xs, points, strict=True)), VALUE_STROKE)
        )
    markers = [
        point_marker(
            period,
            point,
            x,
            y(point.value),
            approved=is_approved,
            unit=unit,
            improvement=improvement,
            run_chart=run_chart,
        )
        for period, point, x, is_approved in zip(periods, points, xs, approved, strict=True)
    ]
    # A run chart's median comes from every figure of its group: no baseline to mark.
    chart_dividers = dividers(xs, groups, starts, None if run_chart else baseline_length, plot)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot=plot,
        y_ticks=y_ticks,
        x_ticks=x_ticks(periods, plot),
        lines=lines,
        target=target_line(target, y, plot, unit),
        markers=markers,
        dividers=chart_dividers,
        legend=legend(
            improvement,
            has_target=target is not None,
            has_submitted=not all(approved),
            kinds={divider.kind for divider in chart_dividers},
            run_chart=run_chart,
        ),
    )


# The text alternative


def describe(
    periods: Sequence[datetime.date],
    result: XmrResult,
    *,
    improvement: str,
    target: float | None = None,
    rebases: Iterable[Rebase] = (),
    approved: Sequence[bool] | None = None,
    unit: str = "",
    run_chart: bool = False,
) -> str:
    """What the chart shows, in sentences: the span, the current process, the latest point, the target.

    Written for someone who cannot see the picture, so it says what a sighted
    reader takes from it at a glance, and no more. A run chart is read by its median.
    """
    points = result.points
    if not points:
        return "No figures to chart yet."
    sentences = [span_sentence(periods)]
    starts = rebase_starts(periods, rebases)
    if starts:
        index, rebase = starts[-1]
        current = "median starts" if run_chart else "limits start"
        sentences.append(
            f"Rebased {times(len(starts))}; the current {current} in {long_month(periods[index])}"
            f" ({rebase.reason})."
        )
    approved = list(approved) if approved is not None else [True] * len(points)
    if run_chart:
        sentences.append(
            f"A run chart: median {format_value(round(points[-1].mean, 1), unit)}; no process limits."
        )
    else:
        sentences.append(process_sentence(points[-1], unit))
    sentences.append(
        latest_sentence(
            periods[-1], points[-1], unit, improvement, approved=approved[-1], run_chart=run_chart
        )
    )
    special = sum(point.point_type != PointType.COMMON_CAUSE for point in points)
    if special:
        sentences.append(f"{special} of {len(points)} points show special cause variation.")
    if target is not None and run_chart:
        sentences.append(f"Target {format_value(float(target), unit)}: not assessed without process limits.")
    elif target is not None:
        sentences.append(target_sentence(float(target), result.assurance, unit, improvement))
    unapproved = approved.count(False)
    if unapproved:
        sentences.append(
            f"{unapproved} figure{' is' if unapproved == 1 else 's are'} submitted and not yet approved."
        )
    return " ".join(sentences)


def span_sentence(periods: Sequence[datetime.date]) -> str:
    count = len(periods)
    if count == 1:
        return f"1 monthly figure, for {long_month(periods[0])}."
    return f"{count} monthly figures from {long_month(periods[0])} to {long_month(periods[-1])}."


def process_sentence(point: XmrPoint, unit: str) -> str:
    mean = f"Mean {format_value(round(point.mean, 1), unit)}"
    if point.lpl is None or point.upl is None:
        return f"{mean}; too few figures for process limits."
    lower, upper = format_value(round(point.lpl, 1), unit), format_value(round(point.upl, 1), unit)
    return f"{mean}, process limits {lower} to {upper}."


def latest_sentence(
    period: datetime.date,
    point: XmrPoint,
    unit: str,
    improvement: str,
    *,
    approved: bool = True,
    run_chart: bool = False,
) -> str:
    """The latest figure, and its reading unless it is on a run chart (which has none)."""
    when = long_month(period) if approved else f"{long_month(period)}, not yet approved"
    latest = f"Latest value {format_value(point.value, unit)} ({when})"
    if run_chart:
        return f"{latest}."
    reading = point_label(point, improvement)
    return f"{latest}: {reading[0].lower()}{reading[1:]}."


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def target_sentence(target: float, assurance: str | None, unit: str, improvement: str) -> str:
    text = f"Target {format_value(target, unit)}"
    if improvement == Improvement.NEUTRAL:
        return f"{text}: not assessed, as neither direction is better for this metric."
    if assurance is None:
        return f"{text}: not assessed, as there are too few figures for process limits."
    return f"{text}: {ASSURANCE_DESCRIPTIONS[assurance]}."


# -- The equity chart: a horizontal bar per group (of an adoption, or of many), each with its population's mark.

EQUITY_WIDTH = 720
EQUITY_LEFT = 20  # room for the "0%" tick label
EQUITY_RIGHT = 250  # room for the value label after the longest bar
EQUITY_TOP = 32  # room for the key above the bars
EQUITY_ROW_HEIGHT = 56
EQUITY_BAR_HEIGHT = 22
EQUITY_AXIS_HEIGHT = 32


@dataclass(frozen=True)
class EquityBar:
    label: str
    value_label: str
    label_y: int
    bar_y: int
    width: str
    value_x: str
    value_y: int
    shown: bool
    population_x: str | None  # where the group's share of the local population is marked, if entered


@dataclass(frozen=True)
class EquityTick:
    x: str
    label: str


def _equity_x(share: float, axis_max: int) -> float:
    return EQUITY_LEFT + (EQUITY_WIDTH - EQUITY_LEFT - EQUITY_RIGHT) * share / axis_max


def equity_value_label(reach: GroupReach) -> str:
    """What is written at the end of a group's bar, and read out for it."""
    if reach.suppressed:
        return f"Share not shown: {reach.suppressed_because}"
    if reach.population is None:
        return f"{reach.share_shown}; no population share entered"
    return f"{reach.share_shown}; population {reach.population_shown}"


def equity_chart(bars: Sequence[tuple[str, GroupReach]]) -> dict:
    """Coordinates for each labelled group's bar, its population mark and the axis, as strings to write out.

    The bar is the share of the people reached who are in the group; a vertical mark across
    it, the group's share of the local population. Both are also written out in words.
    """
    highest = [reach.share for _, reach in bars if not reach.suppressed]
    highest += [float(reach.population) for _, reach in bars if reach.population is not None]
    axis_max = min(100, max(30, 10 * math.ceil(max(highest, default=0) / 10)))
    drawn = []
    for index, (label, reach) in enumerate(bars):
        top = EQUITY_TOP + index * EQUITY_ROW_HEIGHT
        bar_y = top + 20
        width = 0.0 if reach.suppressed else _equity_x(reach.share, axis_max) - EQUITY_LEFT
        population_x = (
            None if reach.population is None else f"{_equity_x(float(reach.population), axis_max):.1f}"
        )
        end = max(width, 0.0 if population_x is None else float(population_x) - EQUITY_LEFT)
        drawn.append(
            EquityBar(
                label=label,
                value_label=equity_value_label(reach),
                label_y=top + 12,
                bar_y=bar_y,
                width=f"{width:.1f}",
                value_x=f"{EQUITY_LEFT + end + 8:.1f}",
                value_y=bar_y + 16,
                shown=not reach.suppressed,
                population_x=population_x,
            )
        )
    plot_bottom = EQUITY_TOP + len(bars) * EQUITY_ROW_HEIGHT
    return {
        "width": EQUITY_WIDTH,
        "height": plot_bottom + EQUITY_AXIS_HEIGHT,
        "left": EQUITY_LEFT,
        "top": EQUITY_TOP,
        "plot_bottom": plot_bottom,
        "bar_height": EQUITY_BAR_HEIGHT,
        "bars": drawn,
        "ticks": [
            EquityTick(x=f"{_equity_x(share, axis_max):.1f}", label=f"{share}%")
            for share in range(0, axis_max + 1, 10)
        ],
        "tick_label_y": plot_bottom + 20,
    }


# -- Annotations: events marked under the months of a chart (``evaluation.annotations``), laid out here.

ANNOTATION_ROW = 20  # a marker is about 16 units tall; rows are 20 apart
ANNOTATION_TOP = 8  # room between the month labels and the first row
ANNOTATION_STACK = 3  # markers shown in one month; with more, the last one says "+N"
ANNOTATION_SIZES = {"circle": 8, "square": 8.5, "diamond": 7.2}  # about 16 units across, whatever the shape
MORE_COLOUR = "#4C6272"
MORE_LABEL = "More events in that month: the number not shown, all listed under the chart"


@dataclass(frozen=True)
class AnnotationMarker:
    """A lettered marker under a month ("+2" for the ones that do not fit), with its tooltip."""

    x: float
    y: float
    path: str
    colour: str
    letter: str
    title: str

    @property
    def at(self) -> tuple[str, str]:
        return coordinate(self.x), coordinate(self.y)


@dataclass(frozen=True)
class AnnotationKey:
    """A key entry for one kind of marker, drawn in a 24 × 20 box."""

    label: str
    path: str
    colour: str
    letter: str


@dataclass(frozen=True)
class ListedEvent:
    """An event in the list under the chart, with the key's swatch of its kind."""

    annotation: Annotation
    swatch: AnnotationKey


@dataclass(frozen=True)
class AnnotationBand:
    """The markers' rows under the month labels, their key, and the events as the page lists them."""

    label_y: float
    markers: list[AnnotationMarker]
    key: list[AnnotationKey]
    listed: list[ListedEvent]


def badge_path(shape: str, x: float, y: float) -> str:
    return marker_path(shape, x, y, ANNOTATION_SIZES.get(shape, ANNOTATION_SIZES["circle"]))


def annotation_title(annotation: Annotation) -> str:
    return f"{long_month(annotation.period)}. {annotation.kind.name}: {annotation.label}"


def annotation_band(
    chart: Chart, periods: Sequence[datetime.date], annotations: Sequence[Annotation]
) -> tuple[Chart, AnnotationBand | None]:
    """The chart made taller by a band of markers under its months, and the band (None if nothing to mark).

    Works for any chart laid out on ``month_scale`` over ``periods``. Each event is a
    marker in its month's column, stacked downwards; a month with more than
    ``ANNOTATION_STACK`` shows the first ones and a "+N" marker whose tooltip names
    the rest. Events outside the charted months are left off.
    """
    by_month: dict[datetime.date, list[Annotation]] = {}
    for annotation in annotations:
        if periods and periods[0] <= annotation.period <= periods[-1]:
            by_month.setdefault(annotation.period, []).append(annotation)
    if not by_month:
        return chart, None
    scale = month_scale(periods[0], periods[-1], chart.plot)
    first_row = chart.height + ANNOTATION_TOP + ANNOTATION_ROW / 2
    markers = []
    for month, events in by_month.items():
        x = scale(month_index(month))
        shown = events if len(events) <= ANNOTATION_STACK else events[: ANNOTATION_STACK - 1]
        for row, event in enumerate(shown):
            y = first_row + row * ANNOTATION_ROW
            kind = event.kind
            path = badge_path(kind.shape, x, y)
            markers.append(AnnotationMarker(x, y, path, kind.colour, kind.letter, annotation_title(event)))
        if rest := events[len(shown) :]:
            y = first_row + len(shown) * ANNOTATION_ROW
            names = "; ".join(f"{event.kind.name}: {event.label}" for event in rest)
            title = f"{long_month(month)}, {len(rest)} more. {names}"
            markers.append(
                AnnotationMarker(x, y, badge_path("square", x, y), MORE_COLOUR, f"+{len(rest)}", title)
            )

    listed = [event for events in by_month.values() for event in events]
    kinds = sorted({event.kind for event in listed}, key=lambda kind: kind.name)
    swatches = {
        kind: AnnotationKey(kind.name, badge_path(kind.shape, 12, 10), kind.colour, kind.letter)
        for kind in kinds
    }
    key = list(swatches.values())
    if any(len(events) > ANNOTATION_STACK for events in by_month.values()):
        key.append(AnnotationKey(MORE_LABEL, badge_path("square", 12, 10), MORE_COLOUR, "+"))
    rows = max(min(len(events), ANNOTATION_STACK) for events in by_month.values())
    taller = replace(chart, height=round(chart.height + ANNOTATION_TOP + rows * ANNOTATION_ROW + 4))
    band = AnnotationBand(
        label_y=first_row,
        markers=markers,
        key=key,
        listed=[ListedEvent(event, swatches[event.kind]) for event in listed],
    )
    return taller, band


def annotations_sentence(annotations: Sequence[Annotation]) -> str:
    """The events in a sentence for the chart's description: "Marked under the months: 2 stage moves and 1 barrier"."""
    counts: dict[str, int] = {}
    for annotation in annotations:
        counts[annotation.kind.name] = counts.get(annotation.kind.name, 0) + 1
    if not counts:
        return ""
    parts = [counted(number, name.lower()) for name, number in counts.items()]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"Marked under the months: {listed}, each listed after the chart."
