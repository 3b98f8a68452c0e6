"""Figures as the portal computes and prints them: one formula for a percentage, one way to write a figure."""

from __future__ import annotations

import re
from decimal import Decimal

# A figure has at most 15 significant digits, as a spreadsheet keeps them; its text, signs,
# point and exponent included, at most 40 characters. Both are checked before any arithmetic.
MAX_DIGITS = 15
MAX_NUMBER_CHARS = 40
PLAIN_NUMBER = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
SHOWN_CHARS = 20  # of a refused number, in its message


class NumberRefused(ValueError):
    """Text that is not a figure the portal can hold; ``reason`` says which limit, the message says it in words."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason  # "long", "not_number", "digits", "whole", "places", "large" or "small"

    def __reduce__(self):
        return type(self), (str(self), self.reason)


def counted(number: int, word: str) -> str:
    """A count with its noun: "1 figure", "3 figures", "1,200 indicators"."""
    return f"{number:,} {word}{'' if number == 1 else 's'}"


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


def number_text(number) -> str:
    """A number with thousands separators and at most two decimals: 1,234 or 2.5."""
    if isinstance(number, int | Decimal) and number == int(number):
        return f"{int(number):,}"
    return f"{float(number):,.2f}".rstrip("0").rstrip(".")


def figure_text(value, numerator, denominator) -> str:
    """A figure as the tables print it: a value, or a percentage with its fraction."""
    if value is not None:
        return number_text(value)
    return f"{percentage(numerator, denominator):.1f}% ({number_text(numerator)}/{number_text(denominator)})"


def as_typed(value: Decimal | None) -> str | None:
    """A stored value as a person would type it: 120, not 120.0000."""
    return None if value is None else format(value.normalize(), "f")


def bounded_number(
    text: str, *, name: str, places: int, largest: Decimal | int, shown: str | None = None
) -> Decimal:
    """A number from plain text ("1234.5", "-2", "1.5E+3"), its size checked before any arithmetic.

    ``Decimal("1E+999999999")`` is instant, but turning it into an int, or printing it in full,
    never finishes. So the digits and the exponent are read from the text, as text, and
    anything longer than ``MAX_NUMBER_CHARS``, with more than ``MAX_DIGITS`` significant
    digits, more than ``places`` decimal places (0: whole numbers only) or further from
    zero than ``largest`` is refused with a ``NumberRefused`` naming ``name`` and the
    text (``shown``, if given, as the person typed it). What comes back is small enough
    for anything: ``int()`` of a whole number, printing, the database.
    """
    shown = text if shown is None else shown
    if len(shown) > SHOWN_CHARS:
        shown = shown[:SHOWN_CHARS] + "…"

    def refuse(reason: str, words: str) -> NumberRefused:
        return NumberRefused(f"{name}: '{shown}' {words}.", reason)

    if len(text) > MAX_NUMBER_CHARS:
        raise refuse("long", f"is too long: a figure has at most {MAX_DIGITS} digits")
    if (
        len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()
    ):  # most figures: no sign, point or exponent
        number = Decimal(text)
        if number > largest:
            raise refuse("large", f"is too large: the most it can be is {largest:,}")
        return number
    found = PLAIN_NUMBER.fullmatch(text)
    if not found or not (found[2] or found[3]):
        raise refuse("not_number", "is not a number")
    sign, whole_digits, fraction = found[1], found[2], found[3] or ""
    # The number is int(digits) × 10 ** exponent: at most 40 characters, so int() of each is instant.
    exponent = int(found[4] or 0) - len(fraction)
    digits = (whole_digits + fraction).lstrip("0")
    if not digits:
        return Decimal(0)
    significant = digits.rstrip("0")
    exponent += len(digits) - len(significant)
    if len(significant) > MAX_DIGITS:
        raise refuse("digits", f"has more than {MAX_DIGITS} digits: a figure has at most {MAX_DIGITS}")
    if exponent < -places:
        if places == 0:
            raise refuse("whole", "is not a whole number")
        raise refuse("places", f"has more than {places} decimal places")
    if len(significant) + exponent > len(str(int(largest))):
        number = None  # more digits before the point than ``largest`` has: too large, unbuilt
    else:
        number = Decimal(f"{sign}{significant}E{exponent}")
        # Written out in full (1500, not 1.5E+3), as a person would type it and the database stores it.
        number = number.quantize(Decimal(1)) if exponent > 0 else number
    if number is None or abs(number) > largest:
        if sign == "-":
            raise refuse("small", f"is too small: the least it can be is -{largest:,}")
        raise refuse("large", f"is too large: the most it can be is {largest:,}")
    return number
