"""The benefits register's rules: what a benefit holds, bad input refused with nothing changed, realised history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.concurrency import EditConflict
from tests.factories import AdoptionFactory, IndicatorFactory
from value.benefits import totals_by_kind, with_realised
from value.models import Benefit, RealisedValue
from value.services import (
    benefit_archive,
    benefit_record_realised,
    benefit_sign_off,
    benefit_update,
)

from .conftest import add_benefit

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def record(benefit, by, value, *, as_of=YESTERDAY, **kwargs):
    benefit.refresh_from_db()
    return benefit_record_realised(
        benefit=benefit,
        by=by,
        version=benefit.version,
        value=Decimal(value),
        as_of=as_of,
        evidence=kwargs.pop("evidence", "Finance ledger, month 9"),
        **kwargs,
    )


def test_a_benefit_keeps_exact_pounds(benefit):
    benefit.refresh_from_db()
    assert benefit.expected_value == Decimal("12000.00")
    assert benefit.history.count() == 1


def test_cash_releasing_must_be_in_pounds(adoption, owner):
    with pytest.raises(ValidationError) as refused:
        add_benefit(adoption, owner, unit=Benefit.Unit.HOURS)
    assert refused.value.message_dict["unit"] == [
        "A cash-releasing benefit is measured in pounds: choose Pounds (£)."
    ]
    assert not Benefit.objects.exists()


def test_negative_and_oversized_values_are_refused(adoption, owner):
    with pytest.raises(ValidationError) as negative:
        add_benefit(adoption, owner, expected_value=Decimal("-1"))
    assert "expected_value" in negative.value.message_dict
    with pytest.raises(ValidationError) as huge:
        add_benefit(adoption, owner, expected_value=Decimal("10000000000.00"))
    assert "expected_value" in huge.value.message_dict
    with pytest.raises(ValidationError) as fractions:
        add_benefit(adoption, owner, expected_value=Decimal("1.005"))
    assert "expected_value" in fractions.value.message_dict
    assert not Benefit.objects.exists()


def test_the_indicator_must_be_the_adoptions_own(adoption, owner):
    elsewhere = IndicatorFactory(adoption=AdoptionFactory(hub=adoption.hub))
    with pytest.raises(ValidationError) as refused:
        add_benefit(adoption, owner, indicator=elsewhere)
    assert refused.value.message_dict["indicator"] == ["Choose one of this adoption's own indicators."]
    own = IndicatorFactory(adoption=adoption)
    assert add_benefit(adoption, owner, indicator=own).indicator == own


def test_only_the_hubs_own_staff_add(adoption, reader, evaluator_user, admin_user_ahsn, lead):
    for outsider in (reader, evaluator_user, admin_user_ahsn):
        with pytest.raises(PermissionDenied):
            add_benefit(adoption, outsider)
    assert add_benefit(adoption, lead).created_by == lead


def test_an_archived_adoption_takes_no_benefits(adoption, owner):
    adoption.archived, adoption.archived_reason = True, "Stopped"
    adoption.save()
    with pytest.raises(ValidationError):
        add_benefit(adoption, owner)


def test_edit_is_refused_when_stale_and_when_by_another_hub(benefit, owner, lead, reader):
    benefit_update(benefit=benefit, by=owner, version=1, expected_value=Decimal("15000"))
    stale = Benefit.objects.get(pk=benefit.pk)
    with pytest.raises(EditConflict) as conflict:
        benefit_update(benefit=stale, by=lead, version=1, title="Something else")
    assert "Expected value is now “15000.00” (was “12000.00”)" in str(conflict.value)
    with pytest.raises(PermissionDenied):
        benefit_update(benefit=stale, by=reader, version=2, title="Something else")
    stale.refresh_from_db()
    assert stale.title == "Fewer outpatient follow-ups"


def test_realised_values_keep_their_history(benefit, owner):
    record(benefit, owner, "2000", as_of=YESTERDAY - datetime.timedelta(days=60), evidence="Q1 ledger")
    record(benefit, owner, "5500.50", evidence="Q2 ledger", evidence_url="https://example.org/q2")
    rows = list(benefit.realised_values.all())
    assert [(r.value, r.evidence) for r in rows] == [
        (Decimal("5500.50"), "Q2 ledger"),
        (Decimal("2000.00"), "Q1 ledger"),
    ]
    annotated = with_realised(Benefit.objects.filter(pk=benefit.pk)).get()
    assert annotated.realised_to_date == Decimal("5500.50")
    assert annotated.signed_off_to_date is None


def test_realised_bad_input_changes_nothing(benefit, owner):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as future:
        record(benefit, owner, "10", as_of=tomorrow)
    assert "as_of" in future.value.message_dict
    with pytest.raises(ValidationError) as before_start:
        record(benefit, owner, "10", as_of=benefit.adoption.started_on - datetime.timedelta(days=1))
    assert "before the adoption started" in before_start.value.message_dict["as_of"][0]
    with pytest.raises(ValidationError) as no_evidence:
        record(benefit, owner, "10", evidence="  ")
    assert no_evidence.value.message_dict["evidence"] == ["Say what the evidence is."]
    with pytest.raises(ValidationError) as negative:
        record(benefit, owner, "-10")
    assert "value" in negative.value.message_dict
    assert not RealisedValue.objects.exists()
    benefit.refresh_from_db()
    assert benefit.version == 1


def test_a_stale_realised_form_is_refused(benefit, owner, lead):
    opened_at = benefit.version
    record(benefit, owner, "100")
    with pytest.raises(EditConflict):
        benefit_record_realised(
            benefit=benefit, by=lead, version=opened_at, value=Decimal("200"), as_of=YESTERDAY, evidence="x"
        )
    assert RealisedValue.objects.count() == 1


def test_the_unit_is_fixed_once_values_are_realised(adoption, owner):
    benefit = add_benefit(adoption, owner, kind=Benefit.Kind.CAPACITY, unit=Benefit.Unit.HOURS)
    record(benefit, owner, "40")
    benefit.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        benefit_update(benefit=benefit, by=owner, version=benefit.version, unit=Benefit.Unit.BED_DAYS)
    assert "unit" in refused.value.message_dict


def test_sign_off_by_lead_or_evaluator_only(benefit, owner, lead, reader, evaluator_user, admin_user_ahsn):
    with pytest.raises(ValidationError, match="no realised value"):
        benefit_sign_off(benefit=benefit, by=lead, version=benefit.version)
    record(benefit, owner, "3000")
    benefit.refresh_from_db()
    for not_allowed in (owner, reader, admin_user_ahsn):
        with pytest.raises(PermissionDenied):
            benefit_sign_off(benefit=benefit, by=not_allowed, version=benefit.version)
    signed = benefit_sign_off(benefit=benefit, by=lead, version=benefit.version)
    assert signed.signed_off_by == lead and signed.signed_off_at is not None
    benefit.refresh_from_db()
    with pytest.raises(ValidationError, match="already signed off"):
        benefit_sign_off(benefit=benefit, by=evaluator_user, version=benefit.version)
    record(benefit, owner, "3500")
    benefit.refresh_from_db()
    assert benefit_sign_off(benefit=benefit, by=evaluator_user, version=benefit.version).signed_off_by == (
        evaluator_user
    )
    annotated = with_realised(Benefit.objects.filter(pk=benefit.pk)).get()
    assert annotated.signed_off_to_date == Decimal("3500.00")


def test_archive_keeps_the_benefit_and_needs_a_reason(benefit, owner):
    record(benefit, owner, "10")
    benefit.refresh_from_db()
    with pytest.raises(ValidationError):
        benefit_archive(benefit=benefit, by=owner, version=benefit.version, reason=" ")
    benefit_archive(benefit=benefit, by=owner, version=benefit.version, reason="Duplicate of another benefit")
    benefit.refresh_from_db()
    assert benefit.archived and RealisedValue.objects.filter(benefit=benefit).count() == 1
    assert not Benefit.objects.current().exists()
    with pytest.raises(ValidationError, match="archived"):
        record(benefit, owner, "20")


def test_totals_by_kind_keep_units_apart(adoption, owner):
    add_benefit(adoption, owner, expected_value=Decimal("1000.10"))
    add_benefit(adoption, owner, expected_value=Decimal("2000.20"))
    add_benefit(adoption, owner, kind=Benefit.Kind.NON_CASH_RELEASING, expected_value=Decimal("500"))
    add_benefit(
        adoption,
        owner,
        kind=Benefit.Kind.NON_CASH_RELEASING,
        unit=Benefit.Unit.HOURS,
        expected_value=Decimal("80"),
    )
    rows = totals_by_kind(with_realised(Benefit.objects.all()))
    assert [(r.kind, r.unit, r.benefits, r.expected.value) for r in rows] == [
        ("cash_releasing", "gbp", 2, Decimal("3000.30")),
        ("non_cash_releasing", "gbp", 1, Decimal("500.00")),
        ("non_cash_releasing", "hours", 1, Decimal("80.00")),
    ]
