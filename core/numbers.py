"""Figures as the portal computes and prints them: one formula for a percentage, one way to write a figure."""

from __future__ import annotations

from decimal import Decimal


def percentage(part, whole) -> float | None:
    """``part`` as a percentage of ``whole`` (sum over sum, never an average of percentages); None if none."""
    return 100.0 * part / whole if whole else None


def completeness(done: int, due: int) -> int | None:
    """Whole-number percentage of what was due that was done, at most 100; None when nothing was due."""
    share = percentage(done, due)
    return None if share is None else min(100, round(share))


def figure_value(value, numerator, denominator) -> float:
    """A value as stored, or a percentage from its numerator and denominator."""
    return float(value) if value is not None else percentage(numerator, denominator)


def figure_text(value, numerator, denominator) -> str:
    """A figure as the tables print it: a value, or a percentage with its fraction."""
    if value is not None:
        return f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return f"{percentage(numerator, denominator):.1f}% ({numerator:,}/{denominator:,})"


def as_typed(value: Decimal | None) -> str | None:
    """A stored value as a person would type it: 120, not 120.0000."""
    return None if value is None else format(value.normalize(), "f")
