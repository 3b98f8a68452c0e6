"""What waits in the figures: for hub staff, figures to send and files to import; for evaluators, reviews."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.urls import reverse
from django.utils import timezone

from core.numbers import counted
from core.people import display_name
from core.todo import TodoItem, Urgency
from hubs.access import Roles

from .calendar import FigureStatus
from .hub_months import hub_months_awaiting_review
from .models import MeasurementUpload
from .reopening import decide_url, pending_requests
from .reporting import IndicatorMonth, figures_due_for

UPLOADS_LOOKED_BACK = datetime.timedelta(days=30)
URGENCY_OF = {FigureStatus.OVERDUE: Urgency.OVERDUE, FigureStatus.DUE: Urgency.DUE}


def grid_url(item: IndicatorMonth) -> str:
    return reverse("evaluation:figures_grid", args=[item.adoption.pk, f"{item.period:%Y-%m}"])


# Hub staff --------------------------------------------------------------------------------------


def _due_item(items: list[IndicatorMonth], user) -> TodoItem:
    """One adoption-month's figures not yet sent: one line, however many indicators."""
    first = items[0]
    adoption, status = first.adoption, first.status
    yours = sum(1 for item in items if item.owner is not None and item.owner.pk == user.pk)
    names = ", ".join(item.indicator.metric.name for item in items)
    when = f"due {first.due:%-d %B}" if status == FigureStatus.DUE else f"were due {first.due:%-d %B %Y}"
    return TodoItem(
        title=f"{adoption.innovation.name}: figures for {first.period:%B %Y}",
        url=grid_url(first),
        urgency=URGENCY_OF[status],
        tag="Overdue" if status == FigureStatus.OVERDUE else f"Due {first.due:%-d %B}",
        detail=f"{adoption.hub.name}: {counted(len(items), 'indicator')} {when} ({names})."
        + (f" You own {yours} of them." if yours else ""),
        due=first.due,
    )


def _returned_item(item: IndicatorMonth, user) -> TodoItem:
    yours = item.owner is not None and item.owner.pk == user.pk
    return TodoItem(
        title=f"{item.adoption.innovation.name}: {item.indicator.metric.name}, {item.period:%B %Y}",
        url=grid_url(item),
        urgency=Urgency.RETURNED,
        tag="Returned",
        detail=f"{item.adoption.hub.name}: returned by {item.returned_by or 'an evaluator'}"
        + (", and you own this indicator." if yours else ".")
        + " Correct the figure, or explain it, and save it again.",
        note=item.note,
        due=item.due,
    )


def figure_items(user, today: datetime.date) -> list[TodoItem]:
    waiting = figures_due_for(user, today)
    items = [_returned_item(item, user) for item in waiting if item.status == FigureStatus.RETURNED]
    not_sent = sorted(
        (item for item in waiting if item.status != FigureStatus.RETURNED),
        key=lambda item: (item.adoption.pk, item.period, item.status),
    )
    for _, group in groupby(not_sent, key=lambda item: (item.adoption.pk, item.period, item.status)):
        items.append(_due_item(list(group), user))
    return items


def uploads_to_import(hub_ids):
    """Files of these hubs checked in the last 30 days and not imported since."""
    return (
        MeasurementUpload.objects.filter(
            adoption__hub__in=hub_ids,
            status=MeasurementUpload.Status.CHECKED,
            created_at__gte=timezone.now() - UPLOADS_LOOKED_BACK,
        )
        .select_related("adoption__innovation", "adoption__hub", "uploaded_by")
        .defer("content", "rows", "versions_seen")
        .order_by("created_at")
    )


def upload_items(hub_ids) -> list[TodoItem]:
    return [
        TodoItem(
            title=f"Import the checked file “{upload.file_name}”",
            url=upload.get_absolute_url(),
            urgency=Urgency.TO_FINISH,
            tag="Checked",
            detail=f"{upload.adoption.innovation.name}, {upload.adoption.hub.name}: uploaded by "
            f"{display_name(upload.uploaded_by)} on {timezone.localtime(upload.created_at):%-d %B %Y}. "
            "Nothing is saved until it is imported.",
        )
        for upload in uploads_to_import(hub_ids)
    ]


# Evaluators -------------------------------------------------------------------------------------


def review_items() -> list[TodoItem]:
    items = []
    for month in hub_months_awaiting_review():
        extras = [
            counted(month.resubmitted, "figure") + " resubmitted after a return" if month.resubmitted else "",
            counted(month.flags, "data-quality flag") if month.flags else "No data-quality flags",
        ]
        items.append(
            TodoItem(
                title=f"Review {month.hub.name}'s figures for {month.period:%B %Y}",
                url=month.url,
                urgency=Urgency.TO_REVIEW,
                tag="Resubmitted" if month.resubmitted else "To review",
                detail=f"{counted(month.awaiting, 'figure')} awaiting review. "
                + ". ".join(extra for extra in extras if extra)
                + ".",
                due=month.period,
            )
        )
    return items


def reopen_items() -> list[TodoItem]:
    return [
        TodoItem(
            title=f"Reopen {request.indicator.adoption.hub.name}'s {request.indicator.metric.name} "
            f"for {request.period:%B %Y}?",
            url=decide_url(request),
            urgency=Urgency.TO_DECIDE,
            tag="To decide",
            detail=f"{request.indicator.adoption.innovation.name}: asked by {display_name(request.requested_by)} "
            f"on {timezone.localtime(request.requested_at):%-d %B %Y}.",
            note=request.reason,
        )
        for request in pending_requests()
    ]


def todo_items(user, roles: Roles, today: datetime.date) -> list[TodoItem]:
    items = figure_items(user, today) + upload_items(roles.hub_ids) if roles.is_hub_staff else []
    if roles.reviews_figures:
        items += review_items() + reopen_items()
    return items
