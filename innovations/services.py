"""Writes to adoptions and their stage history. Views, commands and the admin all call these."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hubs.models import Hub

from .models import Adoption, Innovation, StageTransition
from .stages import Stage, move_errors


@transaction.atomic
def adoption_start(
    *,
    hub: Hub,
    innovation: Innovation,
    started_on: datetime.date,
    by,
    aims: str = "",
    target_population: str = "",
    lead=None,
) -> Adoption:
    """Start a hub's adoption of an innovation at "Identified", recording that first step."""
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": "The start date cannot be in the future."})
    adoption = Adoption(
        hub=hub,
        innovation=innovation,
        stage=Stage.IDENTIFIED,
        stage_since=started_on,
        started_on=started_on,
        aims=aims,
        target_population=target_population,
        lead=lead,
    )
    adoption.validate_constraints()
    try:
        with transaction.atomic():
            adoption.save()
    except IntegrityError as exc:  # a concurrent start of the same adoption
        raise ValidationError("This hub already adopts this innovation.") from exc
    StageTransition.objects.create(
        adoption=adoption, from_stage="", to_stage=Stage.IDENTIFIED, date=started_on, moved_by=by
    )
    return adoption


@transaction.atomic
def adoption_move(
    *, adoption: Adoption, to_stage: str, on: datetime.date | None, reason: str = "", by
) -> StageTransition:
    """Move an adoption to another stage, if the stage rules allow it; record who, when and why.

    Raises ValidationError (keyed by form field) and changes nothing when a rule is broken.
    """
    # Lock the row so two moves at once cannot both pass the date check.
    locked = Adoption.objects.select_for_update().get(pk=adoption.pk)
    errors = move_errors(
        current=locked.stage,
        target=to_stage,
        on=on,
        reason=reason,
        previous_move_on=locked.stage_since,
        today=timezone.localdate(),
    )
    if errors:
        raise ValidationError(errors)
    transition = StageTransition.objects.create(
        adoption=locked,
        from_stage=locked.stage,
        to_stage=to_stage,
        date=on,
        reason=reason.strip(),
        moved_by=by,
    )
    locked.stage = to_stage
    locked.stage_since = on
    locked._change_reason = f"Moved to {Stage(to_stage).label}"
    locked.save(update_fields=["stage", "stage_since", "updated_at"])
    adoption.refresh_from_db()
    return transition


@transaction.atomic
def adoption_archive(*, adoption: Adoption, reason: str, by) -> Adoption:
    """Hide an adoption from lists without deleting anything; the reason is kept."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are archiving this adoption."})
    adoption.archived = True
    adoption.archived_reason = reason.strip()
    adoption._change_reason = "Archived"
    adoption.save(update_fields=["archived", "archived_reason", "updated_at"])
    return adoption


@transaction.atomic
def adoption_restore(*, adoption: Adoption, by) -> Adoption:
    adoption.archived = False
    adoption.archived_reason = ""
    adoption._change_reason = "Restored"
    adoption.save(update_fields=["archived", "archived_reason", "updated_at"])
    return adoption
