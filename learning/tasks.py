"""Learning's background work, run by Celery.

The nightly cross-hub roll-up (beat, 02:00 Europe/London), and e-mail about published learning
summaries: on publication (promised through the outbox) and a weekly digest (beat, Mondays 07:00).
"""

from __future__ import annotations

import datetime

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind
from notifications.services import notify

from .emails import digest_send, publication_emails_send
from .models import RollupRun
from .querysets import active_ahsn_admins
from .services import rollup_run

MAX_RETRIES = 3


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def tell_admins_rollup_failed(day: datetime.date, error: BaseException | str) -> int:
    """Tell every active AHSN admin that the day's report could not be built; returns how many were told.

    Keyed by the day and the date it failed, so a retry, a second delivery or the sweeper
    finding the same failure tells nobody twice, while a failure of that day again on a later
    date is news. E-mail follows each admin's choice for failed runs, after commit.
    """
    told = notify(
        active_ahsn_admins(),
        kind=Kind.RUN_FAILED,
        key=f"run-failed:{day.isoformat()}:{timezone.localdate().isoformat()}",
        title=f"The roll-up report for {day:%-d %B %Y} failed",
        url=reverse("learning:reports"),
        body=(
            f"The nightly roll-up for {day.isoformat()} failed after {MAX_RETRIES} retries.\n\n"
            f"Error: {str(error)[:1000]}\n\n"
            "The previous report is still there. Start a run for that day again once the cause is fixed."
        ),
    )
    return told.sent


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=MAX_RETRIES, acks_late=True
)
def nightly_rollup(self, day_iso: str | None = None, run_id: int | None = None) -> str:
    """Build the report for ``day_iso`` (default: yesterday in Europe/London); returns the run's status."""
    day = datetime.date.fromisoformat(day_iso) if day_iso else yesterday()
    run = RollupRun.objects.get(pk=run_id) if run_id else None
    try:
        return rollup_run(day=day, run=run).status
    except Exception as error:
        if self.request.retries >= self.max_retries:
            tell_admins_rollup_failed(day, error)
        raise


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=MAX_RETRIES, acks_late=True)
def summary_published_emails(version_id: int) -> int:
    """E-mail a newly published summary version to those who asked for each (through the outbox)."""
    return publication_emails_send(version_id=version_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=MAX_RETRIES, acks_late=True)
def weekly_summary_digest() -> int:
    """Send the weekly digest of new learning summaries (beat, Mondays 07:00 Europe/London)."""
    return digest_send()
