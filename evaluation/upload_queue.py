"""Large uploads on a worker, through the outbox: queueing their check and import, and recovering
those that a lost worker (or a lost message) left "checking" or "importing".

The check and the import are promised in the transaction that records the upload's state
(``outbox.services.enqueue``), so they wait while the task queue is down and are handed over
when it is back. Both tasks are safe to run twice: each first looks at the upload's status.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from outbox.models import OutboxItem
from outbox.services import MAX_STARTS, enqueue, item_for

from .models import MeasurementUpload

Status = MeasurementUpload.Status
TASKS = {Status.CHECKING: "evaluation.tasks.check_upload", Status.IMPORTING: "evaluation.tasks.import_upload"}
KEYS = {Status.CHECKING: "check-upload", Status.IMPORTING: "import-upload"}


def queue_key(upload: MeasurementUpload, status: str | None = None) -> str:
    """The outbox key of the upload's check or import (by its status, or ``status``)."""
    return f"{KEYS[status or upload.status]}:{upload.pk}"


def _queue(upload: MeasurementUpload, status: str) -> None:
    enqueue(TASKS[status], upload.pk, key=queue_key(upload, status))


def queue_check(upload: MeasurementUpload) -> None:
    """Promise the upload's check to a worker, in the caller's transaction."""
    _queue(upload, Status.CHECKING)


def queue_import(upload: MeasurementUpload) -> None:
    """Promise the upload's import to a worker, in the caller's transaction."""
    _queue(upload, Status.IMPORTING)


def queue_state(upload: MeasurementUpload) -> OutboxItem | None:
    """Where a checking or importing upload's task is: waiting for the task queue, queued, running."""
    if upload.status not in KEYS:
        return None
    return item_for(queue_key(upload))


def lost_message(status: str) -> str:
    doing = "Checking" if status == Status.CHECKING else "Importing"
    return (
        f"Nothing was imported. {doing} this file stopped {MAX_STARTS} times before it finished, each time "
        "because the worker doing it was lost. Upload it again; if the same happens, split it into "
        "smaller files."
    )


def uploads_requeue_stuck(*, now: datetime.datetime) -> int:
    """Queue again the uploads left checking or importing; fail those tried too often (an outbox sweeper).

    An upload's task that has no outcome for ``settings.TAKEOVER_AFTER`` is handed over again
    by the outbox itself. Here: an upload whose task the outbox gave up on (begun
    ``MAX_STARTS`` times, its worker lost each time) is marked failed, saying so; one left
    behind with no promise at all (queued before the outbox), or whose task ended without
    moving it on, is queued again once it has been stuck for the takeover time. Returns how
    many uploads were queued again or failed.
    """
    cutoff = now - settings.TAKEOVER_AFTER
    changed = 0
    stuck = MeasurementUpload.objects.filter(status__in=list(KEYS)).only(
        "pk", "status", "created_at", "finished_at"
    )
    for upload in stuck:
        item = item_for(queue_key(upload))
        if item is not None and item.outcome == OutboxItem.Outcome.GAVE_UP:
            changed += MeasurementUpload.objects.filter(pk=upload.pk, status=upload.status).update(
                status=Status.FAILED, message=lost_message(upload.status), finished_at=now
            )
        elif item is None:
            # A check is stuck since the upload; an import since its check finished.
            since = upload.finished_at if upload.status == Status.IMPORTING else upload.created_at
            if (since or upload.created_at) < cutoff:
                _queue(upload, upload.status)
                changed += 1
        elif item.done_at is not None and item.done_at < cutoff:
            _queue(upload, upload.status)
            changed += 1
    return changed
