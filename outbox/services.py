"""A transactional outbox: background work that survives a broker or a worker going down.

A service that promises background work (e-mail a publication, check a large upload, build a
day's roll-up) calls ``enqueue`` inside its own transaction. The promise is a row, so it is
committed with the change or not at all. After the commit the row is handed to Celery at once,
best effort: if the broker refuses, the user's request still succeeds and the row waits.

``dispatch`` (Celery beat every minute, and once at each worker's start) then:

1. gives up on items a worker began ``MAX_STARTS`` times without an outcome (its worker was
   lost each time: a file or a day that kills workers should not kill them for ever);
2. runs the sweepers named in ``settings.OUTBOX_SWEEPERS``: each app's own check for work a
   lost worker left half done (a roll-up run with no heartbeat, an upload left checking),
   which queues it again through ``enqueue``;
3. hands over every item that is due: never handed over, refused by the broker, or handed
   over but without an outcome after ``settings.TAKEOVER_AFTER`` (doubling each time: 5, 10,
   20, 40, 80 minutes), for a message the broker lost or a worker killed mid-task.

A task's outcome is recorded by the Celery signals in ``outbox.signals``, from the task id
``outbox:<item>:<hand-over>``, which closes the item. Tasks must be safe to run twice: a
hand-over and its repeat may both arrive.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

from .models import OutboxItem

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "outbox"
MAX_STARTS = 3
BATCH = 500
# At most two quick tries to reach the broker: a request never waits long for a broker that is down.
HAND_OVER_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# What a broker that is down or unreachable raises (kombu wraps the client's connection errors).
BROKER_ERRORS = (OperationalError, OSError)


class BrokerRefused(Exception):
    """The broker did not take the item: it is down, or unreachable."""


def task_id(item_pk: int, handover: int) -> str:
    return f"{TASK_ID_PREFIX}:{item_pk}:{handover}"


def parse_task_id(value: str | None) -> tuple[int, int] | None:
    """The item and hand-over a Celery task id names, or None for a task not sent by the outbox."""
    parts = (value or "").split(":")
    if len(parts) == 3 and parts[0] == TASK_ID_PREFIX and parts[1].isdigit() and parts[2].isdigit():
        return int(parts[1]), int(parts[2])
    return None


def stale_after(handovers: int) -> datetime.timedelta:
    """How long a hand-over may go without an outcome before the next: the takeover time, doubling."""
    return settings.TAKEOVER_AFTER * 2 ** min(max(handovers - 1, 0), 4)


def item_for(key: str) -> OutboxItem | None:
    return OutboxItem.objects.filter(key=key).first()


# Writing the promise -----------------------------------------------------------------------


def enqueue(task, *args, key: str) -> OutboxItem:
    """Promise ``task(*args)`` in the caller's transaction; hand it to Celery once that commits.

    ``key`` names the work (``check-upload:42``): one item per key. Asking again for work
    still open changes nothing but makes it due now; asking again for work already done opens
    it again (an import tried a second time). ``args`` must be JSON: ids and ISO dates.
    """
    name = getattr(task, "name", task)
    now = timezone.now()
    with transaction.atomic():
        item, created = OutboxItem.objects.select_for_update().get_or_create(
            key=key, defaults={"task": name, "args": list(args), "created_at": now, "due_at": now}
        )
        if not created:
            if item.done_at is not None:
                item.task, item.args, item.due_at, item.handed_over_at = name, list(args), now, None
                item.done_at, item.outcome, item.starts, item.refusals, item.last_error = None, "", 0, 0, ""
                # Skip a hand-over number, so a late outcome of the last round cannot close this one.
                item.handovers += 1
            else:
                item.due_at = min(item.due_at, now)
            item.save()
    transaction.on_commit(partial(_hand_over_after_commit, item.pk))
    return item


def _hand_over_after_commit(pk: int) -> None:
    """Best effort, never raising: whatever goes wrong here, the dispatcher tries again."""
    try:
        _hand_over(pk, now=timezone.now(), after_commit=True)
    except BrokerRefused:
        pass  # logged, and recorded on the item
    except Exception:
        logger.exception("Outbox item %s was not handed over; the dispatcher will try again", pk)


# Handing over ------------------------------------------------------------------------------


def _publish(item: OutboxItem, handover: int) -> None:
    task = current_app.tasks.get(item.task)
    options = {"task_id": task_id(item.pk, handover), "retry": True, "retry_policy": HAND_OVER_RETRY}
    if task is None:  # not imported in this process: send it by name
        current_app.send_task(item.task, args=item.args, **options)
    else:
        task.apply_async(args=item.args, **options)


def _hand_over(pk: int, *, now: datetime.datetime, after_commit: bool = False) -> bool:
    """Give one item to the broker; True if it took it. Raises ``BrokerRefused`` if it is down.

    The item's row is locked meanwhile, so two dispatchers do not both send it. The hand-over
    is counted before the message goes (and undone if it does not), so a task that finishes
    before this transaction commits still finds its hand-over recorded.
    """
    refused = None
    with transaction.atomic():
        item = OutboxItem.objects.select_for_update(skip_locked=True).open().filter(pk=pk).first()
        if item is None:
            return False
        if (after_commit and item.handed_over_at is not None) or (not after_commit and item.due_at > now):
            return False  # on its way already, or another dispatcher just sent it
        handover = item.handovers + 1
        try:
            with transaction.atomic():
                OutboxItem.objects.filter(pk=pk).update(
                    handovers=handover,
                    handed_over_at=now,
                    due_at=now + stale_after(handover),
                    last_error="",
                )
                _publish(item, handover)
        except BROKER_ERRORS as error:
            _refused(item, error, retry_at=now)  # due still: the next pass tries again
            refused = error
        except Exception as error:
            # Not the broker: this item itself (a task no worker knows). Try it less and less often.
            _refused(item, error, retry_at=now + datetime.timedelta(minutes=min(2**item.refusals, 60)))
            logger.exception("Outbox item %s could not be handed over", item.key)
            return False
    if refused is not None:
        logger.warning("The task queue refused %s (%s); it waits in the outbox", item.key, refused)
        raise BrokerRefused(str(refused)) from refused
    return True


def _refused(item: OutboxItem, error: BaseException, *, retry_at: datetime.datetime) -> None:
    OutboxItem.objects.filter(pk=item.pk).update(
        refusals=F("refusals") + 1, last_error=f"{type(error).__name__}: {error}"[:2000], due_at=retry_at
    )


# The dispatcher ----------------------------------------------------------------------------


def _give_up(now: datetime.datetime) -> int:
    """Close items begun ``MAX_STARTS`` times that are stale again: their worker is lost each time."""
    stale = OutboxItem.objects.open().filter(due_at__lte=now, starts__gte=MAX_STARTS)
    keys = list(stale.values_list("key", flat=True))
    if keys:
        logger.error("Outbox: giving up on %s, begun %s times without finishing", ", ".join(keys), MAX_STARTS)
    return stale.update(
        done_at=now,
        outcome=OutboxItem.Outcome.GAVE_UP,
        last_error=f"Begun {MAX_STARTS} times without finishing: its worker was lost each time.",
    )


def _sweep(now: datetime.datetime) -> None:
    for path in settings.OUTBOX_SWEEPERS:
        try:
            import_string(path)(now=now)
        except Exception:
            logger.exception("Outbox sweeper %s failed; the others run", path)


def dispatch(*, now: datetime.datetime | None = None) -> int:
    """Give up on hopeless items, let each app re-queue what a lost worker left, hand over what is due.

    Returns how many items were handed over. Stops at the first refusal by the broker: the
    next pass, a minute later, tries again (so a broker that is down gets one try a minute).
    """
    now = now or timezone.now()
    _give_up(now)
    _sweep(now)
    due = (
        OutboxItem.objects.open()
        .filter(due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    handed = 0
    for pk in list(due[:BATCH]):
        try:
            handed += _hand_over(pk, now=now)
        except BrokerRefused:
            break
    return handed


# Outcomes, reported by the Celery signals ---------------------------------------------------


def record_start(item_pk: int, handover: int, *, first_try: bool) -> None:
    """A worker began the task: a sign of life, and (on its first try) one more start."""
    now = timezone.now()
    changes = {"started_at": now, "due_at": now + stale_after(handover)}
    if first_try:
        changes["starts"] = F("starts") + 1
    OutboxItem.objects.open().filter(pk=item_pk, handovers=handover).update(**changes)


def record_outcome(item_pk: int, handover: int, *, outcome: str, error: str = "") -> None:
    """Close the item, if this is its latest hand-over (an older one's outcome says nothing new)."""
    OutboxItem.objects.open().filter(pk=item_pk, handovers=handover).update(
        done_at=timezone.now(), outcome=outcome, last_error=error[:2000]
    )
