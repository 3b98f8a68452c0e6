"""The NASSS complexity check of an adoption: its seven domains, three ratings, and when the next check is due.

Each rule here is written once: the domains and their labels, the words for the ratings, how a
profile is summed up ("2 complex, 3 complicated, 2 simple"), how a rating moved between two
checks, and the schedule:

- the first check is due 3 months after the adoption started;
- each later check is due 6 months after the latest one (the programme repeats it every 3–6 months);
- the to-do list shows it from 30 days before that date ("Due"), and after it ("Overdue");
- only adoptions still under way are due one: not archived, and not paused, not adopted or abandoned.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db import models

from .stages import EXIT_STAGES

FIRST_CHECK_AFTER_MONTHS = 3
REPEAT_AFTER_MONTHS = 6
SHOWN_BEFORE_DUE = datetime.timedelta(days=30)
REASON_MAX_LENGTH = 500


class Rating(models.TextChoices):
    SIMPLE = "simple", "Simple"
    COMPLICATED = "complicated", "Complicated"
    COMPLEX = "complex", "Complex"


# Simple < complicated < complex: a move up the order is "more complex".
RATING_ORDER = {Rating.SIMPLE: 0, Rating.COMPLICATED: 1, Rating.COMPLEX: 2}

# The seven NASSS domains: (field name on ComplexityCheck, label), in the framework's order.
DOMAINS: tuple[tuple[str, str], ...] = (
    ("condition", "The condition"),
    ("technology", "The technology"),
    ("value_proposition", "The value proposition"),
    ("adopters", "The adopters (staff, patients, carers)"),
    ("organisations", "The organisations"),
    ("wider_system", "The wider system"),
    ("embedding", "Embedding and adaptation over time"),
)
DOMAIN_LABELS = dict(DOMAINS)


def reason_field(domain: str) -> str:
    return f"{domain}_reason"


@dataclass(frozen=True)
class DomainRating:
    domain: str
    label: str
    rating: str
    reason: str

    @property
    def rating_label(self) -> str:
        return Rating(self.rating).label


def profile_summary(ratings: list[str]) -> str:
    """ "2 complex, 3 complicated, 2 simple": most complex first, ratings with none left out."""
    counts = [(rating, ratings.count(rating.value)) for rating in reversed(Rating)]
    return ", ".join(f"{count} {rating.label.lower()}" for rating, count in counts if count)


def direction(before: str, now: str) -> int:
    """1 when a rating moved to more complex, -1 when to simpler, 0 when it stayed."""
    change = RATING_ORDER[Rating(now)] - RATING_ORDER[Rating(before)]
    return (change > 0) - (change < 0)


def movement(before: str | None, now: str) -> str:
    """How a domain's rating moved since the previous check, in words."""
    if before is None:
        return "First check"
    if before == now:
        return "No change"
    words = "More complex" if direction(before, now) > 0 else "Simpler"
    return f"{words} (was {Rating(before).label.lower()})"


def _months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it has no such day (31 Aug + 6 = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def next_check_due(started_on: datetime.date, last_checked_on: datetime.date | None) -> datetime.date:
    if last_checked_on is None:
        return _months_after(started_on, FIRST_CHECK_AFTER_MONTHS)
    return _months_after(last_checked_on, REPEAT_AFTER_MONTHS)


def needs_checks(adoption) -> bool:
    """Adoptions still under way are checked; archived, paused and ended ones are not."""
    return not adoption.archived and adoption.stage not in EXIT_STAGES


class Due(models.TextChoices):
    NOT_YET = "not_yet", "Not due yet"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"


def due_state(due_on: datetime.date, today: datetime.date) -> Due:
    if due_on < today:
        return Due.OVERDUE
    if due_on - SHOWN_BEFORE_DUE <= today:
        return Due.DUE
    return Due.NOT_YET


@dataclass(frozen=True)
class HistoryCell:
    rating: str
    moved: str  # "No change", "More complex (was simple)", ...

    @property
    def rating_label(self) -> str:
        return Rating(self.rating).label


@dataclass(frozen=True)
class HistoryRow:
    label: str
    cells: list[HistoryCell]  # one per check, oldest first


def history_rows(checks) -> list[HistoryRow]:
    """Domains × checks (oldest first): each domain's rating at each check and how it moved since the one before."""
    rows = []
    for domain, label in DOMAINS:
        cells, before = [], None
        for check in checks:
            now = getattr(check, domain)
            cells.append(HistoryCell(now, movement(before, now)))
            before = now
        rows.append(HistoryRow(label, cells))
    return rows
