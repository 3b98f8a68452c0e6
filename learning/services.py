"""Writes to learning notes, and the nightly roll-up run.

The note services first refuse (``PermissionDenied``, changing nothing) a user who may not
write: hub staff add notes to their own hubs' adoptions; authors change their own notes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.concurrency import save_if_unchanged
from core.history import stamp
from hubs.access import require_changeable
from innovations.models import Adoption

from . import rollup
from .models import LearningNote, RollupReport, RollupRun


@transaction.atomic
def note_create(
    *, adoption: Adoption, kind: str, cfir_domain: str, title: str, text: str, by
) -> LearningNote:
    """Record a barrier, enabler, lesson or adaptation on an adoption of one of ``by``'s own hubs."""
    # Whoever may change the adoption (its hub's staff) may add to it: the adoption page's rule.
    require_changeable(Adoption.objects, by, adoption, "add notes to this adoption")
    note = LearningNote(
        adoption=adoption, kind=kind, cfir_domain=cfir_domain, title=title, text=text, author=by
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


def content_hash(content: dict) -> str:
    """SHA-256 of the canonical JSON of a report's content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _take_over_abandoned(day: datetime.date) -> None:
    """Mark failed a run still "running" after the task time limit: its worker is gone."""
    stale_before = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    RollupRun.objects.filter(day=day, status=RollupRun.Status.RUNNING, started_at__lt=stale_before).update(
        status=RollupRun.Status.FAILED,
        error="abandoned: still running after the task time limit",
        finished_at=timezone.now(),
    )


def _claim(*, day: datetime.date, by, run: RollupRun | None) -> RollupRun:
    """Mark the run running in its own transaction; the unique "one running run per day" is the lock."""
    _take_over_abandoned(day)
    now = timezone.now()
    try:
        with transaction.atomic():
            if run is None:
                return RollupRun.objects.create(
                    day=day, started_by=by, status=RollupRun.Status.RUNNING, started_at=now
                )
            if run.status != RollupRun.Status.QUEUED:
                run.attempt += 1  # a retry of a run that failed
            run.status, run.started_at, run.finished_at = RollupRun.Status.RUNNING, now, None
            run.section, run.error = "", ""
            run.save()
            return run
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
        return run


def _show_section(run: RollupRun, name: str) -> None:
    # Its own small write (autocommit), so a page polling the run sees it at once.
    RollupRun.objects.filter(pk=run.pk).update(section=name)
    run.section = name


def rollup_run(*, day: datetime.date, by=None, run: RollupRun | None = None) -> RollupRun:
    """Build ``day``'s roll-up report once, whole or not at all, and record how the run went.

    Returns the run: succeeded, unchanged (same content hash as the stored report,
    which is left as it was), or skipped (another run holds the day). On any error
    the previous report stays as it was, the run is marked failed, and the error
    is raised again (so Celery retries).
    """
    run = _claim(day=day, by=by, run=run)
    if run.status == RollupRun.Status.SKIPPED:
        return run
    started = time.monotonic()
    try:
        content = rollup.build_content(day, on_section=lambda name: _show_section(run, name))
        digest = content_hash(content)
        duration_ms = round((time.monotonic() - started) * 1000)
        with transaction.atomic():
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
    except BaseException as error:
        RollupRun.objects.filter(pk=run.pk).update(
            status=RollupRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}",
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        raise
    return run
