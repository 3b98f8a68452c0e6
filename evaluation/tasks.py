"""Scheduled upkeep of the dashboards' summary rows."""

from celery import shared_task

from . import summaries


@shared_task
def refresh_indicator_summaries() -> int:
    """Recompute every indicator's summary: run monthly, as a new month falls due everywhere at once."""
    return summaries.refresh_all()
