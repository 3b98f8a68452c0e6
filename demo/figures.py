"""Make up the demo's monthly figures: pure functions of a seeded random stream, no database.

Each indicator in ``demo/data/adoptions.toml`` says how its figures behave (a ``Series``);
``generate_figures`` turns one adoption's series into 24 months of figures, always
drawing the same random numbers in the same order, so every run gives the same figures.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from core.months import add_months
from evaluation.models import Metric
from evaluation.vocabulary import ETHNIC_GROUP, IMD, NATIONAL_DIMENSIONS, PLUS

RANDOM_SEED = 2024
MONTHS = 24  # months of figures per indicator, ending with the last complete month

# The planted SPC special causes (``Series.signal``).
SHIFT_AT = 12  # index of the first month after the shift
SHIFT_SIZE = 11.0
TREND_POINTS = 9
OUTLIER_AT = MONTHS - 7
OUTLIER_SIZE = 25.0
DECLINE_POINTS = 8
SIGNALS = ("shift", "trend", "outlier", "decline", "spike")

# What is wrong with a figure an evaluator sent back (``with_fault``).
FAULTS = ("small_denominator", "double_count", "one_off_cost")

PEOPLE_COUNTS = ("people-enrolled", "people-offered")  # split over IMD quintiles
IMD1_SHARE = "share-enrolled-imd1"  # worked out from people-enrolled's quintile 1 rows


@dataclass(frozen=True)
class Series:
    """How to make up an indicator's 24 monthly figures (index 0 = the oldest month).

    ``level`` is the mean (a percentage for percentage metrics), ``slope`` its change per
    month, ``noise`` the standard deviation of the month-to-month noise, ``denominator`` a
    percentage's usual denominator. ``signal`` plants one SPC special cause: "shift" (a
    step up from month ``SHIFT_AT``), "trend" (the last nine months rise every month),
    "outlier" (one month far above the limits), "decline" (the last eight months fall
    every month) or "spike" (the last month far above the limits).
    """

    metric: str
    level: float = 0.0
    noise: float = 0.0
    slope: float = 0.0
    denominator: int = 0
    target: Decimal | None = None
    baseline_months: int | None = None
    signal: str = ""
    imd1_drift: float = 0.0  # change in the IMD quintile 1 share over the two years
    cumulative: bool = False  # a running total that never falls (sites taking part)


@dataclass
class Figure:
    """One generated figure before it becomes a Measurement."""

    index: int
    group: tuple[str, str] | None = None  # (dimension code, group code); None for all people
    value: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None


def demo_months(today: datetime.date) -> list[datetime.date]:
    """The 24 months of figures, oldest first, ending with the last complete month."""
    last = add_months(today, -1)
    return [add_months(last, index - MONTHS + 1) for index in range(MONTHS)]


def _count(value: float) -> int:
    return max(0, round(value))


def _percentage_points(series: Series, rng: random.Random) -> list[tuple[int, int]]:
    points = []
    share = series.level
    for index in range(MONTHS):
        drawn = series.level + series.slope * index + rng.gauss(0, series.noise)
        if series.signal == "shift" and index >= SHIFT_AT:
            drawn += SHIFT_SIZE
        # A decline falls every month from the share before it; the draw is made all the same,
        # so the denominators (and every later adoption's figures) stay put.
        declining = series.signal == "decline" and index >= MONTHS - DECLINE_POINTS
        share = min(max(share - series.noise if declining else drawn, 1.0), 99.0)
        denominator = max(1, round(series.denominator * rng.uniform(0.9, 1.1)))
        numerator = min(denominator, round(denominator * share / 100))
        points.append((numerator, denominator))
    return points


def _value_points(series: Series, rng: random.Random) -> list[float]:
    values = [series.level + series.slope * index + rng.gauss(0, series.noise) for index in range(MONTHS)]
    if series.cumulative:
        # Sites join in steps and rarely leave: hold the highest count reached so far.
        for index in range(1, MONTHS):
            values[index] = max(values[index], round(values[index - 1]))
    if series.signal == "trend":
        # The last months rise every single month: a run the SPC trend rule must flag.
        start = MONTHS - TREND_POINTS
        base = values[start - 1]
        for index in range(start, MONTHS):
            base += series.noise * 1.5 + rng.randint(2, 5)
            values[index] = base
    elif series.signal == "outlier":
        values[OUTLIER_AT] = series.level + OUTLIER_SIZE
    elif series.signal == "decline":
        # The last months fall every month, without drawing random numbers so later figures stay put.
        for index in range(MONTHS - DECLINE_POINTS, MONTHS):
            values[index] = values[index - 1] - series.noise
    elif series.signal == "spike":
        values[-1] = series.level + OUTLIER_SIZE
    return values


def _split_counts(total: int, weights: Sequence[float], rng: random.Random) -> list[int]:
    """Split a count over a breakdown's groups (IMD quintiles 1..5, say); a few people's group is not known."""
    jittered = [weight * rng.uniform(0.9, 1.1) for weight in weights]
    scale = sum(jittered)
    unknown = round(total * rng.uniform(0.0, 0.03))
    known = total - unknown
    counts = [int(known * weight / scale) for weight in jittered]
    largest = max(range(len(weights)), key=lambda group: jittered[group])
    counts[largest] += known - sum(counts)
    return counts


# The ethnic groups' codes in the order ``HubSpec.ethnic_group_shares`` gives their shares.
ETHNIC_GROUP_CODES = tuple(
    code for code, _ in next(d for d in NATIONAL_DIMENSIONS if d.code == ETHNIC_GROUP).groups
)
PLUS_FOCUS = (1.3, 1.9)  # the hubs reach their first PLUS group more than its share of the population


def breakdown_figures(
    totals: Sequence[Figure],
    ethnic_shares: Sequence[float],
    plus_group: str | None,
    plus_share: float,
    rng: random.Random,
) -> list[Figure]:
    """An adoption's people counted by ethnic group and in its hub's first PLUS group (its code), each month.

    Drawn from their own random stream, so the totals and IMD rows stay as they were.
    """
    figures = []
    for total in totals:
        count = int(total.value)
        if ethnic_shares:
            weights = [share * rng.uniform(0.7, 1.3) for share in ethnic_shares]
            for code, people in zip(ETHNIC_GROUP_CODES, _split_counts(count, weights, rng), strict=True):
                figures.append(Figure(total.index, group=(ETHNIC_GROUP, code), value=Decimal(people)))
        if plus_group is not None:
            people = min(count, round(count * plus_share * rng.uniform(*PLUS_FOCUS)))
            figures.append(Figure(total.index, group=(PLUS, plus_group), value=Decimal(people)))
    return figures


def generate_figures(
    indicators: tuple[Series, ...],
    metric_kinds: dict[str, str],
    quintile_shares: tuple[float, ...],
    rng: random.Random,
) -> dict[str, list[Figure]]:
    """All 24 months of figures for one adoption's indicators, by metric code.

    Always draws the same random numbers in the same order, whatever exists already, so
    the figures are the same on every run.
    """
    figures: dict[str, list[Figure]] = {}
    quintile_one: dict[int, tuple[int, int]] = {}  # month index → (people in Q1, people in all)
    for series in indicators:
        kind = metric_kinds[series.metric]
        rows: list[Figure] = []
        if series.metric == IMD1_SHARE:
            # Derived from the same adoption's people-enrolled quintile rows, so the two agree.
            if not quintile_one:
                raise ValueError(f"List people-enrolled before {IMD1_SHARE}.")
            for index in range(MONTHS):
                numerator, denominator = quintile_one[index]
                rows.append(Figure(index, numerator=numerator, denominator=max(denominator, 1)))
        elif kind == Metric.Kind.PERCENTAGE:
            for index, (numerator, denominator) in enumerate(_percentage_points(series, rng)):
                rows.append(Figure(index, numerator=numerator, denominator=denominator))
        elif kind == Metric.Kind.COUNT:
            for index, raw in enumerate(_value_points(series, rng)):
                total = _count(raw)
                rows.append(Figure(index, value=Decimal(total)))
                if series.metric in PEOPLE_COUNTS:
                    drift = series.imd1_drift * (index / (MONTHS - 1) - 0.5)
                    month_shares = [quintile_shares[0] + drift, *quintile_shares[1:]]
                    counts = _split_counts(total, month_shares, rng)
                    for quintile, count in enumerate(counts, start=1):
                        rows.append(Figure(index, group=(IMD, str(quintile)), value=Decimal(count)))
                    if series.metric == "people-enrolled":
                        quintile_one[index] = (counts[0], total)
        else:
            places = Decimal("0.1") if kind == Metric.Kind.RATE else Decimal("0.01")
            for index, raw in enumerate(_value_points(series, rng)):
                rows.append(Figure(index, value=Decimal(str(max(raw, 0.0))).quantize(places)))
        figures[series.metric] = rows
    return figures


def with_fault(figure: Figure, fault: str) -> Figure:
    """The figure as first submitted, with the fault (one of ``FAULTS``) an evaluator sent it back for."""
    if fault == "small_denominator":
        return replace(figure, denominator=max(figure.numerator, figure.denominator // 2))
    if fault == "double_count":
        return replace(figure, numerator=min(figure.denominator, figure.numerator + 2))
    if fault == "one_off_cost":
        return replace(figure, value=(figure.value * Decimal("1.8")).quantize(Decimal("0.01")))
    raise ValueError(f"Unknown fault {fault!r}: expected one of {', '.join(FAULTS)}.")
