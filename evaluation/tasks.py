"""Scheduled upkeep of the dashboards' summary rows, uploads checked and imported, and the daily reminders."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import reminders, summaries, uploads


@shared_task
def refresh_indicator_summaries() -> int:
    """Recompute every indicator's summary: run monthly, as a new month falls due everywhere at once."""
    return summaries.refresh_all()


@shared_task
def check_upload(upload_id: int) -> None:
    """Check an uploaded file too large to check in the request, reporting progress on its row."""
    uploads.check_upload_by_id(upload_id)


@shared_task
def import_upload(upload_id: int) -> None:
    """Import a checked upload, all or nothing."""
    uploads.import_upload_by_id(upload_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3, acks_late=True)
def send_reminders(day_iso: str | None = None) -> dict:
    """Send the day's reminders of figures due and overdue (beat, 08:00 Europe/London); safe to run again."""
    day = datetime.date.fromisoformat(day_iso) if day_iso else timezone.localdate()
    told = reminders.reminders_send(day)
    return {"date": day.isoformat(), "sent": told.sent, "skipped_already_sent": told.skipped_already_sent}
