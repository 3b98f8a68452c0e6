"""Writes to indicators: choosing them, their targets, baselines and rebase points (figures: ``measurements``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.concurrency import save_if_unchanged
from core.history import stamp
from core.people import display_name
from hubs.access import require_changeable, require_evaluator
from hubs.models import Membership
from innovations.models import Adoption

from . import summaries
from .flags import flags_refresh
from .models import BASELINE_TOO_SHORT, MIN_BASELINE_MONTHS, Indicator, Metric, RebasePoint

# Choosing indicators: hub staff pick the metrics an adoption reports, and their targets.


def _refuse_short_baseline(baseline_length: int | None) -> None:
    if baseline_length is not None and baseline_length < MIN_BASELINE_MONTHS:
        raise ValidationError({"baseline_length": BASELINE_TOO_SHORT})


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
    require_changeable(Adoption.objects, by, adoption, "choose this adoption's indicators")
    if Indicator.objects.filter(adoption=adoption, metric=metric).exists():
        raise _already_reports(metric)
    _refuse_short_baseline(baseline_length)
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


INDICATOR_FIELDS_HUBS_CHANGE = {"target", "owner"}  # evaluators set baselines and rebases


def _refuse_owner_outside_hub(indicator: Indicator, owner) -> None:
    """An indicator's owner is an active member of its hub (None: the hub's lead answers for it)."""
    if owner is None:
        return
    hub_id = indicator.adoption.hub_id
    if not (owner.is_active and Membership.objects.filter(hub=hub_id, user=owner).exists()):
        hub = indicator.adoption.hub
        raise ValidationError({"owner": f"Choose a member of {hub.name}: {display_name(owner)} is not one."})


@transaction.atomic
def indicator_update(*, indicator: Indicator, by, version: int, **changes) -> Indicator:
    """Change an indicator opened at ``version`` (its target, its owner); refused, saying what changed, if stale."""
    if unknown := set(changes) - INDICATOR_FIELDS_HUBS_CHANGE:
        raise TypeError(f"Hub staff cannot change an indicator's {', '.join(sorted(unknown))}.")
    require_changeable(Indicator.objects, by, indicator, "change this indicator")
    if "owner" in changes:
        _refuse_owner_outside_hub(indicator, changes["owner"])
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
    _refuse_short_baseline(baseline_length)
    indicator.baseline_length = baseline_length
    stamp(indicator, by=by, reason=reason)
    indicator.save(update_fields=["baseline_length", "version"])
    summaries.refresh([indicator.pk])
    flags_refresh([indicator.pk])  # the limits moved: so may the months outside them
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
    flags_refresh([indicator.pk])  # the limits moved: so may the months outside them
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
    flags_refresh([indicator_id])  # the limits moved: so may the months outside them
    return rebase
