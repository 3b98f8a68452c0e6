"""The Making Data Count icons and their words: one place for every page, report, CSV and PDF.

A variation icon says which way the process moved as well as whether that is good: an
improvement is "higher values" for a metric where higher is better and "lower values" where
lower is. So a variation is always read with its metric's direction of improvement:
``variation_reading(variation, improvement)`` takes both, and every label and icon is looked
up by the reading it returns. There is no default direction to fall back on.

A programme also sets the fewest figures before limits and icons mean anything
(``hubs.Programme.min_points_for_limits``). ``read(result, ...)`` applies that rule and
returns a ``Reading``: the variation (with its direction) and assurance, or too few figures.
The indicator page, the summary (``IndicatorSummary``, its filter and CSV) and the nightly
report all read through it, so the same evidence reads the same everywhere; below the
minimum the page draws a run chart (``run_chart``). The SPC engine (``evaluation.spc``) is
not changed by the rule: it still reads any series it is given.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from core.numbers import counted

from .spc import Assurance, PointType, SpecialCause, XmrPoint, XmrResult

INCREASE, DECREASE = "increase", "decrease"  # evaluation.models.Metric.Improvement values

HIGH, LOW = "9,31 14,30 19,31 25,27 30,23", "9,23 14,24 19,23 25,27 30,31"  # the icons' polylines
GREY, BLUE, ORANGE, PURPLE = "#7B7D7D", "#289DE0", "#FAB428", "#361475"


# Readings: a variation with its direction. Common cause and neutral variations are their own reading.
IMPROVEMENT_HIGH, IMPROVEMENT_LOW = f"{PointType.IMPROVEMENT}_high", f"{PointType.IMPROVEMENT}_low"
CONCERN_HIGH, CONCERN_LOW = f"{PointType.CONCERN}_high", f"{PointType.CONCERN}_low"


@dataclass(frozen=True)
class Icon:
    """One icon: its words (always shown beside it), colour, letter, line, and whether it has a target line."""

    label: str
    colour: str
    letter: str = ""
    points: str = ""
    target: bool = False


IMPROVEMENT_WORDS, CONCERN_WORDS = "Special cause improvement", "Special cause concern"
HIGHER, LOWER, EITHER = "higher values", "lower values", "higher or lower values"
NEUTRAL_WORDS = "Special cause variation, {direction}: neither improvement nor concern"

VARIATION_ICONS = {
    PointType.COMMON_CAUSE: Icon("Common cause variation", GREY, points="8,21 13,16 18,24 23,16 28,23 32,19"),
    IMPROVEMENT_HIGH: Icon(f"{IMPROVEMENT_WORDS}: {HIGHER}", BLUE, "H", HIGH),
    IMPROVEMENT_LOW: Icon(f"{IMPROVEMENT_WORDS}: {LOWER}", BLUE, "L", LOW),
    CONCERN_HIGH: Icon(f"{CONCERN_WORDS}: {HIGHER}", ORANGE, "H", HIGH),
    CONCERN_LOW: Icon(f"{CONCERN_WORDS}: {LOWER}", ORANGE, "L", LOW),
    PointType.NEUTRAL_HIGH: Icon(NEUTRAL_WORDS.format(direction=HIGHER), PURPLE, "H", HIGH),
    PointType.NEUTRAL_LOW: Icon(NEUTRAL_WORDS.format(direction=LOWER), PURPLE, "L", LOW),
    # Reports built before readings carried their direction stored the variation alone; their
    # improvements and concerns can only be named without it.
    PointType.IMPROVEMENT: Icon("Special cause improvement (direction not recorded)", BLUE),
    PointType.CONCERN: Icon("Special cause concern (direction not recorded)", ORANGE),
}
ASSURANCE_ICONS = {
    Assurance.CONSISTENT_PASS: Icon("Consistently passing the target", BLUE, "P", target=True),
    Assurance.CONSISTENT_FAIL: Icon("Consistently falling short of the target", ORANGE, "F", target=True),
    Assurance.INCONSISTENT: Icon(
        "Inconsistent: may pass or fall short of the target",
        GREY,
        points="8,26 13,14 18,26 23,14 28,26 32,18",
        target=True,
    ),
}
NO_VARIATION = "Too few figures"
NO_ASSURANCE = "No target to assess"
# The readings a chart of today gives, in the order a list of them reads best (filters, keys).
READINGS = (
    PointType.COMMON_CAUSE,
    IMPROVEMENT_HIGH,
    IMPROVEMENT_LOW,
    CONCERN_HIGH,
    CONCERN_LOW,
    PointType.NEUTRAL_HIGH,
    PointType.NEUTRAL_LOW,
)
IMPROVEMENTS, CONCERNS = (IMPROVEMENT_HIGH, IMPROVEMENT_LOW), (CONCERN_HIGH, CONCERN_LOW)
NEUTRALS = (PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW)
# Readings of either direction, as one choice of a filter: the words say both directions.
EITHER_DIRECTION = {
    IMPROVEMENTS: f"{IMPROVEMENT_WORDS}: {EITHER}",
    CONCERNS: f"{CONCERN_WORDS}: {EITHER}",
    NEUTRALS: NEUTRAL_WORDS.format(direction=EITHER),
}


def variation_reading(variation: str | None, improvement: str) -> str | None:
    """The variation as it reads for a metric improving in ``improvement``'s direction; None for none.

    An improvement is high for a metric where higher is better, low where lower is; a concern
    the other way. Neutral variations carry their own direction already.
    """
    if not variation:
        return None
    if variation in (PointType.COMMON_CAUSE, PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW):
        return variation
    if improvement not in (INCREASE, DECREASE):
        raise ValueError(f"A {variation} needs the metric's direction of improvement, not {improvement!r}")
    up = improvement == INCREASE
    if variation == PointType.IMPROVEMENT:
        return IMPROVEMENT_HIGH if up else IMPROVEMENT_LOW
    if variation == PointType.CONCERN:
        return CONCERN_LOW if up else CONCERN_HIGH
    raise ValueError(f"Unknown variation {variation!r}")


def variation_icon(reading: str | None) -> Icon | None:
    return VARIATION_ICONS.get(reading or "")


def assurance_icon(assurance: str | None) -> Icon | None:
    return ASSURANCE_ICONS.get(assurance or "")


def variation_label(reading: str | None) -> str:
    """The words for a reading (from ``variation_reading``); "Too few figures" for none.

    A value no icon knows (a report's stored content is read back, never trusted) is given as it is.
    """
    icon = variation_icon(reading)
    return icon.label if icon else reading or NO_VARIATION


def assurance_label(assurance: str | None) -> str:
    icon = assurance_icon(assurance)
    return icon.label if icon else assurance or NO_ASSURANCE


def variation_choices() -> list[tuple[str, str]]:
    """(reading, words) for every reading a chart gives today: the choices of a stored reading."""
    return [(reading, VARIATION_ICONS[reading].label) for reading in READINGS]


def assurance_choices() -> list[tuple[str, str]]:
    return [(assurance, icon.label) for assurance, icon in ASSURANCE_ICONS.items()]


# -- Enough points: the programme's minimum, applied once, here, for every surface ---------------


def too_few_label(points: int, min_points: int) -> str:
    """ "Too few figures (3 of 12)": what stands in for both icons below the minimum."""
    return f"{NO_VARIATION} ({points} of {min_points})"


@dataclass(frozen=True)
class Reading:
    """What the Making Data Count icons say of a series, or that it has too few figures to say.

    ``variation`` is a reading (``variation_reading``: the variation with its direction) and
    ``assurance`` an ``spc.Assurance``; both are None below the minimum. ``points`` are the
    figures the minimum is counted in: those since the latest rebase (see ``points_counted``).
    """

    variation: str | None
    assurance: str | None
    points: int
    min_points: int

    @property
    def too_few(self) -> bool:
        return self.points < self.min_points

    @property
    def more_needed(self) -> int:
        """How many more monthly figures before limits and icons are shown (0 when they are)."""
        return max(self.min_points - self.points, 0)

    @property
    def too_few_label(self) -> str:
        return too_few_label(self.points, self.min_points)

    @property
    def more_needed_text(self) -> str:
        """ "3 more months of figures are needed before process limits are shown"; empty when they are."""
        if not self.too_few:
            return ""
        verb = "is" if self.more_needed == 1 else "are"
        return f"{counted(self.more_needed, 'more month')} of figures {verb} needed before process limits are shown"

    @property
    def variation_label(self) -> str:
        return self.too_few_label if self.too_few else variation_label(self.variation)

    @property
    def assurance_label(self) -> str:
        return self.too_few_label if self.too_few else assurance_label(self.assurance)

    @property
    def label(self) -> str:
        """Both icons' words in one line, as a CSV or a test compares them."""
        if self.too_few:
            return self.too_few_label
        return f"{self.variation_label}; {self.assurance_label}"

    @property
    def is_improvement(self) -> bool:
        return self.variation in IMPROVEMENTS

    @property
    def is_concern(self) -> bool:
        return self.variation in CONCERNS


def points_counted(length: int, rebase_at: Iterable[int] = ()) -> int:
    """The figures the minimum is counted in: those since the latest rebase, or all of them.

    A rebase says the process changed: the limits and icons after it are worked out from
    the figures after it alone (``spc.xmr`` groups), so a rebase 4 months ago leaves 4
    figures to judge the process by, however long the series before it. Counting the whole
    series would show limits drawn from those 4.
    """
    starts = [index for index in rebase_at if 0 < index < length]
    return length - max(starts, default=0)


def read(result: XmrResult, *, improvement: str, rebase_at: Iterable[int] = (), min_points: int) -> Reading:
    """The rule: an XmR result's icons, or too few figures when its current group is short of ``min_points``."""
    points = points_counted(len(result.points), rebase_at)
    if points < min_points:
        return Reading(None, None, points, min_points)
    return Reading(variation_reading(result.variation, improvement), result.assurance, points, min_points)


def run_chart(values: Iterable[float], rebase_at: Iterable[int] = ()) -> XmrResult:
    """A run chart of a series too short for limits: each point with its group's median, nothing else.

    The median stands where the XmR chart's mean would (``XmrPoint.mean``), with no limits
    and no special cause, so the chart, its text and its table draw it with the same code;
    a rebase still starts a new group, with its own median.
    """
    series = [float(value) for value in values]
    starts = sorted({0, *(index for index in rebase_at if 0 < index < len(series))})
    points = []
    for start, end in zip(starts, [*starts[1:], len(series)], strict=True):
        median = statistics.median(series[start:end]) if end > start else 0.0
        points += [
            XmrPoint(value, median, None, None, SpecialCause.COMMON_CAUSE, PointType.COMMON_CAUSE)
            for value in series[start:end]
        ]
    return XmrResult(points=tuple(points), variation=None, assurance=None)
