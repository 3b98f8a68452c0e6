"""Writes to a hub's spend: open a quarter, add, change and remove its lines, submit it, review it.

Each service checks the acting user itself (``hubs.access``), locks the quarter, and records
who did what in its history. Changes to a quarter opened at an older version are refused
(``core.concurrency``), saying who changed what since.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.concurrency import EditConflict, changes_since, save_if_unchanged
from core.history import stamp
from core.quarters import quarter_label
from hubs.access import require_changeable, require_evaluator, require_hub_lead, require_hub_staff, roles_of
from innovations.models import Adoption

from .models import (
    BENEFIT_FIELDS,
    Benefit,
    RealisedValue,
    SpendLine,
    SpendQuarter,
    quarter_errors,
)

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
    # The rules behind the check constraints are in clean(), said next to their field; the database
    # still enforces them, so checking them twice would only say each one twice.
    line.full_clean(validate_constraints=False)
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


# ---------------------------------------------------------------------------------------
# Benefits register
# ---------------------------------------------------------------------------------------


def _refuse_archived(benefit: Benefit) -> None:
    if benefit.archived:
        raise ValidationError("This benefit is archived: it can be read but no longer changed.")


def _refuse_unit_change_after_realised(benefit: Benefit, changes: dict) -> None:
    """Realised values were recorded in the benefit's unit: changing it would change what they mean."""
    if "unit" in changes and changes["unit"] != benefit.unit and benefit.realised_values.exists():
        raise ValidationError(
            {
                "unit": "Realised values are recorded in this unit, so it cannot change: archive this "
                "benefit and add a new one in the other unit."
            }
        )


@transaction.atomic
def benefit_add(*, adoption: Adoption, by, is_synthetic: bool = False, **fields) -> Benefit:
    """Add a benefit the adoption expects; only its hub's own staff may."""
    require_hub_staff(by, adoption.hub_id, "add benefits to this adoption")
    if unknown := set(fields).difference(BENEFIT_FIELDS):
        raise TypeError(f"Unknown benefit fields: {', '.join(sorted(unknown))}.")
    if adoption.archived:
        raise ValidationError("This adoption is archived: it takes no new benefits.")
    benefit = Benefit(adoption=adoption, created_by=by, is_synthetic=is_synthetic, **fields)
    benefit.full_clean()
    stamp(benefit, by=by, reason="Added", new_version=False)
    benefit.save()
    return benefit


@transaction.atomic
def benefit_update(*, benefit: Benefit, by, version: int, **changes) -> Benefit:
    """Change a benefit opened at ``version``; refused, saying what changed since, if stale."""
    if unknown := set(changes).difference(BENEFIT_FIELDS):
        raise TypeError(f"Unknown benefit fields: {', '.join(sorted(unknown))}.")
    require_changeable(Benefit.objects, by, benefit, "change this benefit")
    _refuse_archived(benefit)
    _refuse_unit_change_after_realised(benefit, changes)
    save_if_unchanged(
        benefit, expected_version=version, changes=changes, by=by, reason="Edited", fields=BENEFIT_FIELDS
    )
    return benefit


@transaction.atomic
def benefit_archive(*, benefit: Benefit, by, version: int, reason: str) -> Benefit:
    """Archive a benefit with a reason: it leaves the totals; it and its realised values are kept."""
    require_changeable(Benefit.objects, by, benefit, "archive this benefit")
    _refuse_archived(benefit)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the benefit is archived."})
    save_if_unchanged(
        benefit,
        expected_version=version,
        changes={"archived": True, "archived_reason": reason},
        by=by,
        reason=f"Archived: {reason}",
    )
    return benefit


def _lock_at(benefit: Benefit, version: int, *, by, reason: str) -> None:
    """Move the benefit's version on, refusing a form opened before the latest change."""
    save_if_unchanged(
        benefit, expected_version=version, changes={}, by=by, reason=reason, fields=BENEFIT_FIELDS
    )


@transaction.atomic
def benefit_record_realised(
    *,
    benefit: Benefit,
    by,
    version: int,
    value: Decimal,
    as_of: datetime.date,
    evidence: str,
    evidence_url: str = "",
    recorded_at: datetime.datetime | None = None,
    is_synthetic: bool = False,
) -> RealisedValue:
    """Record the benefit's realised value to date, with its evidence; earlier values stay as they were."""
    require_changeable(Benefit.objects, by, benefit, "record this benefit's realised value")
    _refuse_archived(benefit)
    errors = {}
    today = timezone.localdate()
    if as_of > today:
        errors["as_of"] = "The date cannot be in the future: record what has been realised so far."
    elif as_of < benefit.adoption.started_on:
        errors["as_of"] = (
            f"The date cannot be before the adoption started ({benefit.adoption.started_on:%-d %B %Y})."
        )
    if not evidence.strip():
        errors["evidence"] = "Say what the evidence is."
    if errors:
        raise ValidationError(errors)
    _lock_at(benefit, version, by=by, reason="Realised value recorded")
    realised = RealisedValue(
        benefit=benefit,
        value=value,
        as_of=as_of,
        evidence=evidence.strip(),
        evidence_url=evidence_url,
        recorded_by=by,
        recorded_at=recorded_at or timezone.now(),
        is_synthetic=is_synthetic,
    )
    realised.full_clean()
    realised.save()
    return realised


def may_sign_off(user, benefit: Benefit) -> bool:
    """A lead of the benefit's hub, or an evaluator, signs off its realised value."""
    roles = roles_of(user)
    return roles.reviews_figures or roles.leads(benefit.adoption.hub_id)


@transaction.atomic
def benefit_sign_off(
    *, benefit: Benefit, by, version: int, at: datetime.datetime | None = None
) -> RealisedValue:
    """Sign off the benefit's latest realised value (a hub lead or an evaluator), dated now."""
    if not may_sign_off(by, benefit):
        raise PermissionDenied("Only the hub's lead or an evaluator can sign off a realised value.")
    _refuse_archived(benefit)
    latest = benefit.realised_values.select_for_update().order_by("-recorded_at", "-pk").first()
    if latest is None:
        raise ValidationError("There is no realised value to sign off yet.")
    if latest.is_signed_off:
        raise ValidationError("The latest realised value is already signed off.")
    _lock_at(benefit, version, by=by, reason="Realised value signed off")
    latest.signed_off_by = by
    latest.signed_off_at = at or timezone.now()
    latest.save(update_fields=["signed_off_by", "signed_off_at"])
    return latest
