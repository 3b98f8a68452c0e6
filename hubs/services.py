"""Writes to hubs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core.concurrency import locked_at
from core.history import stamp

from .access import require_changeable, require_hub_lead, require_hub_staff
from .models import EngagementEvent, Hub, Organisation, Partnership


@transaction.atomic
def hub_update(*, hub: Hub, by, clinical_areas=None, **changes) -> Hub:
    """Change a hub's profile, checking the award against the programme's cap; history keeps the old one.

    Only the hub's own staff (members and leads) may: ``Hub.objects.changeable_by``.
    """
    require_changeable(Hub.objects, by, hub, "change this hub's profile")
    for field, value in changes.items():
        setattr(hub, field, value)
    hub.full_clean()
    stamp(hub, by=by)
    hub.save()
    if clinical_areas is not None:
        hub.clinical_areas.set(clinical_areas)
    return hub


@transaction.atomic
def partnership_add(*, hub: Hub, organisation: Organisation, role: str, joined_on, by) -> Partnership:
    """Record that ``organisation`` works with ``hub`` in ``role`` from ``joined_on``: the hub's lead decides."""
    require_hub_lead(by, hub.pk, "add the hub's partners")
    if Partnership.objects.filter(hub=hub, organisation=organisation, left_on__isnull=True).exists():
        raise ValidationError(
            {
                "organisation": f"{organisation} is already a partner of {hub}: change its role on the partners page."
            }
        )
    partnership = Partnership(hub=hub, organisation=organisation, role=role, joined_on=joined_on)
    partnership.full_clean(validate_constraints=False)
    stamp(partnership, by=by, new_version=False)
    partnership.save()
    return partnership


@transaction.atomic
def partnership_update(
    *, partnership: Partnership, version: int, by, reason: str = "", **changes
) -> Partnership:
    """Change a partner's role or dates (``left_on`` ends it, the row stays); history keeps the old ones.

    Refused (``EditConflict``) if someone saved the partnership since ``version``.
    """
    require_changeable(Partnership.objects, by, partnership, "change this hub's partners")
    partnership = locked_at(partnership, version=version, fields=changes)
    for field, value in changes.items():
        setattr(partnership, field, value)
    partnership.full_clean(validate_constraints=False)
    stamp(partnership, by=by, reason=reason)
    partnership.save()
    return partnership


def _save_event(
    event: EngagementEvent, *, by, organisations, reason: str = "", new_version: bool
) -> EngagementEvent:
    event.full_clean(exclude=["organisations"])
    stamp(event, by=by, reason=reason, new_version=new_version)
    event.save()
    if organisations is not None:
        event.organisations.set(organisations)
    return event


@transaction.atomic
def engagement_log(*, hub: Hub, by, organisations=(), **fields) -> EngagementEvent:
    """Log an event, workshop or training session of ``hub``: any of the hub's own staff may."""
    require_hub_staff(by, hub.pk, "log the hub's events")
    return _save_event(
        EngagementEvent(hub=hub, **fields), by=by, organisations=organisations, new_version=False
    )


@transaction.atomic
def engagement_update(
    *, event: EngagementEvent, version: int, by, organisations=None, reason: str = "", **changes
) -> EngagementEvent:
    """Correct a logged event; its earlier versions stay in its history.

    Refused (``EditConflict``) if someone saved the event since ``version``.
    """
    require_changeable(EngagementEvent.objects, by, event, "change this hub's events")
    event = locked_at(event, version=version, fields=changes)
    for field, value in changes.items():
        setattr(event, field, value)
    return _save_event(event, by=by, organisations=organisations, reason=reason, new_version=True)


@transaction.atomic
def engagement_archive(*, event: EngagementEvent, by, reason: str = "") -> EngagementEvent:
    """Take an event out of the log and its counts (logged in error, cancelled): archived, never deleted."""
    require_changeable(EngagementEvent.objects, by, event, "archive this hub's events")
    event = EngagementEvent.objects.select_for_update().get(pk=event.pk)
    event.archived = True
    stamp(event, by=by, reason=reason)
    event.save(update_fields=["archived", "version"])
    return event
