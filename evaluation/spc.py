"""XmR charts for evaluation time series, as NHS England's "Making Data Count" prescribes.

The rules follow the NHS-R Community's NHSRplotthedots package (v0.2.x), so a
chart here tells the same story as one an analyst draws in R:

- The mean and the process limits (mean ± 2.66 × mean moving range) come from
  each group of points; a group starts at the beginning of the series and at
  every rebase. With a baseline, only the first N points of each group set them.
- Moving ranges of at least 3.267 × their mean are screened out and the mean
  moving range recomputed, so one wild month does not widen the limits.
- Special-cause rules, in order of precedence: a point outside the limits; a
  7-point trend; 2 of 3 points close to a limit; 7 points on one side of the
  mean. Like NHSRplotthedots, every rule looks within one group only: a
  rebase says the process changed, so points either side of it belong to
  different processes.

This module is pure Python (no Django, no numpy) so reports, templates and
management commands can all share it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import SupportsFloat

__all__ = [
    "LIMIT_FACTOR",
    "NEAR_LIMIT_FACTOR",
    "SCREEN_FACTOR",
    "TREND_LENGTH",
    "RUN_LENGTH",
    "Improvement",
    "SpecialCause",
    "PointType",
    "Assurance",
    "XmrPoint",
    "XmrResult",
    "xmr",
]

# 2.66 = 3 / d2 (1.128): three sigma estimated from the mean moving range.
LIMIT_FACTOR = 2.66
# "Close to a limit" is two thirds of the way from the mean to it. Written as
# NHSRplotthedots writes it, so points on the boundary land on the same side.
NEAR_LIMIT_FACTOR = 2 * (LIMIT_FACTOR / 3)
# 3.267 = D4: a moving range of D4 × their mean is beyond the moving-range chart's limit.
SCREEN_FACTOR = 3.267
TREND_LENGTH = 7
RUN_LENGTH = 7


class Improvement:
    """Which way is better for a metric."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"
    ALL = (INCREASE, DECREASE, NEUTRAL)


class SpecialCause:
    """Why a point was flagged; the labels NHSRplotthedots uses."""

    ABOVE_UCL = "Above UCL"
    BELOW_LCL = "Below LCL"
    TREND_INCREASING = "7 Point Trend (Increasing)"
    TREND_DECREASING = "7 Point Trend (Decreasing)"
    TWO_IN_THREE_ABOVE = "2 in 3 Above CL"
    TWO_IN_THREE_BELOW = "2 in 3 Below CL"
    RUN_ABOVE = "7 Points Above CL"
    RUN_BELOW = "7 Points Below CL"
    COMMON_CAUSE = "Common Cause"
    ALL = (
        ABOVE_UCL,
        BELOW_LCL,
        TREND_INCREASING,
        TREND_DECREASING,
        TWO_IN_THREE_ABOVE,
        TWO_IN_THREE_BELOW,
        RUN_ABOVE,
        RUN_BELOW,
        COMMON_CAUSE,
    )


class PointType:
    """What a point means for the metric: the variation icon of its chart."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"
    ALL = (COMMON_CAUSE, IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW)


class Assurance:
    """Whether the process, as it runs now, will meet its target: the assurance icon."""

    CONSISTENT_PASS = "consistent_pass"
    CONSISTENT_FAIL = "consistent_fail"
    INCONSISTENT = "inconsistent"
    ALL = (CONSISTENT_PASS, CONSISTENT_FAIL, INCONSISTENT)


# +1 when a special cause says the process moved up, -1 down, 0 not at all.
_MOVEMENT_OF = {
    SpecialCause.ABOVE_UCL: 1,
    SpecialCause.TREND_INCREASING: 1,
    SpecialCause.TWO_IN_THREE_ABOVE: 1,
    SpecialCause.RUN_ABOVE: 1,
    SpecialCause.BELOW_LCL: -1,
    SpecialCause.TREND_DECREASING: -1,
    SpecialCause.TWO_IN_THREE_BELOW: -1,
    SpecialCause.RUN_BELOW: -1,
    SpecialCause.COMMON_CAUSE: 0,
}
_BETTER_MOVEMENT = {Improvement.INCREASE: 1, Improvement.DECREASE: -1}


@dataclass(frozen=True)
class XmrPoint:
    """One point of the chart with the mean and limits of its group.

    `lpl` and `upl` are None when the group has no moving range to set them
    (a single point, or a baseline of one).
    """

    value: float
    mean: float
    lpl: float | None
    upl: float | None
    special_cause: str
    point_type: str


@dataclass(frozen=True)
class XmrResult:
    """The chart: its points in time order and the two Making Data Count icons."""

    points: tuple[XmrPoint, ...]
    variation: str | None
    assurance: str | None


@dataclass(frozen=True)
class _Limits:
    """Mean and mean moving range of a group, and the lines drawn from them."""

    mean: float
    mean_moving_range: float | None

    def _line(self, factor: float) -> float | None:
        if self.mean_moving_range is None:
            return None
        return self.mean + factor * self.mean_moving_range

    @property
    def lpl(self) -> float | None:
        return self._line(-LIMIT_FACTOR)

    @property
    def upl(self) -> float | None:
        return self._line(LIMIT_FACTOR)

    def _is_beyond(self, value: float, factor: float) -> bool:
        """Strictly beyond mean ± factor × mean moving range; never, without limits."""
        if self.mean_moving_range is None:
            return False
        spread = factor * self.mean_moving_range
        return value > self.mean + spread or value < self.mean - spread

    def is_outside(self, value: float) -> bool:
        """Beyond a process limit. A point on the limit is still common cause."""
        return self._is_beyond(value, LIMIT_FACTOR)

    def is_near_limit(self, value: float) -> bool:
        """More than two thirds of the way to a limit, but not beyond it."""
        return self._is_beyond(value, NEAR_LIMIT_FACTOR) and not self.is_outside(value)

    def side_of_mean(self, value: float) -> int:
        """+1 above the mean, -1 below, 0 on it (a point on the mean belongs to no run)."""
        return _sign(value - self.mean)


def xmr(
    values: Iterable[SupportsFloat],
    *,
    improvement: str = Improvement.INCREASE,
    target: SupportsFloat | None = None,
    baseline: int | None = None,
    rebase_at: Iterable[int] = (),
    screen_outliers: bool = True,
) -> XmrResult:
    """Compute an XmR chart: mean, process limits and special causes for each point.

    `values` are in time order (int, float or Decimal). `improvement` says which
    way is better: "increase", "decrease" or "neutral". `baseline` fixes the
    mean and limits of each group on its first N points; `rebase_at` lists the
    0-based indexes where a new group, with its own mean and limits, starts.
    `screen_outliers=False` keeps every moving range, as NHS England's Excel
    tool does.

    Short and flat series give a result, never an exception:

    - An empty series gives no points, and `variation` and `assurance` None.
    - A group with fewer than two points (or a baseline of one) has no moving
      range: its mean is the value, its `lpl` and `upl` are None, and only the
      rules that need no limits (trend, run) are applied.
    - A zero mean moving range (a constant series) gives `lpl == upl == mean`:
      nothing is screened, so later points off a flat baseline show as outside.
      NHSRplotthedots screens every zero range here and returns no limits (NaN).

    `assurance` compares `target` with the last group's limits; it is None
    without a target, for a neutral metric, or when that group has no limits.

    Raises ValueError for an unknown `improvement`, a value that is not a
    finite number, a `baseline` below one, or a `rebase_at` index outside the
    series: each is a caller's mistake that would otherwise draw a wrong chart.
    """
    better_movement = _better_movement(improvement)
    series = [_as_float(value) for value in values]
    _check_baseline(baseline)

    points: list[XmrPoint] = []
    for start, end in _group_bounds(len(series), rebase_at):
        group = series[start:end]
        limits = _limits_for(group[:baseline], screen_outliers=screen_outliers)
        lpl, upl = limits.lpl, limits.upl
        for value, cause in zip(group, _special_causes(group, limits), strict=True):
            points.append(
                XmrPoint(
                    value=value,
                    mean=limits.mean,
                    lpl=lpl,
                    upl=upl,
                    special_cause=cause,
                    point_type=_point_type(cause, better_movement),
                )
            )

    last = points[-1] if points else None
    return XmrResult(
        points=tuple(points),
        variation=last.point_type if last else None,
        assurance=_assurance(target, last, improvement),
    )


def _better_movement(improvement: str) -> int:
    """+1 if up is better, -1 if down is better, 0 for a neutral metric."""
    if improvement not in Improvement.ALL:
        raise ValueError(f"improvement must be one of {', '.join(Improvement.ALL)}; got {improvement!r}")
    return _BETTER_MOVEMENT.get(improvement, 0)


def _as_float(value: SupportsFloat) -> float:
    number = float(value)
    # A NaN would compare false with everything and silently pass every rule.
    if not math.isfinite(number):
        raise ValueError(f"values must be finite numbers; got {value!r}")
    return number


def _check_baseline(baseline: int | None) -> None:
    if baseline is None:
        return
    if isinstance(baseline, bool) or not isinstance(baseline, int) or baseline < 1:
        raise ValueError(f"baseline must be a positive number of points or None; got {baseline!r}")


def _group_bounds(length: int, rebase_at: Iterable[int]) -> list[tuple[int, int]]:
    """The (start, end) slice of each group: the series split at every rebase index."""
    starts = {0}
    for index in rebase_at:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < max(length, 1):
            raise ValueError(
                f"rebase_at indexes must be positions in the series (0 to {length - 1}); got {index!r}"
            )
        starts.add(index)
    if length == 0:
        return []
    ordered = sorted(starts)
    return list(pairwise([*ordered, length]))


def _limits_for(baseline_values: Sequence[float], *, screen_outliers: bool) -> _Limits:
    return _Limits(
        mean=_mean(baseline_values),
        mean_moving_range=_mean_moving_range(baseline_values, screen_outliers=screen_outliers),
    )


def _mean_moving_range(values: Sequence[float], *, screen_outliers: bool) -> float | None:
    """Mean of the point-to-point ranges, with outlying ranges screened out.

    Screening removes the ranges an isolated spike creates, which would
    otherwise widen the limits enough to hide that very spike.
    """
    ranges = [abs(later - earlier) for earlier, later in pairwise(values)]
    if not ranges:
        return None
    average = _mean(ranges)
    # With a zero mean every range would be "at least 3.267 times" it and
    # screening would leave nothing to average; a flat process has no outliers.
    if screen_outliers and average > 0:
        average = _mean([moving_range for moving_range in ranges if moving_range < SCREEN_FACTOR * average])
    return average


def _special_causes(values: Sequence[float], limits: _Limits) -> list[str]:
    """The special cause of each point of a group, by the rules' order of precedence."""
    candidates_by_rule = (
        _outside_limit_causes(values, limits),
        _trend_causes(values),
        _two_in_three_causes(values, limits),
        _run_causes(values, limits),
    )
    return [
        next((cause for cause in candidates if cause), SpecialCause.COMMON_CAUSE)
        for candidates in zip(*candidates_by_rule, strict=True)
    ]


def _outside_limit_causes(values: Sequence[float], limits: _Limits) -> list[str | None]:
    return [
        (SpecialCause.ABOVE_UCL if value > limits.mean else SpecialCause.BELOW_LCL)
        if limits.is_outside(value)
        else None
        for value in values
    ]


def _trend_causes(values: Sequence[float]) -> list[str | None]:
    """Flag all 7 points of every run of 6 steps in one direction; a tie breaks it.

    A point shared by two trends (a peak or trough between a rise and a fall)
    takes the later trend's direction, as NHSRplotthedots does. A point in one
    trend only keeps that trend's direction even when a tie and then another
    trend follow it, where NHSRplotthedots takes the sign of the tie and calls
    the last point of a rise "Decreasing".
    """
    causes: list[str | None] = [None] * len(values)
    steps = [_sign(later - earlier) for earlier, later in pairwise(values)]
    # Runs come in order, so a point shared with a later trend takes the later one's direction.
    for first, last, direction in _runs_of_one_sign(steps):
        if last - first + 1 >= TREND_LENGTH - 1:
            cause = SpecialCause.TREND_INCREASING if direction > 0 else SpecialCause.TREND_DECREASING
            causes[first : last + 2] = [cause] * (last - first + 2)
    return causes


def _two_in_three_causes(values: Sequence[float], limits: _Limits) -> list[str | None]:
    """Flag the close points of any 3 in a row, all on one side of the mean, with 2 or more close to a limit.

    Requiring all three on one side keeps two close points on opposite sides
    from counting as a signal (NHSRplotthedots issue #143). Only the close
    points are flagged: the third one is ordinary.
    """
    near = [limits.is_near_limit(value) for value in values]
    sides = [limits.side_of_mean(value) for value in values]
    causes: list[str | None] = [None] * len(values)
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        side = sides[start]
        if side == 0 or not side == sides[start + 1] == sides[start + 2]:
            continue
        if near[start] + near[start + 1] + near[start + 2] < 2:
            continue
        cause = SpecialCause.TWO_IN_THREE_ABOVE if side > 0 else SpecialCause.TWO_IN_THREE_BELOW
        for i in window:
            if near[i]:
                causes[i] = cause
    return causes


def _run_causes(values: Sequence[float], limits: _Limits) -> list[str | None]:
    """Flag every point of 7 or more in a row on one side of the mean."""
    sides = [limits.side_of_mean(value) for value in values]
    causes: list[str | None] = [None] * len(values)
    for first, last, side in _runs_of_one_sign(sides):
        if last - first + 1 >= RUN_LENGTH:
            cause = SpecialCause.RUN_ABOVE if side > 0 else SpecialCause.RUN_BELOW
            causes[first : last + 1] = [cause] * (last - first + 1)
    return causes


def _runs_of_one_sign(signs: Sequence[int]) -> list[tuple[int, int, int]]:
    """(first, last, sign) of every longest stretch of equal, non-zero signs, in order; a 0 breaks one."""
    runs = []
    first = 0
    for index in range(1, len(signs) + 1):
        if index == len(signs) or signs[index] != signs[first]:
            if signs[first] != 0:
                runs.append((first, index - 1, signs[first]))
            first = index
    return runs


def _point_type(cause: str, better_movement: int) -> str:
    """Turn a special cause into improvement, concern or neutral, by which way is better."""
    movement = _MOVEMENT_OF[cause]
    if movement == 0:
        return PointType.COMMON_CAUSE
    if better_movement == 0:
        return PointType.NEUTRAL_HIGH if movement > 0 else PointType.NEUTRAL_LOW
    return PointType.IMPROVEMENT if movement == better_movement else PointType.CONCERN


def _assurance(target: SupportsFloat | None, last: XmrPoint | None, improvement: str) -> str | None:
    """Will the process as it runs now meet the target? Judged on the last group's limits.

    A target beyond a limit is met always or never; a target between the limits
    is met some months and missed others.
    """
    if target is None or improvement == Improvement.NEUTRAL or last is None:
        return None
    if last.lpl is None or last.upl is None:
        return None
    goal = _as_float(target)
    higher_is_better = improvement == Improvement.INCREASE
    if goal > last.upl:
        return Assurance.CONSISTENT_FAIL if higher_is_better else Assurance.CONSISTENT_PASS
    if goal < last.lpl:
        return Assurance.CONSISTENT_PASS if higher_is_better else Assurance.CONSISTENT_FAIL
    return Assurance.INCONSISTENT


def _mean(numbers: Sequence[float]) -> float:
    # fsum keeps a long series' mean exact enough that a point on the mean stays on it.
    return math.fsum(numbers) / len(numbers)


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)
