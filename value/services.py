"""Writes to a hub's spend: open a quarter, add, change and remove its lines, submit it, review it.

Each service checks the acting user itself (``hubs.access``), locks the quarter, and records
who did what in its history. Changes to a quarter opened at an older version are refused
(``core.concurrency``), saying who changed what since.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import EditConflict, changes_since, save_if_unchanged
from core.history import stamp
from hubs.access import require_changeable, require_evaluator, require_hub_lead, require_hub_staff

from .models import SpendLine, SpendQuarter, quarter_errors, quarter_label

LINE_FIELDS = [
    "category",
    "description",
    "amount",
    "is_refund",
    "in_kind",
    "staff_hours",
    "staff_wte",
    "adoption",
]
REVIEW_NOTE_MAX = 2000


@transaction.atomic
def spend_quarter_open(*, hub, start: datetime.date, by) -> SpendQuarter:
    """Start entering a quarter's spend for ``hub``: refused outside the award, in the future, or twice."""
    require_hub_staff(by, hub.pk, "enter this hub's spend")
    errors = quarter_errors(hub, start)
    if errors:
        raise ValidationError({"start": errors})
    if SpendQuarter.objects.filter(hub=hub, start=start).exists():
        raise ValidationError({"start": f"This hub already has spend for {quarter_label(start)}."})
    quarter = SpendQuarter(hub=hub, start=start)
    stamp(quarter, by=by, reason="Started", new_version=False)
    quarter.full_clean()
    quarter.save()
    return quarter


def _lock(quarter: SpendQuarter, *, version: int) -> SpendQuarter:
    """The quarter locked for this change, if it is still at ``version``; ``EditConflict`` if not."""
    current = SpendQuarter.objects.select_for_update().get(pk=quarter.pk)
    if current.version != version:
        raise EditConflict(changes_since(current, version, ["status", "review_note"]), current.version)
    return current


def _touch(quarter: SpendQuarter, *, by, reason: str) -> None:
    """Move the quarter's version on, so a page opened before this change is refused as stale."""
    stamp(quarter, by=by, reason=reason)
    quarter.save()


@transaction.atomic
def spend_line_add(*, quarter: SpendQuarter, version: int, by, **fields) -> SpendLine:
    """Add a line to a quarter being entered (or returned) by its hub's staff."""
    require_changeable(SpendQuarter.objects, by, quarter, "change this quarter's spend")
    quarter = _lock(quarter, version=version)
    line = SpendLine(quarter=quarter, **{name: fields.get(name) for name in LINE_FIELDS if name in fields})
    stamp(line, by=by, reason="Added")
    line.full_clean()
    line.save()
    _touch(quarter, by=by, reason=f"Added {line.get_category_display().lower()} £{line.amount:,.2f}")
    return line


@transaction.atomic
def spend_line_remove(*, line: SpendLine, version: int, by) -> SpendQuarter:
    """Take a line out of a quarter being entered (or returned)."""
    quarter = line.quarter
    require_changeable(SpendQuarter.objects, by, quarter, "change this quarter's spend")
    quarter = _lock(quarter, version=version)
    reason = f"Removed {line.get_category_display().lower()} £{line.amount:,.2f}"
    stamp(line, by=by, reason="Removed")
    line.delete()
    _touch(quarter, by=by, reason=reason)
    return quarter


@transaction.atomic
def spend_quarter_submit(*, quarter: SpendQuarter, version: int, by) -> SpendQuarter:
    """The hub's lead sends the quarter to evaluators; it can no longer be changed unless returned."""
    require_hub_lead(by, quarter.hub_id, "submit the hub's spend")
    require_changeable(SpendQuarter.objects, by, quarter, "submit this quarter")
    if not quarter.lines.exists():
        raise ValidationError("Add at least one line before submitting the quarter.")
    return save_if_unchanged(
        quarter,
        expected_version=version,
        changes={
            "status": SpendQuarter.Status.SUBMITTED,
            "submitted_by": by,
            "submitted_at": timezone.now(),
        },
        by=by,
        reason="Submitted",
        fields=["status", "review_note"],
    )


@transaction.atomic
def spend_quarter_review(
    *, quarter: SpendQuarter, version: int, by, approve: bool, note: str = ""
) -> SpendQuarter:
    """An evaluator approves a submitted quarter, or returns it to the hub with a note."""
    require_evaluator(by, "approve or return spend")
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": "Say what the hub should check: a returned quarter needs a note."})
    if len(note) > REVIEW_NOTE_MAX:
        raise ValidationError({"note": f"Keep the note to {REVIEW_NOTE_MAX} characters."})
    current = _lock(quarter, version=version)
    if current.status != SpendQuarter.Status.SUBMITTED:
        raise ValidationError(f"This quarter is {current.get_status_display().lower()}, not awaiting review.")
    status = SpendQuarter.Status.APPROVED if approve else SpendQuarter.Status.RETURNED
    return save_if_unchanged(
        quarter,
        expected_version=version,
        changes={
            "status": status,
            "review_note": "" if approve else note,
            "reviewed_by": by,
            "reviewed_at": timezone.now(),
        },
        by=by,
        reason=status.label,
        fields=["status", "review_note"],
    )
