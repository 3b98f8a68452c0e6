"""Months as the portal counts them: each one named by its first day.

Figures are monthly, so many places step, compare and count months; they all
use these few functions, so "last month" means the same everywhere.
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def month_index(day: datetime.date) -> int:
    """Months since year 0: two months' distance is a subtraction."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def add_months(day: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months after ``day``'s month (before, if negative)."""
    return month_of_index(month_index(day) + count)


def this_month(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()).replace(day=1)


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    return add_months(this_month(today), -1)


def months_from_to(first: datetime.date, last: datetime.date) -> int:
    """How many months from ``first``'s month to ``last``'s, both included (0 if last is earlier)."""
    return max(0, month_index(last) - month_index(first) + 1)


def parse_month(text: str) -> datetime.date | None:
    """The month written YYYY-MM, or None if it is not one."""
    year, dash, month = text.partition("-")
    if not (dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        return None
    return datetime.date(int(year), int(month), 1) if 1 <= int(month) <= 12 else None
