"""The Making Data Count icons and their words: one place for every page, report, CSV and PDF.

A variation icon says which way the process moved as well as whether that is good: an
improvement is "higher values" for a metric where higher is better and "lower values" where
lower is. So a variation is always read with its metric's direction of improvement:
``variation_reading(variation, improvement)`` takes both, and every label and icon is looked
up by the reading it returns. There is no default direction to fall back on.
"""

from __future__ import annotations

from dataclasses import dataclass

from .spc import Assurance, PointType

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


VARIATION_ICONS = {
    PointType.COMMON_CAUSE: Icon("Common cause variation", GREY, points="8,21 13,16 18,24 23,16 28,23 32,19"),
    IMPROVEMENT_HIGH: Icon("Special cause improvement: higher values", BLUE, "H", HIGH),
    IMPROVEMENT_LOW: Icon("Special cause improvement: lower values", BLUE, "L", LOW),
    CONCERN_HIGH: Icon("Special cause concern: higher values", ORANGE, "H", HIGH),
    CONCERN_LOW: Icon("Special cause concern: lower values", ORANGE, "L", LOW),
    PointType.NEUTRAL_HIGH: Icon(
        "Special cause variation, higher values: neither improvement nor concern", PURPLE, "H", HIGH
    ),
    PointType.NEUTRAL_LOW: Icon(
        "Special cause variation, lower values: neither improvement nor concern", PURPLE, "L", LOW
    ),
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
