"""Writes to learning notes, and the nightly roll-up run.

Runs are queued through the outbox (``outbox.services``), so a run queued while the task
queue is down starts when it is back; a run whose worker is lost (no heartbeat for
``settings.TAKEOVER_AFTER``) is marked abandoned and its day queued again.

The note services first refuse (``PermissionDenied``, changing nothing) a user who may not
write: hub staff add notes to their own hubs' adoptions; authors change their own notes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.concurrency import save_if_unchanged
from core.history import stamp
from hubs.access import require_changeable, require_curator
from innovations.models import Adoption
from outbox.services import enqueue

from . import rollup
from .models import LearningNote, RollupReport, RollupRun


@transaction.atomic
def note_create(
    *, adoption: Adoption, kind: str, cfir_domain: str, title: str, text: str, by, event=None
) -> LearningNote:
    """Record a barrier, enabler, lesson or adaptation on an adoption of one of ``by``'s own hubs."""
    # Whoever may change the adoption (its hub's staff) may add to it: the adoption page's rule.
    require_changeable(Adoption.objects, by, adoption, "add notes to this adoption")
    note = LearningNote(
        adoption=adoption, kind=kind, cfir_domain=cfir_domain, title=title, text=text, author=by, event=event
    )
    note.full_clean()
    stamp(note, by=by, new_version=False)
    note.save()
    return note


@transaction.atomic
def note_update(*, note: LearningNote, by, version: int, **changes) -> LearningNote:
    """Change a note opened at ``version``; the previous text stays in its history."""
    require_changeable(LearningNote.objects, by, note, "change this note")
    return save_if_unchanged(note, expected_version=version, changes=changes, by=by)


# --------------------------------------------------------------------------------------
# The nightly roll-up
# --------------------------------------------------------------------------------------

SKIPPED_MESSAGE = "another run is building this day"
ROLLUP_TASK = "learning.tasks.nightly_rollup"
# A day whose runs lost their worker this many times is not queued again: something in it kills
# workers, and the AHSN admins are told instead.
MAX_TAKEOVERS = 3


class RunTakenOver(Exception):
    """This run was declared abandoned while its worker was still at it: stop, write nothing."""


def content_hash(content: dict) -> str:
    """SHA-256 of the canonical JSON of a report's content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _abandoned_message(run: RollupRun, now: datetime.datetime) -> str:
    minutes = settings.TAKEOVER_AFTER.total_seconds() / 60
    where = f" while building “{run.section}”" if run.section else ""
    return (
        f"abandoned: its worker stopped{where} and gave no sign of life for {minutes:g} minutes "
        f"(taken over {timezone.localtime(now):%H:%M:%S})"
    )


def _stale_runs(now: datetime.datetime):
    """Running runs whose last heartbeat (or start) is older than the takeover time."""
    return (
        RollupRun.objects.filter(status=RollupRun.Status.RUNNING)
        .alias(last_seen=Coalesce("heartbeat_at", "started_at", "queued_at"))
        .filter(last_seen__lt=now - settings.TAKEOVER_AFTER)
    )


def _abandon(run: RollupRun, now: datetime.datetime) -> bool:
    """Mark one stale run abandoned, if it still is stale; True if this call did."""
    return bool(
        _stale_runs(now)
        .filter(pk=run.pk)
        .update(status=RollupRun.Status.ABANDONED, error=_abandoned_message(run, now), finished_at=now)
    )


def _take_over_abandoned(day: datetime.date) -> None:
    """Mark abandoned a run of ``day`` still "running" with no heartbeat lately: its worker is gone."""
    now = timezone.now()
    for run in _stale_runs(now).filter(day=day):
        _abandon(run, now)


def queue_key(run: RollupRun) -> str:
    """The outbox key of a queued run."""
    return f"rollup-run:{run.pk}"


def _queue(run: RollupRun) -> None:
    """Promise the run to a worker, in the caller's transaction (the outbox hands it over)."""
    enqueue(ROLLUP_TASK, run.day.isoformat(), run.pk, key=queue_key(run))


@transaction.atomic
def rollup_run_queue(*, day: datetime.date, by) -> RollupRun:
    """Queue a run for ``day``, started by an AHSN admin: it waits for a worker, even if the queue is down."""
    require_curator(by, "start roll-up runs")
    run = RollupRun.objects.create(day=day, status=RollupRun.Status.QUEUED, started_by=by)
    _queue(run)
    return run


def rollup_runs_take_over_stale(*, now: datetime.datetime) -> list[RollupRun]:
    """Mark abandoned every run with no heartbeat lately, and queue its day again (an outbox sweeper).

    The day is queued again as a new run unless another is queued or running already, or the
    day has lost its worker ``MAX_TAKEOVERS`` times: then the AHSN admins are e-mailed. Returns
    the runs queued.
    """
    queued = []
    for run in _stale_runs(now).order_by("pk"):
        with transaction.atomic():
            if not _abandon(run, now):
                continue  # taken over meanwhile, or it beat again
            day_runs = RollupRun.objects.filter(day=run.day)
            if day_runs.filter(status__in=[RollupRun.Status.QUEUED, RollupRun.Status.RUNNING]).exists():
                continue
            if day_runs.filter(status=RollupRun.Status.ABANDONED).count() >= MAX_TAKEOVERS:
                from .tasks import tell_admins_rollup_failed  # the task module imports this one

                error = f"its worker was lost {MAX_TAKEOVERS} times; not queued again"
                transaction.on_commit(partial(tell_admins_rollup_failed, run.day, error))
                continue
            again = RollupRun.objects.create(
                day=run.day,
                status=RollupRun.Status.QUEUED,
                started_by=run.started_by,
                attempt=run.attempt + 1,
            )
            _queue(again)
            queued.append(again)
    return queued


def _claim(*, day: datetime.date, by, run: RollupRun | None) -> tuple[RollupRun, bool]:
    """Mark the run running in its own transaction; the unique "one running run per day" is the lock.

    Returns the run and whether this call claimed it. A run given that is not queued, nor
    failed (a retry), is left alone: a second delivery of a task already running or done.
    """
    _take_over_abandoned(day)
    now = timezone.now()
    try:
        with transaction.atomic():
            if run is None:
                run = RollupRun.objects.create(
                    day=day, started_by=by, status=RollupRun.Status.RUNNING, started_at=now, heartbeat_at=now
                )
                return run, True
            current = RollupRun.objects.select_for_update().get(pk=run.pk)
            if current.status not in (RollupRun.Status.QUEUED, RollupRun.Status.FAILED):
                return current, False
            if current.status == RollupRun.Status.FAILED:
                current.attempt += 1  # a retry of a run that failed
            current.status, current.started_at, current.heartbeat_at = RollupRun.Status.RUNNING, now, now
            current.finished_at, current.section, current.error = None, "", ""
            current.save()
            return current, True
    except IntegrityError:
        if run is None:
            run = RollupRun(day=day, started_by=by)
        run.status, run.section, run.error, run.finished_at = (
            RollupRun.Status.SKIPPED,
            "",
            SKIPPED_MESSAGE,
            timezone.now(),
        )
        run.save()
        return run, False


def _still_running(run: RollupRun):
    return RollupRun.objects.filter(pk=run.pk, status=RollupRun.Status.RUNNING)


def _show_section(run: RollupRun, name: str) -> None:
    # Its own small write (autocommit), so a page polling the run sees it at once; and the
    # heartbeat: a run silent for the takeover time has lost its worker.
    if not _still_running(run).update(section=name, heartbeat_at=timezone.now()):
        raise RunTakenOver
    run.section = name


def rollup_run(*, day: datetime.date, by=None, run: RollupRun | None = None) -> RollupRun:
    """Build ``day``'s roll-up report once, whole or not at all, and record how the run went.

    Returns the run: succeeded, unchanged (same content hash as the stored report,
    which is left as it was), skipped (another run holds the day), or as it was (a second
    delivery of a run already running or done; a run taken over while this one built it).
    On any error the previous report stays as it was, the run is marked failed, and the
    error is raised again (so Celery retries).
    """
    run, claimed = _claim(day=day, by=by, run=run)
    if not claimed:
        return run
    started = time.monotonic()
    try:
        content = rollup.build_content(day, on_section=lambda name: _show_section(run, name))
        digest = content_hash(content)
        duration_ms = round((time.monotonic() - started) * 1000)
        with transaction.atomic():
            if not _still_running(run).select_for_update().exists():
                raise RunTakenOver
            report = RollupReport.objects.select_for_update().filter(day=day).only("content_hash").first()
            if report is not None and report.content_hash == digest:
                run.status = RollupRun.Status.UNCHANGED
            else:
                report, _ = RollupReport.objects.update_or_create(
                    day=day,
                    defaults={
                        "content": content,
                        "content_hash": digest,
                        "built_at": timezone.now(),
                        "duration_ms": duration_ms,
                    },
                )
                run.status = RollupRun.Status.SUCCEEDED
            run.report, run.section, run.finished_at = report, "", timezone.now()
            run.save(update_fields=["status", "report", "section", "finished_at"])
    except RunTakenOver:
        run.refresh_from_db()
        return run
    except BaseException as error:
        _still_running(run).update(
            status=RollupRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        raise
    return run
