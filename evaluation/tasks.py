"""Scheduled upkeep of the dashboards' summary rows."""

from celery import shared_task

from . import summaries, uploads


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
