import datetime

import pytest

from core.months import add_months, last_complete_month, months_from_to, parse_month


def test_months_step_across_years():
    assert add_months(datetime.date(2025, 11, 17), 3) == datetime.date(2026, 2, 1)
    assert add_months(datetime.date(2025, 1, 31), -1) == datetime.date(2024, 12, 1)


def test_last_complete_month_and_counts_include_both_ends():
    assert last_complete_month(datetime.date(2026, 1, 5)) == datetime.date(2025, 12, 1)
    assert months_from_to(datetime.date(2025, 11, 20), datetime.date(2026, 2, 1)) == 4
    assert months_from_to(datetime.date(2026, 3, 1), datetime.date(2026, 2, 1)) == 0


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-02", datetime.date(2026, 2, 1)),
        ("2026-13", None),
        ("26-02", None),
        ("2026-2", None),
        ("abcd-ef", None),
    ],
)
def test_parse_month_takes_only_yyyy_mm(text, month):
    assert parse_month(text) == month
