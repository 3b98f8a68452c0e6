"""What waits in the catalogue and the adoptions: stalled adoptions for hub staff, proposals for curators."""

from __future__ import annotations

import datetime

from django.urls import reverse

from core.todo import TodoItem, Urgency
from hubs.access import Roles

from .models import Adoption, Innovation
from .stages import STAGES_THAT_STALL

STALLED_AFTER = datetime.timedelta(days=90)


def stalled_adoptions(hub_ids, today: datetime.date):
    """Current adoptions of these hubs with no stage move for 90 days, in a stage where that is a stall."""
    return (
        Adoption.objects.current()
        .filter(hub__in=hub_ids, stage__in=STAGES_THAT_STALL, stage_since__lte=today - STALLED_AFTER)
        .select_related("hub", "innovation")
        .order_by("stage_since")
    )


def todo_items(user, roles: Roles, today: datetime.date) -> list[TodoItem]:
    items = [
        TodoItem(
            title=f"{adoption.innovation.name}: no stage move for {adoption.days_in_stage(today)} days",
            url=adoption.get_absolute_url(),
            urgency=Urgency.TO_LOOK_AT,
            tag="Stalled",
            detail=f"{adoption.hub.name}: “{adoption.get_stage_display()}” since {adoption.stage_since:%-d %B %Y}. "
            "Move it on, pause it, or note what holds it up.",
        )
        for adoption in stalled_adoptions(roles.hub_ids, today)
    ]
    if roles.curates:
        items += [
            TodoItem(
                title=f"Innovation proposed: {innovation.name}",
                url=reverse("innovations:innovation", args=[innovation.slug]),
                urgency=Urgency.TO_DECIDE,
                tag="To decide",
                detail=f"Proposed {innovation.created_at:%-d %B %Y}. Approve it, or merge it into an entry "
                "the catalogue already has.",
            )
            for innovation in Innovation.objects.filter(status=Innovation.Status.PROPOSED).order_by(
                "created_at"
            )
        ]
    return items
