"""Uploads a lost worker (or a lost message) left "checking": queued again, or failed saying why.

The outbox hands an upload's check over again when it has had no outcome for the takeover
time (six seconds in the tests, five minutes in production); the reaper in
``evaluation.upload_queue`` queues uploads that were never promised through the outbox, and
fails those whose worker was lost again and again.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluation import upload_queue, uploads
from evaluation.models import MeasurementUpload
from hubportal.celery import app
from outbox.models import OutboxItem
from outbox.services import MAX_STARTS, dispatch
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    MetricFactory,
    last_month,
    member_of,
)
from tests.workers import start_worker, stop_worker

Status = MeasurementUpload.Status
WAIT_SECONDS = 60


@pytest.fixture
def adoption(db):
    adoption = AdoptionFactory(hub=HubFactory(name="Dorset", slug="dorset"))
    IndicatorFactory(adoption=adoption, metric=MetricFactory())
    return adoption


@pytest.fixture
def staff(client, adoption):
    client.force_login(member_of(adoption.hub, username="staff"))
    return client


def figures() -> bytes:
    period = f"{last_month():%Y-%m}"
    return (
        "metric,month,imd_quintile,value,numerator,denominator\r\n"
        f"people-enrolled,{period},,100,,\r\npeople-enrolled,{period},1,20,,\r\n"
    ).encode()


def upload_large(client, adoption, monkeypatch) -> MeasurementUpload:
    """Upload a file as one too large to check in the request: its check goes to a worker."""
    monkeypatch.setattr(uploads, "CHECK_IN_REQUEST_ROWS", 1)
    response = client.post(
        reverse("evaluation:upload", args=[adoption.pk]),
        {"file": SimpleUploadedFile("figures.csv", figures())},
    )
    assert response.status_code == 302
    upload = MeasurementUpload.objects.get()
    assert upload.status == Status.CHECKING
    return upload


def wait_until_checked(upload, worker, log_path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"The Celery worker exited with {worker.returncode}:\n{log_path.read_text()[-4000:]}")
        upload.refresh_from_db()
        if upload.status != Status.CHECKING:
            return
        time.sleep(0.5)
    pytest.fail(f"Still checking after {WAIT_SECONDS} s.\nWorker log:\n{log_path.read_text()[-4000:]}")


@pytest.mark.django_db(transaction=True)
def test_an_upload_whose_check_was_lost_is_queued_again_after_the_takeover_time(
    staff, adoption, monkeypatch, tmp_path
):
    upload = upload_large(staff, adoption, monkeypatch)
    item = OutboxItem.objects.get(key=f"check-upload:{upload.pk}")
    assert item.state == "queued"
    app.control.purge()  # the broker lost the message (say Redis restarted): nobody will check the file

    assert dispatch() == 0, "not yet: the check may still be waiting for a worker"
    deadline = time.monotonic() + settings.TAKEOVER_AFTER.total_seconds() + 10
    while dispatch() == 0:  # as beat would, every minute
        assert time.monotonic() < deadline, "not handed over again within the takeover time"
        time.sleep(0.5)
    item.refresh_from_db()
    assert item.handovers == 2
    assert item.handed_over_at - item.created_at >= settings.TAKEOVER_AFTER

    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path, purge=False)
    try:
        wait_until_checked(upload, worker, log_path)
    finally:
        stop_worker(worker)
    assert (upload.status, upload.total_rows) == (Status.CHECKED, 2)
    assert "Check the figures before importing" in staff.get(upload.get_absolute_url()).text


def test_an_upload_left_checking_without_a_promise_is_queued_again_by_the_reaper(adoption):
    """Queued before the outbox (or by a request that died between its two writes): no item at all."""
    upload = MeasurementUpload.objects.create(
        adoption=adoption, file_name="figures.csv", content=figures(), status=Status.CHECKING
    )
    assert upload_queue.uploads_requeue_stuck(now=timezone.now()) == 0, "not stuck yet"
    later = timezone.now() + settings.TAKEOVER_AFTER + datetime.timedelta(seconds=1)
    assert upload_queue.uploads_requeue_stuck(now=later) == 1
    item = OutboxItem.objects.get()
    assert (item.key, item.task, item.args) == (
        f"check-upload:{upload.pk}",
        "evaluation.tasks.check_upload",
        [upload.pk],
    )
    uploads.check_upload_by_id(upload.pk)  # what the worker runs when it is handed over
    upload.refresh_from_db()
    assert upload.status == Status.CHECKED


def test_an_upload_whose_worker_is_lost_again_and_again_is_failed_saying_so(
    staff, adoption, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_large(staff, adoption, monkeypatch)
    item = OutboxItem.objects.get(key=f"check-upload:{upload.pk}")
    # Begun and lost MAX_STARTS times (a file that kills its worker), the last time a while ago.
    OutboxItem.objects.filter(pk=item.pk).update(starts=MAX_STARTS, due_at=timezone.now())

    dispatch()
    item.refresh_from_db()
    upload.refresh_from_db()
    assert (item.state, item.outcome) == ("done", "gave_up")
    assert upload.status == Status.FAILED
    assert "stopped 3 times before it finished" in upload.message
    page = staff.get(upload.get_absolute_url()).text
    assert "The file could not be processed" in page
    assert "Checking this file stopped 3 times before it finished" in page
    assert dispatch() == 0, "nothing handed over again"
