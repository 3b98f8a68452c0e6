"""Writes to adoptions, their stage history and the catalogue. Views, commands and the admin all call these.

Each service first refuses (``PermissionDenied``, changing nothing) a user who may not make
the change: hub staff start and change their own hubs' adoptions (``changeable_by``) and
propose catalogue entries; AHSN admins approve, edit and merge entries.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify

from core.concurrency import EditConflict, changes_since, save_if_unchanged
from core.history import stamp
from core.people import display_name
from hubs.access import require_changeable, require_curator, require_hub_staff
from hubs.models import Hub, Membership
from notifications.models import Kind
from notifications.services import notify

from .complexity import DOMAINS, REASON_MAX_LENGTH, Rating, needs_checks, reason_field
from .models import Adoption, ComplexityCheck, Innovation, StageTransition
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
    require_hub_staff(by, hub.pk, "start adoptions for that hub")
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
    stamp(adoption, by=by, new_version=False)
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


# What a stage move changes: an edit opened before a move is refused, saying so.
CHANGED_BY_A_MOVE = ("stage", "stage_since")


@transaction.atomic
def adoption_move(
    *, adoption: Adoption, to_stage: str, on: datetime.date | None, reason: str = "", by, version: int
) -> StageTransition:
    """Move an adoption, opened at ``version``, to another stage if the stage rules allow it; record who, when and why.

    Raises ValidationError (keyed by form field) and changes nothing when a rule is broken,
    and ``EditConflict`` (saying who changed what) when someone changed the adoption since
    it was opened: two people moving it at once cannot both succeed.
    """
    require_changeable(Adoption.objects, by, adoption, "move this adoption to another stage")
    # Lock the row so two moves at once are taken one after the other.
    locked = Adoption.objects.select_for_update().get(pk=adoption.pk)
    if locked.version != version:
        raise EditConflict(changes_since(locked, version, CHANGED_BY_A_MOVE), locked.version)
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
    stamp(locked, by=by, reason=f"Moved to {Stage(to_stage).label}")
    locked.save(update_fields=["stage", "stage_since", "version", "updated_at"])
    adoption.refresh_from_db()
    return transition


@transaction.atomic
def adoption_archive(*, adoption: Adoption, reason: str, by) -> Adoption:
    """Hide an adoption from lists without deleting anything; the reason is kept."""
    require_changeable(Adoption.objects, by, adoption, "archive this adoption")
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are archiving this adoption."})
    adoption.archived = True
    adoption.archived_reason = reason.strip()
    stamp(adoption, by=by, reason="Archived", new_version=False)
    adoption.save(update_fields=["archived", "archived_reason", "updated_at"])
    return adoption


@transaction.atomic
def adoption_restore(*, adoption: Adoption, by) -> Adoption:
    """Bring an archived adoption back into lists."""
    require_changeable(Adoption.objects, by, adoption, "restore this adoption")
    adoption.archived = False
    adoption.archived_reason = ""
    stamp(adoption, by=by, reason="Restored", new_version=False)
    adoption.save(update_fields=["archived", "archived_reason", "updated_at"])
    return adoption


@transaction.atomic
def adoption_update(*, adoption: Adoption, by, version: int, clinical_areas=None, **changes) -> Adoption:
    """Change an adoption's aims, Core20PLUS5 aims or lead, as opened at ``version``.

    Refused (``EditConflict``, saying who changed what) if someone saved it since.
    The lead must belong to the adoption's hub, whatever the form offered.
    """
    require_changeable(Adoption.objects, by, adoption, "change this adoption")
    lead = changes.get("lead")
    if lead is not None and not Membership.objects.filter(user=lead, hub_id=adoption.hub_id).exists():
        raise ValidationError({"lead": "Choose a member of the adoption's hub."})
    locked = Adoption.objects.select_for_update().get(pk=adoption.pk)
    if clinical_areas is not None:
        # Set before the save and without records of their own, so the edit's one history
        # record holds the new areas. A refused save below rolls this back.
        locked.skip_history_when_saving = True
        try:
            locked.clinical_areas.set(clinical_areas)
        finally:
            del locked.skip_history_when_saving
    try:
        save_if_unchanged(
            locked,
            expected_version=version,
            changes=changes,
            by=by,
            reason="Edited",
            fields=[*changes, *CHANGED_BY_A_MOVE],
        )
    except EditConflict as conflict:
        changed = [*conflict.changes, *_areas_changed_since(locked, version)]
        raise EditConflict(changed, conflict.current_version) from None
    adoption.refresh_from_db()
    return adoption


def _areas_changed_since(adoption: Adoption, version: int) -> list[str]:
    """The Core20PLUS5 clinical areas changed since ``version``, by name, in ``EditConflict``'s words."""
    records = adoption.history.select_related("history_user").order_by("-history_date")
    then, now = records.filter(version=version).first(), records.first()
    if then is None or now is None:
        return []

    def areas(record) -> str:
        rows = record.clinical_areas.select_related("clinicalarea").order_by("clinicalarea")
        return ", ".join(str(row.clinicalarea) for row in rows) or "none"

    if (old_areas := areas(then)) == (new_areas := areas(now)):
        return []
    who = display_name(now.history_user, "someone")
    when = timezone.localtime(now.history_date).strftime("%-d %b %Y at %H:%M")
    return [f"Core20PLUS5 clinical areas are now {new_areas} (was {old_areas}), changed by {who} on {when}."]


@transaction.atomic
def complexity_check_add(
    *, adoption: Adoption, checked_on: datetime.date | None, by, **ratings: str
) -> ComplexityCheck:
    """Record the hub's NASSS complexity check of an adoption: all seven domains rated, or nothing.

    ``ratings`` holds, for each domain in ``innovations.complexity.DOMAINS``, its rating
    (``condition="complex"``) and its reason (``condition_reason="..."``). Refused, with a
    message for each field at fault and nothing written, when one is missing or too long, or
    the date is in the future, before the adoption started, or already has a check.
    """
    require_changeable(Adoption.objects, by, adoption, "add a complexity check to this adoption")
    locked = Adoption.objects.select_for_update().get(pk=adoption.pk)
    errors: dict[str, str] = {}
    if not needs_checks(locked):
        raise ValidationError("Restore the adoption, or move it back into the stages, before checking it.")
    if checked_on is None:
        errors["checked_on"] = "Enter the date of the check."
    elif checked_on > timezone.localdate():
        errors["checked_on"] = "The date of the check cannot be in the future."
    elif checked_on < locked.started_on:
        errors["checked_on"] = (
            f"The date of the check cannot be before the adoption started ({locked.started_on:%-d %B %Y})."
        )
    elif ComplexityCheck.objects.filter(adoption=locked, checked_on=checked_on).exists():
        errors["checked_on"] = "This adoption already has a complexity check on that date."
    values = {}
    for domain, label in DOMAINS:
        rating, reason = ratings.get(domain) or "", (ratings.get(reason_field(domain)) or "").strip()
        if rating not in Rating.values:
            errors[domain] = f"Rate {label.lower()}: simple, complicated or complex."
        if not reason:
            errors[reason_field(domain)] = f"Say in a few words why {label.lower()} is rated so."
        elif len(reason) > REASON_MAX_LENGTH:
            errors[reason_field(domain)] = (
                f"Keep the reason for {label.lower()} to {REASON_MAX_LENGTH} characters or fewer "
                f"(it has {len(reason)})."
            )
        values[domain], values[reason_field(domain)] = rating, reason
    if errors:
        raise ValidationError(errors)
    return ComplexityCheck.objects.create(adoption=locked, checked_on=checked_on, checked_by=by, **values)


# The catalogue: hub staff propose entries; AHSN admins approve, edit and merge them.


def _name_clash_error(name: str, exclude_pk: int | None = None) -> ValidationError | None:
    """A refusal naming (and linking to) the entry that already has this name, ignoring case."""
    existing = Innovation.objects.filter(name__iexact=name.strip()).exclude(pk=exclude_pk).first()
    if existing is None:
        return None
    # format_html escapes the name; the link itself is the only markup in the message.
    return ValidationError(
        {
            "name": format_html(
                'The catalogue already has “{}”: <a href="{}">see the existing entry</a>.',
                existing.name,
                reverse("innovations:innovation", args=[existing.slug]),
            )
        },
        code="duplicate",
    )


# Paths under /innovations/ that a slug must not take.
RESERVED_SLUGS = {"propose", "adoptions"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:190] or "innovation"
    taken = RESERVED_SLUGS | set(
        Innovation.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def innovation_propose(*, by, clinical_areas=(), **fields) -> Innovation:
    """Hub staff propose a new catalogue entry; it stays "proposed" until an AHSN admin approves it."""
    require_hub_staff(by, None, "propose innovations for the catalogue")
    clash = _name_clash_error(fields.get("name", ""))
    if clash:
        raise clash
    innovation = Innovation(
        **fields,
        slug=_unique_slug(fields.get("name", "")),
        status=Innovation.Status.PROPOSED,
        proposed_by=by,
    )
    innovation.full_clean()
    stamp(innovation, by=by, reason="Proposed", new_version=False)
    try:
        with transaction.atomic():
            innovation.save()
    except IntegrityError as exc:  # the same name proposed at the same moment
        raise _name_clash_error(innovation.name) or ValidationError("Try again.") from exc
    innovation.clinical_areas.set(clinical_areas)
    return innovation


@transaction.atomic
def innovation_approve(*, innovation: Innovation, by) -> Innovation:
    """Put a proposal in the catalogue for everyone."""
    require_curator(by, "approve proposed innovations")
    locked = Innovation.objects.select_for_update().get(pk=innovation.pk)
    if locked.status != Innovation.Status.PROPOSED:
        raise ValidationError(f"“{locked.name}” is not a proposal awaiting approval.")
    locked.status = Innovation.Status.APPROVED
    stamp(locked, by=by, reason="Approved")
    locked.save(update_fields=["status", "version"])
    _tell_proposer(locked, title=f"Your proposal “{locked.name}” is in the innovation catalogue", page=locked)
    innovation.refresh_from_db()
    return innovation


def _tell_proposer(proposal: Innovation, *, title: str, page: Innovation, body: str = "") -> None:
    """Tell whoever proposed an entry that it was decided, linking to ``page`` (once per proposal)."""
    notify(
        [proposal.proposed_by],
        kind=Kind.PROPOSAL_DECIDED,
        key=f"proposal-decided:{proposal.pk}",
        title=title[:300],
        url=reverse("innovations:innovation", args=[page.slug]),
        body=body[:2000],
    )


@transaction.atomic
def innovation_update(
    *, innovation: Innovation, by, version: int, clinical_areas=None, **changes
) -> Innovation:
    """Change an entry opened at ``version``; refused, with who changed what, if someone saved it since."""
    require_curator(by, "edit the innovation catalogue")
    if "name" in changes:
        clash = _name_clash_error(changes["name"], exclude_pk=innovation.pk)
        if clash:
            raise clash
    save_if_unchanged(innovation, expected_version=version, changes=changes, by=by, reason="Edited")
    if clinical_areas is not None:
        innovation.clinical_areas.set(clinical_areas)
    return innovation


@transaction.atomic
def innovation_merge(*, source: Innovation, target: Innovation, by, reason: str) -> Innovation:
    """Fold ``source`` into ``target``: its adoptions move to the target; the source is kept, marked merged.

    Refused, changing nothing, when a hub adopts both (a hub has one adoption per innovation).
    """
    require_curator(by, "merge entries in the innovation catalogue")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why these entries are being merged."})
    # Lock both entries in a fixed order, so two merges at once cannot deadlock or cross.
    locked = {
        row.pk: row
        for row in Innovation.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk")
    }
    src, dst = locked[source.pk], locked[target.pk]
    if src.pk == dst.pk:
        raise ValidationError({"target": "Choose another entry to merge into."})
    if src.status == Innovation.Status.MERGED:
        raise ValidationError(f"“{src.name}” has already been merged into another entry.")
    was_proposal = src.status == Innovation.Status.PROPOSED
    if not dst.is_approved:
        raise ValidationError({"target": "Merge into an approved entry."})
    moving = list(Adoption.objects.select_for_update().filter(innovation=src).select_related("hub"))
    both = sorted(
        Adoption.objects.filter(innovation=dst, hub__in=[a.hub_id for a in moving]).values_list(
            "hub__name", flat=True
        )
    )
    if both:
        raise ValidationError(
            f"Not merged: {', '.join(both)} already "
            f"{'adopts' if len(both) == 1 else 'adopt'} both “{src.name}” and “{dst.name}”, "
            "and a hub has one adoption per innovation. Archive or resolve one of each pair first."
        )
    for adoption in moving:
        adoption.innovation = dst
        stamp(adoption, by=by, reason=f"Moved from “{src.name}” when it was merged: {reason.strip()}")
        adoption.save()  # one by one, so each adoption's history records the move
    src.status = Innovation.Status.MERGED
    src.merged_into = dst
    stamp(src, by=by, reason=f"Merged into “{dst.name}”: {reason.strip()}")
    src.save(update_fields=["status", "merged_into", "version"])
    if was_proposal:
        _tell_proposer(
            src,
            title=f"Your proposal “{src.name}” was merged into “{dst.name}”",
            page=dst,
            body=f"Why: {reason.strip()}",
        )
    source.refresh_from_db()
    return dst
