"""What waits in the catalogue and the adoptions: stalled adoptions and complexity checks due for hub staff, proposals for curators."""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.urls import reverse

from core.todo import TodoItem, Urgency
from hubs.access import Roles

from .complexity import Due, due_state, next_check_due
from .models import Adoption, Innovation
from .stages import EXIT_STAGES, STAGES_THAT_STALL

STALLED_AFTER = datetime.timedelta(days=90)


def stalled_adoptions(hub_ids, today: datetime.date):
    """Current adoptions of these hubs with no stage move for 90 days, in a stage where that is a stall."""
    return (
        Adoption.objects.current()
        .filter(hub__in=hub_ids, stage__in=STAGES_THAT_STALL, stage_since__lte=today - STALLED_AFTER)
        .select_related("hub", "innovation")
        .order_by("stage_since")
    )


def complexity_checks_due(hub_ids, today: datetime.date) -> list[tuple[Adoption, datetime.date, Due]]:
    """These hubs' adoptions under way whose next complexity check is due (within 30 days) or overdue."""
    adoptions = (
        Adoption.objects.current()
        .filter(hub__in=hub_ids)
        .exclude(stage__in=EXIT_STAGES)
        .annotate(last_checked_on=Max("complexity_checks__checked_on"))
        .select_related("hub", "innovation")
    )
    due = []
    for adoption in adoptions:
        due_on = next_check_due(adoption.started_on, adoption.last_checked_on)
        if (state := due_state(due_on, today)) != Due.NOT_YET:
            due.append((adoption, due_on, state))
    return sorted(due, key=lambda row: (row[1], row[0].innovation.name, row[0].hub.name))


def _complexity_item(adoption: Adoption, due_on: datetime.date, state: Due) -> TodoItem:
    last = adoption.last_checked_on
    return TodoItem(
        title=f"{adoption.innovation.name}: complexity check {'overdue' if state == Due.OVERDUE else 'due'}",
        url=reverse("innovations:complexity_check_add", args=[adoption.pk]),
        urgency=Urgency.OVERDUE if state == Due.OVERDUE else Urgency.DUE,
        tag="Overdue" if state == Due.OVERDUE else f"Due {due_on:%-d %B}",
        detail=f"{adoption.hub.name}: "
        + (
            f"last checked {last:%-d %B %Y}"
            if last
            else f"not checked since it started on {adoption.started_on:%-d %B %Y}"
        )
        + f"; due {due_on:%-d %B %Y}. Rate its seven NASSS domains again.",
        due=due_on,
    )


def todo_items(user, roles: Roles, today: datetime.date) -> list[TodoItem]:
    items = [
        _complexity_item(adoption, due_on, state)
        for adoption, due_on, state in complexity_checks_due(roles.hub_ids, today)
    ]
    items += [
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
