"""Writes to indicators and measurements."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import Indicator, Measurement


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
    return measurement


@transaction.atomic
def measurement_update(
    *,
    measurement: Measurement,
    by,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
) -> Measurement:
    """Correct a figure not yet approved; it goes back to evaluators as submitted."""
    measurement.value = value
    measurement.numerator = numerator
    measurement.denominator = denominator
    measurement.status = Measurement.Status.SUBMITTED
    measurement.submitted_by = by
    measurement.submitted_at = timezone.now()
    measurement.full_clean()
    measurement.save()
    return measurement
