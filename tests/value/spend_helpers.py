"""Quarters made by hand for the spend tests: through the services, as a hub would make them."""

import datetime
from decimal import Decimal

from core.quarters import quarter_start
from value.models import SpendQuarter
from value.services import spend_line_add, spend_quarter_open, spend_quarter_review, spend_quarter_submit


def nth_quarter(hub, n: int) -> datetime.date:
    """The start of the hub's ``n``th quarter (0 is the one its award starts in)."""
    first = quarter_start(hub.start_date)
    months = first.month - 1 + 3 * n
    return datetime.date(first.year + months // 12, months % 12 + 1, 1)


def approved_quarter(hub, start, *, lead, evaluator, amounts=(), in_kind=()) -> SpendQuarter:
    """A quarter with one staff line per amount (and in-kind lines), submitted and approved."""
    quarter = submitted_quarter(hub, start, lead=lead, amounts=amounts, in_kind=in_kind)
    return spend_quarter_review(quarter=quarter, version=quarter.version, by=evaluator, approve=True)


def submitted_quarter(hub, start, *, lead, amounts=(), in_kind=()) -> SpendQuarter:
    quarter = spend_quarter_open(hub=hub, start=start, by=lead)
    for amount in amounts:
        quarter.refresh_from_db()
        spend_line_add(
            quarter=quarter, version=quarter.version, by=lead, category="staff", amount=Decimal(amount)
        )
    for amount in in_kind:
        quarter.refresh_from_db()
        spend_line_add(
            quarter=quarter,
            version=quarter.version,
            by=lead,
            category="other",
            amount=Decimal(amount),
            in_kind=True,
        )
    quarter.refresh_from_db()
    return spend_quarter_submit(quarter=quarter, version=quarter.version, by=lead)
