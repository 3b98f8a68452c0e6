"""Notifications' background work: an e-mail at once (through the outbox) and the daily digest (beat)."""

from __future__ import annotations

from celery import shared_task

from . import emails

MAX_RETRIES = 3


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=MAX_RETRIES, acks_late=True)
def notification_email(notification_id: int) -> int:
    """E-mail one notification to its person, at most once (promised by ``notify`` through the outbox)."""
    return emails.notification_email_send(notification_id=notification_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=MAX_RETRIES, acks_late=True)
def daily_digest() -> int:
    """Send each person who chose it their daily digest (beat, 07:00 Europe/London)."""
    return emails.digest_send()
