"""What waits in learning: summaries for another AHSN admin to review, and roll-up runs that failed."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef
from django.urls import reverse

from core.people import display_name
from core.todo import TodoItem, Urgency
from hubs.access import Roles

from .models import LearningSummary, RollupRun
from .summaries import may_review

FAILED = (RollupRun.Status.FAILED, RollupRun.Status.ABANDONED)
SUCCEEDED = (RollupRun.Status.SUCCEEDED, RollupRun.Status.UNCHANGED)
FAILURES_LOOKED_BACK = datetime.timedelta(days=14)


def summaries_to_review(user):
    """Summaries in review that ``user`` may review: another admin sent or last edited them."""
    in_review = (
        LearningSummary.objects.filter(status=LearningSummary.Status.IN_REVIEW)
        .select_related("submitted_by")
        .order_by("submitted_at")
    )
    return [summary for summary in in_review if may_review(summary, user)]


def failed_runs(today: datetime.date):
    """The latest failed run of each recent day that no later run has built since."""
    built_later = RollupRun.objects.filter(
        day=OuterRef("day"), status__in=SUCCEEDED, queued_at__gt=OuterRef("queued_at")
    )
    runs = (
        RollupRun.objects.filter(status__in=FAILED, day__gte=today - FAILURES_LOOKED_BACK)
        .exclude(Exists(built_later))
        .order_by("day", "-queued_at")
    )
    latest: dict[datetime.date, RollupRun] = {}
    for run in runs:
        latest.setdefault(run.day, run)
    return list(latest.values())


def todo_items(user, roles: Roles, today: datetime.date) -> list[TodoItem]:
    if not roles.curates:
        return []
    items = [
        TodoItem(
            title=f"Review the learning summary “{summary.title}”",
            url=reverse("learning:summary_manage", args=[summary.pk]),
            urgency=Urgency.TO_REVIEW,
            tag="To review",
            detail=f"Sent for review by {display_name(summary.submitted_by)}"
            + (f" on {summary.submitted_at:%-d %B %Y}." if summary.submitted_at else "."),
        )
        for summary in summaries_to_review(user)
    ]
    items += [
        TodoItem(
            title=f"The roll-up report for {run.day:%-d %B %Y} failed",
            url=reverse("learning:run", args=[run.pk]),
            urgency=Urgency.TO_FINISH,
            tag=run.get_status_display().split(":")[0],
            detail=(run.error.splitlines()[0][:200] if run.error else "No error was recorded.")
            + " Run it again once the cause is fixed.",
        )
        for run in failed_runs(today)
    ]
    return items
