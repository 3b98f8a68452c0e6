"""The reporting calendar: working days, when a month's figures are due, and each indicator-month's status.

A month's figures are due on the programme's ``figures_due_working_day``-th working day
(default the 10th) of the next month. Working days are weekdays that are not bank holidays
in England and Wales, as the maintained ``holidays`` library knows them (substitute days
such as "Boxing Day (observed)" included): no hand-kept list to go stale.

``month_status`` is the one rule for an indicator-month's status, and ``FigureStatus`` the
one place for its names and tag colours: the reporting pages, the to-do list and the
reminders all use them.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays
from django.db import models

from core.months import add_months

# The years the calendar answers for: bank holidays are known this far, and a date outside
# is a mistake (a typed year 20260, say), not a reason to build a holiday table for it.
FIRST_YEAR = 2000
LAST_YEAR = 2100
DEFAULT_DUE_WORKING_DAY = 10  # hubs.Programme.figures_due_working_day's default
MOST_WORKING_DAYS = 23  # no month has more; also bounds the steps taken back or forward
ONE_DAY = datetime.timedelta(days=1)
DUE_SOON_WORKING_DAYS = 3  # "figures due" reminders go out this many working days ahead


class OutsideCalendar(ValueError):
    """A date the calendar does not answer for (before FIRST_YEAR or after LAST_YEAR)."""


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutsideCalendar(f"The reporting calendar covers {FIRST_YEAR} to {LAST_YEAR}, not {year}.")


@lru_cache(maxsize=LAST_YEAR - FIRST_YEAR + 1)
def _holidays_of(year: int) -> holidays.HolidayBase:
    """The library's England and Wales holidays for one year, built once per process."""
    _check_year(year)
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


@lru_cache(maxsize=LAST_YEAR - FIRST_YEAR + 1)
def bank_holidays(year: int) -> frozenset[datetime.date]:
    """England and Wales bank holidays in ``year``, substitute days ("observed") included."""
    return frozenset(_holidays_of(year))


def bank_holiday_name(day: datetime.date) -> str:
    """The holiday's name ("Boxing Day (observed)"), or "" on any other day."""
    return _holidays_of(day.year).get(day, "")


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """The working day ``count`` working days before ``day`` (``day`` itself not counted)."""
    if not 0 <= count <= MOST_WORKING_DAYS:
        raise ValueError(f"Count back 0 to {MOST_WORKING_DAYS} working days, not {count}.")
    while count:
        day -= ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def working_days_after(day: datetime.date, count: int) -> datetime.date:
    """The working day ``count`` working days after ``day`` (``day`` itself not counted)."""
    if not 0 <= count <= MOST_WORKING_DAYS:
        raise ValueError(f"Count on 0 to {MOST_WORKING_DAYS} working days, not {count}.")
    while count:
        day += ONE_DAY
        if is_working_day(day):
            count -= 1
    return day


def nth_working_day(month: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day of ``month``'s month (1 is the first)."""
    if not 1 <= n <= MOST_WORKING_DAYS:
        raise ValueError(f"A month has at most {MOST_WORKING_DAYS} working days: {n} is not one of them.")
    first = month.replace(day=1)
    day = first if is_working_day(first) else working_days_after(first, 1)
    day = working_days_after(day, n - 1)
    if day.month != first.month:  # 21 to 23 in a short month
        raise ValueError(f"{first:%B %Y} has fewer than {n} working days.")
    return day


def due_working_day(programme=None) -> int:
    """The working day of the next month a programme's figures are due on (default 10)."""
    return getattr(programme, "figures_due_working_day", None) or DEFAULT_DUE_WORKING_DAY


def working_days_in(month: datetime.date) -> int:
    first = month.replace(day=1)
    last = add_months(first, 1) - ONE_DAY
    return sum(is_working_day(first + ONE_DAY * offset) for offset in range(last.day))


@lru_cache(maxsize=1024)
def _due_on(period: datetime.date, working_day: int) -> datetime.date:
    # May 2027 has 19 working days: a programme's 20th is then the month's last working day.
    month = add_months(period, 1)
    return nth_working_day(month, min(working_day, working_days_in(month)))


def due_date(period: datetime.date, programme=None) -> datetime.date:
    """When ``period``'s figures are due: the programme's working day of the month after it."""
    return _due_on(period.replace(day=1), due_working_day(programme))


def reminder_from(due: datetime.date) -> datetime.date:
    """The first day a "due soon" reminder goes out: three working days before the due date."""
    return working_days_before(due, DUE_SOON_WORKING_DAYS)


def next_due_date(today: datetime.date, programme=None) -> datetime.date:
    """The next day figures are due, today included: last month's due date, or else this month's."""
    last_month = add_months(today.replace(day=1), -1)
    due = due_date(last_month, programme)
    return due if due >= today else due_date(today.replace(day=1), programme)


# Statuses ---------------------------------------------------------------------------------------


class FigureStatus(models.TextChoices):
    """Where an indicator-month stands; its label is what every page says."""

    NOT_DUE = "not_due", "Not due yet"
    DUE = "due", "Due"
    OVERDUE = "overdue", "Overdue"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    RESUBMITTED = "resubmitted", "Resubmitted"
    APPROVED = "approved", "Approved"


# NHS.UK tag colours; the label is always written inside the tag, so colour is never the only signal.
TAG_CLASSES = {
    FigureStatus.NOT_DUE: "nhsuk-tag--grey",
    FigureStatus.DUE: "nhsuk-tag--yellow",
    FigureStatus.OVERDUE: "nhsuk-tag--red",
    FigureStatus.SUBMITTED: "nhsuk-tag--blue",
    FigureStatus.RETURNED: "nhsuk-tag--orange",
    FigureStatus.RESUBMITTED: "nhsuk-tag--purple",
    FigureStatus.APPROVED: "nhsuk-tag--green",
}

# Waiting for hub staff: the to-do list and the reminders look for these.
WAITING_FOR_HUB = frozenset({FigureStatus.DUE, FigureStatus.OVERDUE, FigureStatus.RETURNED})


def tag_class(status: str) -> str:
    return TAG_CLASSES[FigureStatus(status)]


def month_status(
    period: datetime.date,
    *,
    today: datetime.date,
    due: datetime.date,
    adoption_start: datetime.date,
    archived: bool = False,
    figure_status: str | None = None,
    reviewed: bool = False,
) -> FigureStatus:
    """An indicator-month's status, from its monthly total (the figure of record) and the calendar.

    ``figure_status`` is the status of the month's total for all people (None when there is
    none; breakdown rows alone are no figure) and ``reviewed`` whether that total has a
    review date: a figure saved again after a return is submitted with its reviewer kept, so
    a submitted total once reviewed has been resubmitted. Without a figure, a month is not due
    while it lasts, before the adoption began, or once the adoption is archived; then due up to
    and including its due date, and overdue after it.
    """
    if figure_status == "approved":
        return FigureStatus.APPROVED
    if figure_status == "returned":
        return FigureStatus.RETURNED
    if figure_status == "submitted":
        return FigureStatus.RESUBMITTED if reviewed else FigureStatus.SUBMITTED
    if archived or period < adoption_start.replace(day=1) or today < add_months(period, 1):
        return FigureStatus.NOT_DUE
    return FigureStatus.DUE if today <= due else FigureStatus.OVERDUE
