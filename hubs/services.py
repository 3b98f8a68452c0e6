"""Writes to hubs."""

from __future__ import annotations

from django.db import transaction

from core.history import stamp

from .access import require_changeable
from .models import Hub


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
