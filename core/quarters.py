"""Calendar quarters as the programme reports them (January, April, July, October), labelled "Apr–Jun 2025"."""

from __future__ import annotations

import datetime


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the calendar quarter ``day`` falls in."""
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(start: datetime.date) -> datetime.date:
    """The last day of the quarter that starts on ``start``."""
    month = start.month + 3
    year = start.year + (month > 12)
    return datetime.date(year, (month - 1) % 12 + 1, 1) - datetime.timedelta(days=1)


def quarter_label(start: datetime.date) -> str:
    """A quarter as people read it: "Apr–Jun 2025"."""
    return f"{start:%b}–{quarter_end(start):%b %Y}"


def quarters_from(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The starts of every quarter from the one holding ``first`` to the one holding ``last``."""
    starts, start = [], quarter_start(first)
    while start <= last:
        starts.append(start)
        start = quarter_end(start) + datetime.timedelta(days=1)
    return starts
