"""Writes to indicators and measurements. Each keeps the indicator's summary row up to date."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.concurrency import save_if_unchanged
from core.history import stamp
from hubs.access import require_evaluator
from innovations.models import Adoption

from . import summaries
from .models import Indicator, Measurement, Metric, RebasePoint


@transaction.atomic
def measurement_submit(
    *,
    indicator: Indicator,
    period: datetime.date,
    by,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
    imd_quintile: int | None = None,
) -> Measurement:
    """Record a month's figure as submitted; refuse bad figures and a second one for the same month."""
    measurement = Measurement(
        indicator=indicator,
        period=period,
        imd_quintile=imd_quintile,
        value=value,
        numerator=numerator,
        denominator=denominator,
        status=Measurement.Status.SUBMITTED,
        submitted_by=by,
        submitted_at=timezone.now(),
    )
    measurement.full_clean()
    measurement.save()
    summaries.refresh([indicator.pk])
    return measurement


@transaction.atomic
def measurement_update(
    *,
    measurement: Measurement,
    by,
    version: int,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
) -> Measurement:
    """Correct a figure not yet approved, opened at ``version``; it goes back to evaluators as submitted."""
    if measurement.status == Measurement.Status.APPROVED:
        raise ValidationError("An approved figure is locked: ask an evaluator to return it first.")
    changes = {"value": value, "numerator": numerator, "denominator": denominator}
    save_if_unchanged(
        measurement,
        expected_version=version,
        by=by,
        fields=[*changes, "status"],
        changes={
            **changes,
            "status": Measurement.Status.SUBMITTED,
            "submitted_by": by,
            "submitted_at": timezone.now(),
        },
    )
    summaries.refresh([measurement.indicator_id])
    return measurement


@transaction.atomic
def measurements_review(*, measurements, by, approve: bool, note: str = "") -> int:
    """Approve, or return with a note, submitted figures; approved ones are then locked for hub staff.

    Takes a queryset (one figure, or every row of an indicator-month); rows not
    awaiting review are left as they are. Returns how many were reviewed.
    """
    require_evaluator(by, "approve or return figures")
    if not approve and not note.strip():
        raise ValidationError({"note": "Say what the hub should check: a returned figure needs a note."})
    now = timezone.now()
    reviewed = list(measurements.select_for_update().filter(status=Measurement.Status.SUBMITTED))
    for measurement in reviewed:  # save() each row, so history records the review
        measurement.status = Measurement.Status.APPROVED if approve else Measurement.Status.RETURNED
        measurement.review_note = "" if approve else note.strip()
        measurement.reviewed_by = by
        measurement.reviewed_at = now
        measurement.version += 1  # a hub's edit opened before the review is then refused
        measurement.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at", "version"])
    summaries.refresh({measurement.indicator_id for measurement in reviewed})
    return len(reviewed)


def month_rows(indicator: Indicator, period: datetime.date):
    """Every figure of an indicator-month: the total and its IMD quintile rows."""
    return Measurement.objects.filter(indicator=indicator, period=period)


# Choosing indicators: hub staff pick the metrics an adoption reports, and their targets.


def _already_reports(metric: Metric) -> ValidationError:
    return ValidationError({"metric": f"This adoption already reports “{metric.name}”."})


@transaction.atomic
def indicator_add(
    *,
    adoption: Adoption,
    metric: Metric,
    by,
    target: Decimal | None = None,
    baseline_length: int | None = None,
) -> Indicator:
    """Start reporting a metric for one of the user's own hubs' adoptions; a metric once only."""
    if not Adoption.objects.changeable_by(by).filter(pk=adoption.pk).exists():
        raise PermissionDenied("Only the hub's own staff can choose its indicators.")
    if Indicator.objects.filter(adoption=adoption, metric=metric).exists():
        raise _already_reports(metric)
    if baseline_length is not None and baseline_length < 2:
        raise ValidationError({"baseline_length": "A baseline needs at least 2 months."})
    indicator = Indicator(adoption=adoption, metric=metric, target=target, baseline_length=baseline_length)
    indicator.full_clean(validate_constraints=False)
    stamp(indicator, by=by, new_version=False)
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError as exc:  # the same metric added from another page at the same moment
        raise _already_reports(metric) from exc
    summaries.refresh([indicator.pk])
    return indicator


INDICATOR_FIELDS_HUBS_CHANGE = {"target"}  # evaluators set baselines and rebases


@transaction.atomic
def indicator_update(*, indicator: Indicator, by, version: int, **changes) -> Indicator:
    """Change an indicator opened at ``version`` (its target); refused, saying what changed, if stale."""
    if unknown := set(changes) - INDICATOR_FIELDS_HUBS_CHANGE:
        raise TypeError(f"Hub staff cannot change an indicator's {', '.join(sorted(unknown))}.")
    if not Indicator.objects.changeable_by(by).filter(pk=indicator.pk).exists():
        raise PermissionDenied("Only the hub's own staff can change its indicators.")
    save_if_unchanged(indicator, expected_version=version, changes=changes, by=by)
    summaries.refresh([indicator.pk])
    return indicator


# SPC options: an indicator's baseline and rebase points (evaluators only).


@transaction.atomic
def indicator_set_baseline(
    *, indicator: Indicator, baseline_length: int | None, by, reason: str = ""
) -> Indicator:
    """Fix the mean and limits on each group's first N months, or (None) on every month of the group."""
    require_evaluator(by, "set an indicator's baseline and rebase points")
    if baseline_length is not None and baseline_length < 2:
        raise ValidationError({"baseline_length": "A baseline needs at least 2 months."})
    indicator.baseline_length = baseline_length
    stamp(indicator, by=by, reason=reason)
    indicator.save(update_fields=["baseline_length", "version"])
    summaries.refresh([indicator.pk])
    return indicator


@transaction.atomic
def rebase_add(*, indicator: Indicator, period: datetime.date, reason: str, by) -> RebasePoint:
    """Start new limits from a month, because the process changed there; the reason is required."""
    require_evaluator(by, "set an indicator's baseline and rebase points")
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = "Enter a reason for the rebase."
    if period.day != 1:
        errors["period"] = "Give the month as its first day."
    elif RebasePoint.objects.filter(indicator=indicator, period=period).exists():
        errors["period"] = "There is already a rebase at this month."
    if errors:
        raise ValidationError(errors)
    rebase = RebasePoint(indicator=indicator, period=period, reason=reason, created_by=by)
    stamp(rebase, by=by, reason=reason)
    rebase.save()
    summaries.refresh([indicator.pk])
    return rebase


@transaction.atomic
def rebase_remove(*, rebase: RebasePoint, reason: str, by) -> RebasePoint:
    """Remove a rebase point. Its history keeps the row as it was, who removed it and why."""
    require_evaluator(by, "set an indicator's baseline and rebase points")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter a reason for removing the rebase."})
    indicator_id = rebase.indicator_id
    stamp(rebase, by=by, reason=reason)
    rebase.delete()
    summaries.refresh([indicator_id])
    return rebase
