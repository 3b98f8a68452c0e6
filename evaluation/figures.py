"""Checking and saving many monthly figures at once: the entry grid and the upload share this.

``check`` sorts each proposed figure into new, changed, unchanged or error, with
messages keyed by field, and writes nothing. ``save`` runs the same check and,
only if no figure has an error, writes them all in one transaction: all or nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from . import summaries
from .models import Indicator, Measurement

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
FIGURE_FIELDS = ("value", "numerator", "denominator")


@dataclass
class ProposedFigure:
    """One figure someone wants to record: a grid cell, or a row of an uploaded file."""

    indicator: Indicator | None
    period: datetime.date | None
    imd_quintile: int | None = None
    value: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    row: int | None = None  # the file's row number or the grid's line, for messages
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.indicator.pk if self.indicator else None, self.period, self.imd_quintile)

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


@dataclass
class Outcome:
    figure: ProposedFigure
    status: str
    existing: Measurement | None = None

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.figure.errors.values() for message in messages]


def _existing_figures(figures: Sequence[ProposedFigure]) -> dict[tuple, Measurement]:
    indicator_ids = {f.indicator.pk for f in figures if f.indicator}
    periods = {f.period for f in figures if f.period}
    if not indicator_ids or not periods:
        return {}
    rows = Measurement.objects.filter(indicator__in=indicator_ids, period__in=periods)
    return {(m.indicator_id, m.period, m.imd_quintile): m for m in rows}


def _same_figure(existing: Measurement, figure: ProposedFigure) -> bool:
    return all(getattr(existing, name) == getattr(figure, name) for name in FIGURE_FIELDS)


def _as_measurement(figure: ProposedFigure, existing: Measurement | None, by) -> Measurement:
    measurement = existing or Measurement(
        indicator=figure.indicator, period=figure.period, imd_quintile=figure.imd_quintile
    )
    for name in FIGURE_FIELDS:
        setattr(measurement, name, getattr(figure, name))
    measurement.status = Measurement.Status.SUBMITTED
    measurement.review_note = ""
    measurement.submitted_by = by
    measurement.submitted_at = timezone.now()
    return measurement


def _model_errors(measurement: Measurement) -> dict[str, list[str]]:
    """The model's own rules (kind of metric, month, numbers); uniqueness is checked against the batch."""
    try:
        # The indicator and user are real rows already: checking that costs two queries a figure.
        measurement.full_clean(
            exclude=["indicator", "submitted_by"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        return exc.message_dict
    return {}


def check(figures: Sequence[ProposedFigure], *, by, changeable_indicator_ids) -> list[Outcome]:
    """Classify every figure without writing anything; ``changeable_indicator_ids`` are the user's.

    Give figures indicators loaded with ``select_related("metric", "adoption")``: the
    model's rules read both, and a shared instance keeps that to one query per indicator.
    """
    existing = _existing_figures(figures)
    first_row_of: dict[tuple, int | None] = {}
    outcomes = []
    for figure in figures:
        outcomes.append(_classify(figure, existing, first_row_of, changeable_indicator_ids, by))
    return outcomes


def _classify(figure, existing, first_row_of, changeable_ids, by) -> Outcome:
    if figure.errors or figure.indicator is None or figure.period is None:
        return Outcome(figure, ERROR)
    if figure.indicator.pk not in changeable_ids:
        figure.add_error("indicator", "You can only record figures for your own hubs' indicators.")
        return Outcome(figure, ERROR)
    if figure.key in first_row_of:
        where = first_row_of[figure.key]
        figure.add_error(
            "period", f"This figure is given twice{f' (first on row {where})' if where else ''}."
        )
        return Outcome(figure, ERROR)
    first_row_of[figure.key] = figure.row
    current = existing.get(figure.key)
    if current and _same_figure(current, figure):
        return Outcome(figure, UNCHANGED, current)
    if current and current.status == Measurement.Status.APPROVED:
        figure.add_error(
            "value", "This month's figure is approved and locked; ask an evaluator to return it."
        )
        return Outcome(figure, ERROR, current)
    for name, messages in _model_errors(_as_measurement(figure, None, by)).items():
        for message in messages:
            figure.add_error(name, message)
    if figure.errors:
        return Outcome(figure, ERROR, current)
    return Outcome(figure, CHANGED if current else NEW, current)


UPDATED_FIELDS = (*FIGURE_FIELDS, "status", "review_note", "submitted_by", "submitted_at", "version")


def _update_changed(changed: list[Measurement], *, by) -> None:
    """One small UPDATE per figure, sent as a batch, then their history rows in bulk.

    Django's bulk_update writes a CASE per row and field and holds every batch in
    memory: for 100,000 figures that is minutes and a gigabyte; this is seconds.
    """
    fields = [Measurement._meta.get_field(name) for name in UPDATED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(Measurement._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    params = [
        [f.get_db_prep_save(getattr(measurement, f.attname), connection) for f in fields] + [measurement.pk]
        for measurement in changed
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    Measurement.history.bulk_history_create(changed, batch_size=2000, update=True, default_user=by)


class FiguresRefused(ValidationError):
    """At least one figure has an error: nothing was saved."""

    def __init__(self, outcomes: list[Outcome]):
        self.outcomes = outcomes
        errors = [o for o in outcomes if o.status == ERROR]
        super().__init__(
            f"{len(errors)} figure{'s' if len(errors) != 1 else ''} could not be saved: nothing was saved."
        )


@transaction.atomic
def save(figures: Sequence[ProposedFigure], *, by, changeable_indicator_ids) -> list[Outcome]:
    """Save every new and changed figure as submitted, or none of them if any has an error."""
    outcomes = check(figures, by=by, changeable_indicator_ids=changeable_indicator_ids)
    if any(o.status == ERROR for o in outcomes):
        raise FiguresRefused(outcomes)
    new = [_as_measurement(o.figure, None, by) for o in outcomes if o.status == NEW]
    changed = [_as_measurement(o.figure, o.existing, by) for o in outcomes if o.status == CHANGED]
    for measurement in changed:
        measurement.version += 1
    if new:
        try:
            with transaction.atomic():
                bulk_create_with_history(new, Measurement, batch_size=2000, default_user=by)
        except IntegrityError as exc:  # someone saved the same months between the check and now
            raise ValidationError(
                "Someone saved figures for some of these months at the same time: nothing was saved. Check again."
            ) from exc
    if changed:
        _update_changed(changed, by=by)
    summaries.refresh({o.figure.indicator.pk for o in outcomes if o.status in (NEW, CHANGED)})
    return outcomes
