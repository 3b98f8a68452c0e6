"""Celery signal handlers: a task sent by the outbox reports when it starts and how it ends.

Connected in every process that loads Django (``OutboxConfig.ready``); they act only on
tasks whose id the outbox gave (``outbox:<item>:<hand-over>``). They never raise: the
bookkeeping must not break the task it describes.
"""

from __future__ import annotations

import logging

from celery.signals import task_failure, task_prerun, task_success, worker_ready

from . import services
from .models import OutboxItem

logger = logging.getLogger(__name__)


def _guarded(action, *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
    except Exception:
        logger.exception("Outbox bookkeeping failed; the dispatcher will look at the item again")


@task_prerun.connect
def task_started(sender=None, task_id=None, task=None, **kwargs) -> None:
    if ids := services.parse_task_id(task_id):
        first_try = not getattr(getattr(task, "request", None), "retries", 0)
        _guarded(services.record_start, *ids, first_try=first_try)


@task_success.connect
def task_succeeded(sender=None, **kwargs) -> None:
    if ids := services.parse_task_id(getattr(getattr(sender, "request", None), "id", None)):
        _guarded(services.record_outcome, *ids, outcome=OutboxItem.Outcome.SUCCEEDED)


@task_failure.connect
def task_failed(sender=None, task_id=None, exception=None, **kwargs) -> None:
    """The task raised after its own retries: an outcome too, told to people by the task if it matters."""
    if ids := services.parse_task_id(task_id):
        error = f"{type(exception).__name__}: {exception}"
        _guarded(services.record_outcome, *ids, outcome=OutboxItem.Outcome.FAILED, error=error)


@worker_ready.connect
def worker_started(sender=None, **kwargs) -> None:
    """A worker that starts (again) asks for a dispatch: what waited while the queue was down goes now."""
    from .tasks import dispatch

    try:
        dispatch.apply_async(expires=60)
    except Exception:
        logger.exception("Could not ask for an outbox dispatch at worker start; beat asks every minute")
