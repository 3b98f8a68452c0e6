"""What waits in a hub's spend: for evaluators, quarters to approve; for a hub's lead, quarters returned."""

from __future__ import annotations

import datetime

from django.urls import reverse

from core.todo import TodoItem, Urgency
from hubs.access import Roles

from .models import SpendQuarter


def todo_items(user, roles: Roles, today: datetime.date) -> list[TodoItem]:
    """One query for each kind of list the user has: none for anyone else."""
    items = []
    if roles.reviews_figures:
        for quarter in (
            SpendQuarter.objects.awaiting_review().select_related("hub").order_by("start", "hub__name")
        ):
            items.append(
                TodoItem(
                    title=f"{quarter.hub.name}: spend for {quarter.label}",
                    url=reverse("value:quarter", args=[quarter.pk]),
                    urgency=Urgency.TO_REVIEW,
                    tag="To approve",
                    detail="Submitted by the hub's lead: approve it, or return it with a note.",
                )
            )
    if roles.lead_hub_ids:
        returned = SpendQuarter.objects.filter(
            hub__in=roles.lead_hub_ids, status=SpendQuarter.Status.RETURNED
        ).select_related("hub", "reviewed_by")
        for quarter in returned.order_by("start"):
            items.append(
                TodoItem(
                    title=f"{quarter.hub.name}: spend for {quarter.label}",
                    url=reverse("value:quarter", args=[quarter.pk]),
                    urgency=Urgency.RETURNED,
                    tag="Returned",
                    detail="Returned by the evaluator: correct the lines and submit the quarter again.",
                    note=quarter.review_note,
                )
            )
    return items
