"""An "at once" notification's e-mail is sent by a real Celery worker, after the change commits.

Starts a worker: run this file serially (not under ``pytest -n``).
"""

import time
from email import message_from_bytes, policy

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.services import notify
from tests.factories import UserFactory
from tests.workers import start_worker, stop_worker

WAIT_SECONDS = 60
SEPARATOR = "-" * 79  # the file backend writes it after each whole message


def sent_files(folder) -> list[str]:
    return [path.read_bytes().decode() for path in sorted(folder.glob("*.log"))]


@pytest.mark.django_db(transaction=True)
def test_an_at_once_notification_is_e_mailed_by_a_real_worker_after_commit(tmp_path):
    broker = "Redis" if settings.CELERY_BROKER_URL.startswith("redis://") else "the filesystem broker"
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
            assert sent_files(outbox) == []
        assert told.sent == 1
        deadline = time.monotonic() + WAIT_SECONDS
        found = None
        while found is None and time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(
                    f"The Celery worker ({broker}) exited with {worker.returncode}:\n{log_path.read_text()}"
                )
            found = next(
                (text for text in sent_files(outbox) if ann.email in text and SEPARATOR in text), None
            )
            time.sleep(0.5)
        if found is None:
            pytest.fail(
                f"No e-mail within {WAIT_SECONDS} s from the Celery worker ({broker}).\n"
                f"Worker log:\n{log_path.read_text()[-4000:]}"
            )
    finally:
        stop_worker(worker)

    [raw] = [chunk for chunk in found.split(SEPARATOR) if ann.email in chunk]
    message = message_from_bytes(raw.strip().encode(), policy=policy.default)
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
