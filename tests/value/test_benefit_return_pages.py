"""The return against approved spend on the adoption's and the hub's pages: per kind in pounds, with caveats."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from value.benefits import spend_to_date
from value.services import (
    benefit_record_realised,
    spend_line_add,
    spend_quarter_open,
    spend_quarter_review,
    spend_quarter_submit,
)

from .conftest import add_benefit
from .spend_helpers import nth_quarter, submitted_quarter

pytestmark = pytest.mark.django_db


@pytest.fixture
def spend(adoption, lead, evaluator_user):
    """Approved: £20,000 of the hub's staff time and £8,000 of the adoption's kit; £5,000 in kind; one quarter awaiting review."""
    hub = adoption.hub
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 0), by=lead)
    for fields in (
        {"category": "staff", "amount": Decimal("20000")},
        {"category": "digital", "amount": Decimal("8000"), "adoption": adoption},
        {"category": "other", "amount": Decimal("5000"), "in_kind": True},
    ):
        quarter.refresh_from_db()
        spend_line_add(quarter=quarter, version=quarter.version, by=lead, **fields)
    quarter.refresh_from_db()
    quarter = spend_quarter_submit(quarter=quarter, version=quarter.version, by=lead)
    spend_quarter_review(quarter=quarter, version=quarter.version, by=evaluator_user, approve=True)
    submitted_quarter(hub, nth_quarter(hub, 1), lead=lead, amounts=["99999"])  # not approved: not spend yet
    return hub


@pytest.fixture
def benefits(adoption, owner):
    cash = add_benefit(adoption, owner, expected_value=Decimal("12000"))
    benefit_record_realised(
        benefit=cash,
        by=owner,
        version=cash.version,
        value=Decimal("4000"),
        as_of=timezone.localdate() - datetime.timedelta(days=1),
        evidence="Ledger",
    )
    add_benefit(
        adoption,
        owner,
        title="Admissions avoided",
        kind="non_cash_releasing",
        expected_value=Decimal("30000"),
    )
    add_benefit(
        adoption,
        owner,
        title="Nurse hours",
        kind="capacity_released",
        unit="hours",
        expected_value=Decimal("300"),
    )


def test_spend_to_date_is_approved_spend_without_in_kind(adoption, spend):
    assert spend_to_date(hub=adoption.hub) == Decimal("28000.00")
    assert spend_to_date(adoption=adoption) == Decimal("8000.00")


def test_the_adoption_page_gives_a_return_per_kind_against_its_own_spend(
    client, adoption, spend, benefits, reader
):
    client.force_login(reader)
    html = client.get(reverse("value:adoption_benefits", args=[adoption.pk])).content.decode()
    assert "Approved spend to date: £8,000." in html
    assert "£1.50 per £1 spent" in html and "£0.50 per £1 spent" in html  # cash: 12,000 and 4,000 over 8,000
    assert "£3.75 per £1 spent" in html  # non-cash: 30,000 over 8,000, never added to cash
    assert "£5.25" not in html  # what adding the two kinds would give
    assert "deadweight" in html  # the caveats


def test_the_hub_page_gives_a_return_against_all_its_approved_spend(
    client, adoption, spend, benefits, reader
):
    client.force_login(reader)
    html = client.get(reverse("value:hub_benefits", args=[adoption.hub.slug])).content.decode()
    assert "Approved spend to date: £28,000." in html
    assert "£0.43 per £1 spent" in html and "£0.14 per £1 spent" in html and "£1.07 per £1 spent" in html
    hub_page = client.get(adoption.hub.get_absolute_url()).content.decode()
    assert "£0.43 per £1 spent" in hub_page
