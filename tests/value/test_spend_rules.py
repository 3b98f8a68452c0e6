"""Spend against the award: each rule of a quarter and a line, and each bad input refused, changing nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.concurrency import EditConflict
from core.quarters import quarter_start
from tests.factories import AdoptionFactory
from value.models import SpendLine, SpendQuarter
from value.services import (
    spend_line_add,
    spend_line_remove,
    spend_quarter_open,
    spend_quarter_review,
    spend_quarter_submit,
)
from value.spend import spent

from .spend_helpers import approved_quarter, nth_quarter, submitted_quarter


def _refusal(exc) -> dict:
    return exc.value.message_dict


def test_a_member_opens_a_quarter_and_adds_exact_pence(hub, owner):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    line = spend_line_add(
        quarter=quarter, version=quarter.version, by=owner, category="digital", amount=Decimal("1234.56")
    )
    line.refresh_from_db()
    assert line.amount == Decimal("1234.56")
    assert quarter.history.count() == 2  # started, then the line added


@pytest.mark.parametrize(
    "start, message",
    [
        (lambda hub: nth_quarter(hub, -2), "outside the award period"),
        (
            lambda hub: quarter_start(timezone.localdate() + datetime.timedelta(days=200)),
            "has not started yet",
        ),
    ],
)
def test_a_quarter_outside_the_award_or_in_the_future_is_refused(hub, owner, start, message):
    with pytest.raises(ValidationError) as refused:
        spend_quarter_open(hub=hub, start=start(hub), by=owner)
    assert message in " ".join(_refusal(refused)["start"])
    assert not SpendQuarter.objects.exists()


def test_a_duplicate_quarter_is_refused(hub, owner):
    spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    with pytest.raises(ValidationError) as refused:
        spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    assert "already has spend" in _refusal(refused)["start"][0]
    assert SpendQuarter.objects.count() == 1


def test_a_negative_amount_is_refused_unless_marked_a_refund(hub, owner):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    with pytest.raises(ValidationError) as refused:
        spend_line_add(
            quarter=quarter, version=quarter.version, by=owner, category="staff", amount=Decimal("-5")
        )
    assert "cannot be negative" in _refusal(refused)["amount"][0]
    assert not SpendLine.objects.exists()
    quarter.refresh_from_db()
    assert quarter.version == 1  # nothing changed
    spend_line_add(
        quarter=quarter,
        version=quarter.version,
        by=owner,
        category="staff",
        amount=Decimal("-5"),
        is_refund=True,
    )
    assert SpendLine.objects.get().amount == Decimal("-5.00")


def test_a_refund_must_be_negative(hub, owner):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    with pytest.raises(ValidationError) as refused:
        spend_line_add(
            quarter=quarter,
            version=quarter.version,
            by=owner,
            category="staff",
            amount=Decimal("5"),
            is_refund=True,
        )
    assert "negative amount" in _refusal(refused)["amount"][0]


def test_too_many_digits_and_another_hubs_adoption_are_refused(hub, other_hub, owner):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    with pytest.raises(ValidationError) as refused:
        spend_line_add(
            quarter=quarter,
            version=quarter.version,
            by=owner,
            category="staff",
            amount=Decimal("123456789.123"),
        )
    assert "amount" in _refusal(refused)
    with pytest.raises(ValidationError) as refused:
        spend_line_add(
            quarter=quarter,
            version=quarter.version,
            by=owner,
            category="staff",
            amount=Decimal("10"),
            adoption=AdoptionFactory(hub=other_hub),
        )
    assert "this hub's own adoptions" in _refusal(refused)["adoption"][0]
    assert not SpendLine.objects.exists()


def test_only_the_hubs_own_staff_enter_spend(hub, reader, evaluator_user, admin_user_ahsn):
    for user in (reader, evaluator_user, admin_user_ahsn):
        with pytest.raises(PermissionDenied):
            spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=user)
    assert not SpendQuarter.objects.exists()


def test_members_enter_leads_submit_evaluators_approve(hub, owner, lead, evaluator_user):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    spend_line_add(
        quarter=quarter, version=quarter.version, by=owner, category="staff", amount=Decimal("100")
    )
    quarter.refresh_from_db()
    with pytest.raises(PermissionDenied):
        spend_quarter_submit(quarter=quarter, version=quarter.version, by=owner)
    quarter = spend_quarter_submit(quarter=quarter, version=quarter.version, by=lead)
    assert quarter.status == SpendQuarter.Status.SUBMITTED
    with pytest.raises(PermissionDenied):  # submitted: locked for the hub
        spend_line_add(
            quarter=quarter, version=quarter.version, by=owner, category="staff", amount=Decimal("1")
        )
    with pytest.raises(PermissionDenied):
        spend_quarter_review(quarter=quarter, version=quarter.version, by=lead, approve=True)
    quarter = spend_quarter_review(quarter=quarter, version=quarter.version, by=evaluator_user, approve=True)
    assert quarter.status == SpendQuarter.Status.APPROVED
    assert [record.history_change_reason for record in quarter.history.order_by("history_date")][-2:] == [
        "Submitted",
        "Approved",
    ]


def test_a_returned_quarter_needs_a_note_and_opens_again_for_the_hub(hub, lead, evaluator_user):
    quarter = submitted_quarter(hub, nth_quarter(hub, 1), lead=lead, amounts=["100"])
    with pytest.raises(ValidationError) as refused:
        spend_quarter_review(quarter=quarter, version=quarter.version, by=evaluator_user, approve=False)
    assert "needs a note" in _refusal(refused)["note"][0]
    quarter = spend_quarter_review(
        quarter=quarter,
        version=quarter.version,
        by=evaluator_user,
        approve=False,
        note="Split the staff costs.",
    )
    assert quarter.status == SpendQuarter.Status.RETURNED
    line = spend_line_add(
        quarter=quarter, version=quarter.version, by=lead, category="staff", amount=Decimal("5")
    )
    spend_line_remove(line=line, version=quarter.version + 1, by=lead)
    assert quarter.lines.count() == 1


def test_a_stale_change_is_refused_and_loses_nothing(hub, owner, lead, evaluator_user):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    opened_at = quarter.version
    spend_line_add(quarter=quarter, version=opened_at, by=lead, category="staff", amount=Decimal("100"))
    with pytest.raises(EditConflict) as refused:
        spend_line_add(quarter=quarter, version=opened_at, by=owner, category="digital", amount=Decimal("7"))
    assert "Someone else saved this" in refused.value.messages[0]
    assert list(quarter.lines.values_list("amount", flat=True)) == [Decimal("100.00")]
    quarter.refresh_from_db()
    submitted = spend_quarter_submit(quarter=quarter, version=quarter.version, by=lead)
    with pytest.raises(EditConflict):  # reviewed from a page opened before the submission
        spend_quarter_review(
            quarter=submitted, version=submitted.version - 1, by=evaluator_user, approve=True
        )
    submitted.refresh_from_db()
    assert submitted.status == SpendQuarter.Status.SUBMITTED


def test_spent_counts_approved_spend_only_without_in_kind(hub, other_hub, lead, evaluator_user):
    adoption = AdoptionFactory(hub=hub)
    quarter = approved_quarter(
        hub, nth_quarter(hub, 0), lead=lead, evaluator=evaluator_user, amounts=["100.10"]
    )
    approved_quarter(
        hub, nth_quarter(hub, 1), lead=lead, evaluator=evaluator_user, amounts=["50.05"], in_kind=["999"]
    )
    submitted_quarter(hub, nth_quarter(hub, 2), lead=lead, amounts=["1000"])
    assert spent(hub=hub) == Decimal("150.15")
    assert spent(hub=hub, until=nth_quarter(hub, 0)) == Decimal("100.10")
    assert spent(hub=other_hub) == Decimal("0")
    assert spent(adoption=adoption) == Decimal("0")
    SpendLine.objects.filter(quarter=quarter).update(adoption=adoption)
    assert spent(adoption=adoption) == Decimal("100.10")
