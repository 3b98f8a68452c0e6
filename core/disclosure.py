"""Small counts: what a figure may show, decided here and nowhere else.

Raw figures are shown to the owning hub's staff and to evaluators, who review
them; ``hubs.access.Roles.sees_raw_figures_of`` says whether a user is one of
those for a hub. Every other surface — other hubs' staff, AHSN admins, the
nightly report with its CSV and PDF, summaries, e-mails, the public, any API or
open data — shows a count from 1 to 7 as "<8" (the usual NHS suppression
threshold) and no share derived from such a count: so few people could be
recognised from a count, say three people reached in one small neighbourhood.
Zero is shown as it is: nobody can be recognised from it.

Each function takes ``raw``: True only when the viewer may see raw figures.
It defaults to False, so a surface that forgets to ask suppresses.
"""

from __future__ import annotations

from . import numbers
from .numbers import number_text

SMALL_COUNT_MAX = 7
SMALL_COUNT = "<8"
NOT_SHOWN = "Not shown"


def is_small_count(count) -> bool:
    """A count from 1 to 7, which only raw viewers see. None (no count) and zero are not small."""
    return count is not None and 0 < count < SMALL_COUNT_MAX + 1


def count_cell(count, *, raw: bool = False):
    """The count for a file (CSV): the number itself, or "<8"."""
    return SMALL_COUNT if not raw and is_small_count(count) else count


def count_text(count, *, raw: bool = False) -> str:
    """The count as a page prints it: "1,234", or "<8"; "" when there is none."""
    if count is None:
        return ""
    if not raw and is_small_count(count):
        return SMALL_COUNT
    return number_text(count)


def share_shown(*counts, raw: bool = False) -> bool:
    """Whether a share computed from these counts (a percentage, or a change in one) may be shown.

    Not when any of them is a small count: with the other count, or over time,
    the share gives the small one away.
    """
    return raw or not any(is_small_count(count) for count in counts)


def figure_text(value, numerator, denominator, *, is_count: bool, raw: bool = False) -> str:
    """A monthly figure as a table prints it: a value, or a percentage with its fraction.

    ``is_count`` says the value counts people (a "count" metric); a rate or an
    amount of money is never suppressed. A percentage's numerator and
    denominator are always counts: "Not shown (<8/40)" when either is small.
    """
    if figure_disclosed(value, numerator, denominator, is_count=is_count, raw=raw):
        return numbers.figure_text(value, numerator, denominator)
    if value is not None:
        return SMALL_COUNT
    return f"{NOT_SHOWN} ({count_text(numerator)}/{count_text(denominator)})"


def figure_disclosed(value, numerator, denominator, *, is_count: bool, raw: bool = False) -> bool:
    """Whether the figure is shown whole: False when part of it reads "<8" or "Not shown"."""
    if value is not None:
        return raw or not is_count or not is_small_count(value)
    return share_shown(numerator, denominator, raw=raw)
