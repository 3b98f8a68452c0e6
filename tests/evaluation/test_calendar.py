"""The reporting calendar: working days (England and Wales bank holidays), due dates, and each status."""

import datetime

import pytest

from evaluation.calendar import (
    FigureStatus,
    OutsideCalendar,
    bank_holiday_name,
    due_date,
    is_working_day,
    month_status,
    next_due_date,
    nth_working_day,
    reminder_from,
    working_days_before,
)
from hubs.models import Programme

D = datetime.date


def programme(working_day: int) -> Programme:
    return Programme(name="P", figures_due_working_day=working_day)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 12, 24), True),  # Thursday
        (D(2026, 12, 25), False),  # Christmas Day, a Friday
        (D(2026, 12, 26), False),  # Boxing Day, a Saturday
        (D(2026, 12, 28), False),  # Boxing Day (observed), a Monday
        (D(2026, 12, 29), True),
        (D(2027, 1, 1), False),  # New Year's Day
        (D(2027, 1, 4), True),
        (D(2026, 4, 3), False),  # Good Friday
        (D(2026, 4, 6), False),  # Easter Monday
        (D(2026, 4, 7), True),
        (D(2027, 12, 27), False),  # Christmas Day (observed): the 25th is a Saturday
        (D(2027, 12, 28), False),  # Boxing Day (observed)
        (D(2028, 1, 3), False),  # New Year's Day (observed): the 1st is a Saturday
        (D(2026, 12, 5), False),  # a Saturday
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(day, working):
    assert is_working_day(day) is working


def test_holidays_come_from_the_library_with_their_names():
    assert bank_holiday_name(D(2026, 12, 28)) == "Boxing Day (observed)"
    assert bank_holiday_name(D(2026, 4, 3)) == "Good Friday"
    assert bank_holiday_name(D(2026, 4, 7)) == ""


@pytest.mark.parametrize(
    ("period", "due"),
    [
        (D(2026, 10, 1), D(2026, 11, 13)),  # no holiday in November
        (D(2026, 11, 1), D(2026, 12, 14)),
        (D(2026, 12, 1), D(2027, 1, 15)),  # New Year's Day is not a working day
        (D(2026, 3, 1), D(2026, 4, 16)),  # Good Friday and Easter Monday are not
        (D(2027, 2, 1), D(2027, 3, 12)),  # Easter 2027 falls in late March, after the 10th working day
        (D(2027, 12, 1), D(2028, 1, 17)),  # New Year's Day observed on Monday 3 January
    ],
)
def test_figures_are_due_on_the_tenth_working_day_of_the_next_month(period, due):
    assert due_date(period) == due
    assert due_date(period, programme(10)) == due
    assert due_date(period.replace(day=17)) == due  # any day names its month


def test_a_programme_chooses_another_working_day():
    assert due_date(D(2026, 12, 1), programme(1)) == D(2027, 1, 4)
    assert due_date(D(2027, 12, 1), programme(3)) == D(2028, 1, 6)
    assert due_date(D(2026, 11, 1), programme(20)) == D(2026, 12, 30)  # 25 and 28 Dec skipped
    # May 2027 has 19 working days (two bank holidays): the 20th is then its last working day.
    assert due_date(D(2027, 4, 1), programme(20)) == D(2027, 5, 28)
    with pytest.raises(ValueError, match="fewer than 22 working days"):
        nth_working_day(D(2026, 12, 1), 22)


def test_counting_working_days_back():
    assert working_days_before(D(2027, 1, 15), 3) == D(2027, 1, 12)
    assert working_days_before(D(2027, 1, 4), 1) == D(2026, 12, 31)
    # Back over Christmas: the 28th (observed), the weekend, and the 25th are skipped.
    assert working_days_before(D(2026, 12, 29), 1) == D(2026, 12, 24)
    assert reminder_from(D(2026, 4, 16)) == D(2026, 4, 13)
    assert working_days_before(D(2026, 4, 8), 2) == D(2026, 4, 2)  # over Easter
    with pytest.raises(ValueError):
        working_days_before(D(2027, 1, 15), 400)


def test_the_next_due_date_is_last_months_until_it_passes():
    assert next_due_date(D(2026, 12, 5)) == D(2026, 12, 14)
    assert next_due_date(D(2026, 12, 14)) == D(2026, 12, 14)
    assert next_due_date(D(2026, 12, 15)) == D(2027, 1, 15)
    assert next_due_date(D(2027, 1, 2), programme(1)) == D(2027, 1, 4)


def test_years_outside_the_calendar_are_refused():
    with pytest.raises(OutsideCalendar):
        is_working_day(D(1999, 12, 31))
    with pytest.raises(OutsideCalendar):
        due_date(D(2100, 12, 1))  # due in 2101
    assert due_date(D(2100, 11, 1)).year == 2100


START = D(2026, 9, 20)
DEC, DEC_DUE = D(2026, 12, 1), D(2027, 1, 15)


JAN_12 = D(2027, 1, 12)


def status(period=DEC, today=JAN_12, **kwargs):
    return month_status(period, today=today, due=due_date(period), adoption_start=START, **kwargs)


def test_each_state_of_an_indicator_month():
    assert status(today=D(2026, 12, 31)) == FigureStatus.NOT_DUE  # the month is not over
    assert status(period=D(2026, 8, 1)) == FigureStatus.NOT_DUE  # before the adoption began
    assert status(archived=True) == FigureStatus.NOT_DUE
    assert status(today=D(2027, 1, 1)) == FigureStatus.DUE
    assert status(today=DEC_DUE) == FigureStatus.DUE  # due on the day itself
    assert status(today=DEC_DUE + datetime.timedelta(days=1)) == FigureStatus.OVERDUE
    assert status(period=D(2026, 9, 1)) == FigureStatus.OVERDUE  # the adoption's first month counts
    assert status(figure_status="submitted") == FigureStatus.SUBMITTED
    assert status(figure_status="submitted", reviewed=True) == FigureStatus.RESUBMITTED
    assert status(figure_status="returned", reviewed=True) == FigureStatus.RETURNED
    assert status(figure_status="approved", reviewed=True) == FigureStatus.APPROVED
    # A figure sent early, or for an archived adoption, still has its own status.
    assert status(today=D(2026, 12, 10), figure_status="submitted") == FigureStatus.SUBMITTED


def test_every_status_has_words_and_a_tag():
    from evaluation.calendar import TAG_CLASSES

    assert FigureStatus.NOT_DUE.label == "Not due yet"
    assert set(TAG_CLASSES) == set(FigureStatus)
    assert len({FigureStatus(s).label for s in FigureStatus}) == len(FigureStatus)
