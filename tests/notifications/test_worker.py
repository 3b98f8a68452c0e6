"""An "at once" notification's e-mail is sent by a real Celery worker, after the change commits.

Starts a worker: run this file serially (not under ``pytest -n``).
"""

import time

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.services import notify
from tests.factories import UserFactory
from tests.workers import start_worker, stop_worker, wait_for_email


@pytest.mark.django_db(transaction=True)
def test_an_at_once_notification_is_e_mailed_by_a_real_worker_after_commit(tmp_path):
    ann = UserFactory(username="ann", email="ann@example.org")
    outbox = tmp_path / "outbox"
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path, extra_env={"HUBPORTAL_EMAIL_FILE_PATH": str(outbox)})
    try:
        with transaction.atomic():
            told = notify(
                [ann],
                kind=Kind.RUN_FAILED,
                key="run-failed:2026-10-01:2026-10-02",
                title="The roll-up report for 1 October 2026 failed",
                url="/learning/reports/",
                body="Error: the database went away",
            )
            time.sleep(2)  # a worker running meanwhile has nothing to send: the promise is not committed
            assert not outbox.exists() or not any(outbox.iterdir())
        assert told.sent == 1
        message = wait_for_email(worker, outbox, log_path, to=ann.email)
    finally:
        stop_worker(worker)

    assert message["To"] == ann.email
    assert message["Subject"] == "The roll-up report for 1 October 2026 failed"
    notification = Notification.objects.get()
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{settings.SITE_URL}{reverse('notifications:open', args=[notification.pk])}" in text
    assert (
        str(message["List-Unsubscribe"])
        .strip()
        .startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/")
    )
    assert notification.emailed_at is not None
