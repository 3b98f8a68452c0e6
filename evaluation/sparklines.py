"""A twelve-month sparkline: a small line of an indicator's latest months, for the summary board.

``sparkline(last, figures)`` lays out the months up to ``last`` as geometry for a small
inline SVG (``evaluation/_sparkline.html``) and says the same months in words for a
screen reader. Months are evenly spaced, so a month without a figure, or with one this
viewer may not see ("<8"), is a gap in the line, never a point that hides it. One colour,
no meaning in it: the words beside the board's icons carry the reading.

Pure Python, no Django, like ``evaluation.charts``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from core.months import add_months

from .charts import coordinate, long_month, polyline

MONTHS = 12
WIDTH, HEIGHT = 120, 32
PADDING = 4  # keeps the dots inside the box
NO_FIGURE = "no figure"


@dataclass(frozen=True)
class SparkFigure:
    """One month's figure as this viewer may read it: ``value`` is None when it is not to be drawn."""

    text: str
    value: float | None


@dataclass(frozen=True)
class Sparkline:
    first: datetime.date
    last: datetime.date
    lines: list[str]  # SVG polyline points, one per run of months drawn
    dots: list[tuple[str, str]]  # a month drawn with no neighbour drawn, so no line shows it (but the latest)
    latest: tuple[str, str] | None  # the last month, marked larger, when it is drawn
    words: str  # every month and its figure, in order

    @property
    def title(self) -> str:
        return f"Figures from {long_month(self.first)} to {long_month(self.last)}"


def sparkline(
    last: datetime.date, figures: Mapping[datetime.date, SparkFigure], months: int = MONTHS
) -> Sparkline:
    """The ``months`` months up to ``last``: ``figures`` holds those that have a figure."""
    periods = [add_months(last, offset) for offset in range(1 - months, 1)]
    drawn = [figures[p].value if p in figures else None for p in periods]
    values = [value for value in drawn if value is not None]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)

    def y(value: float) -> float:
        if high == low:
            return HEIGHT / 2
        return PADDING + (high - value) / (high - low) * (HEIGHT - 2 * PADDING)

    step = (WIDTH - 2 * PADDING) / max(months - 1, 1)
    points = [None if value is None else (PADDING + i * step, y(value)) for i, value in enumerate(drawn)]
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    end = points[-1]
    if end is not None and len(runs[-1]) == 1:
        runs.pop()  # the latest month alone: its own mark shows it
    return Sparkline(
        first=periods[0],
        last=last,
        lines=[polyline(run) for run in runs if len(run) > 1],
        dots=[(coordinate(x), coordinate(y)) for [(x, y)] in (run for run in runs if len(run) == 1)],
        latest=None if end is None else (coordinate(end[0]), coordinate(end[1])),
        words="; ".join(
            f"{long_month(period)}: {figures[period].text if period in figures else NO_FIGURE}"
            for period in periods
        ),
    )
