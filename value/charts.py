"""A hub's burn-up chart: approved spend piling up quarter by quarter against its award, and the forecast.

Geometry for the server-rendered SVG ``value/_burn_up_chart.html``, built on ``evaluation.charts``'
scales and ticks. Each line has its own dash pattern and a legend, and the award line is labelled,
so colour is never the only signal; ``burn_up_summary`` says in words what the chart shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.quarters import quarter_label, quarter_start
from evaluation.charts import LinearScale, Plot, Tick, coordinate, nice_ticks, polyline

from .spend import HubSpend, quarter_after, quarters_between

WIDTH = 720
HEIGHT = 340


@dataclass(frozen=True)
class Series:
    label: str
    points: str
    colour: str
    dash: str
    width: float


def money(amount) -> str:
    """Pounds as people read them in a chart or a sentence: "£12,345"."""
    return f"£{amount:,.0f}"


def burn_up_chart(summary: HubSpend) -> dict:
    """Everything the template draws: axes, the award line, spend to date, even spend and the forecast."""
    hub = summary.hub
    plot = Plot()
    first = quarter_start(hub.start_date)
    count = quarters_between(first, quarter_start(hub.end_date))  # quarters in the award
    # x: the end of each quarter, from the award's start (0) to its end (count).
    x = LinearScale(0, count, plot.left, plot.right)
    top = float(max(summary.award, summary.forecast, summary.spent, 1))
    y_ticks_values = nice_ticks(0, top)
    y = LinearScale(y_ticks_values[0], y_ticks_values[-1], plot.bottom, plot.top)

    def at(index: int, amount) -> tuple[float, float]:
        return x(index), y(float(amount))

    approved = [q for q in summary.quarters if q.status == "approved"]
    spent_points = [at(0, 0)] + [at(quarters_between(first, q.start), q.cumulative) for q in approved]
    series = [
        Series(
            "Even spend over the award period",
            polyline([at(0, 0), at(count, summary.award)]),
            "#4C6272",
            "2 4",
            1.5,
        ),
        Series("Approved spend to date", polyline(spent_points), "#005EB8", "", 3),
    ]
    if summary.quarters_left:
        last = spent_points[-1]
        series.append(Series("Forecast", polyline([last, at(count, summary.forecast)]), "#212B32", "8 5", 2))
    step = max(1, count // 8)
    x_ticks = [
        Tick(x(index + 1), quarter_label(_nth(first, index)).split("–")[1]) for index in range(0, count, step)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "plot": plot,
        "series": series,
        "markers": [(coordinate(px), coordinate(py)) for px, py in spent_points[1:]],
        "award_y": coordinate(y(float(summary.award))),
        "award_label": f"Award {money(summary.award)}",
        "y_ticks": [Tick(y(value), money(value)) for value in y_ticks_values],
        "x_ticks": x_ticks,
    }


def _nth(first, index: int):
    start = first
    for _ in range(index):
        start = quarter_after(start)
    return start


def burn_up_summary(summary: HubSpend) -> str:
    """What the chart shows, in words: spent, share of award and of time, the forecast."""
    share = summary.share_spent
    text = (
        f"{summary.hub.name} has spent {money(summary.spent)} of its {money(summary.award)} award "
        f"({share:.0f}%) with {summary.share_of_time:.0f}% of the award period gone. "
        if share is not None
        else f"{summary.hub.name} has spent {money(summary.spent)}. "
    )
    if summary.quarters_left:
        text += f"At its recent rate it would spend {money(summary.forecast)} by the end of the award."
    return text
