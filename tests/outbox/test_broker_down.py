"""The task queue down: pages still save, say the work waits, and the work is done once it is back.

"Down" is the Celery app pointed at a port where nothing listens (``redis://127.0.0.1:1/0``),
as when Redis is stopped; "back" is the test run's real broker (the filesystem broker, or
Redis in CI's second run), where a real Celery worker delivers what the dispatcher hands over.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from evaluation import uploads
from evaluation.models import MeasurementUpload
from hubportal.celery import app
from learning.emails import preference_set
from learning.models import Audience, LearningSummary, RollupRun, SummaryEmailPreference, SummaryEmailSent
from learning.summaries import summary_create, summary_submit
from outbox.models import OutboxItem
from outbox.services import dispatch
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    MetricFactory,
    ahsn_admin,
    member_of,
)
from tests.workers import broker_refusing_connections, start_worker, stop_worker

WAIT_SECONDS = 60
SEPARATOR = "-" * 79  # the file e-mail backend writes it after each whole message
# Long enough that nothing in these tests goes stale: each item is handed over exactly as the test says.
LONG_TAKEOVER = datetime.timedelta(minutes=5)


def broker_name() -> str:
    return "Redis" if settings.CELERY_BROKER_URL.startswith("redis://") else "the filesystem broker"


def messages_to(folder, address: str) -> int:
    """How many whole messages the file backend wrote to ``address``."""
    return sum(
        1
        for path in folder.glob("*.log")
        for chunk in path.read_text().split(SEPARATOR)
        if f"To: {address}" in chunk
    )


@pytest.mark.django_db(transaction=True)
@override_settings(TAKEOVER_AFTER=LONG_TAKEOVER)
def test_a_summary_published_while_the_queue_is_down_is_emailed_once_when_it_is_back(client, tmp_path):
    dorset = member_of(
        HubFactory(name="Dorset", slug="dorset"), username="dorset", email="dorset@example.org"
    )
    manchester = member_of(HubFactory(name="Manchester", slug="manchester"), username="manchester")
    for reader in (dorset, manchester):
        preference_set(user=reader, frequency=SummaryEmailPreference.Frequency.EACH)
    writer, reviewer = ahsn_admin(username="writer"), ahsn_admin(username="reviewer")
    summary = summary_create(
        by=writer,
        title="Virtual wards at home",
        standfirst="What four hubs learned.",
        body="Nurses phoned daily.",
        audience=Audience.SIGNED_IN,
        theme_codes=["inner_setting"],
    )
    summary_submit(summary=summary, by=writer)
    client.force_login(reviewer)

    with broker_refusing_connections():
        response = client.post(reverse("learning:summary_publish", args=[summary.pk]))
        assert response.status_code == 302, "publishing succeeds while the task queue is down"
        assert response.url == reverse("learning:summary_manage", args=[summary.pk])
        summary.refresh_from_db()
        assert summary.status == LearningSummary.Status.PUBLISHED
        version = summary.live_version
        item = OutboxItem.objects.get(key=f"summary-published-emails:{version.pk}")
        assert item.state == "waiting" and item.refusals == 1
        page = client.get(response.url).content.decode()
        assert "The summary is published." in page
        assert "the task queue is not answering just now" in page
        assert dispatch() == 0, "still down: the item keeps waiting"

    # The queue is back. Anything earlier tests left in it goes first, so only this test's message is there.
    app.control.purge()
    assert dispatch() == 1
    assert dispatch() == 0, "handed over once: a second pass sends nothing"
    item.refresh_from_db()
    assert (item.state, item.handovers) == ("queued", 1)

    outbox = tmp_path / "outbox"
    log_path = tmp_path / "worker.log"
    worker = start_worker(
        log_path,
        extra_env={"HUBPORTAL_EMAIL_FILE_PATH": str(outbox), "HUBPORTAL_TAKEOVER_MINUTES": "5"},
        purge=False,
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(f"The Celery worker ({broker_name()}) exited:\n{log_path.read_text()[-4000:]}")
            item.refresh_from_db()
            if item.state == "done":
                break
            time.sleep(0.5)
        else:
            pytest.fail(
                f"Not e-mailed within {WAIT_SECONDS} s by the Celery worker ({broker_name()}): {item.state}.\n"
                f"Worker log:\n{log_path.read_text()[-4000:]}"
            )
        assert dispatch() == 0 and dispatch() == 0, "done: the dispatcher sends nothing again"
        time.sleep(1)  # anything sent twice would have reached the worker by now
    finally:
        stop_worker(worker)

    item.refresh_from_db()
    assert (item.outcome, item.handovers, item.starts) == ("succeeded", 1, 1)
    assert messages_to(outbox, dorset.email) == 1
    assert messages_to(outbox, manchester.email) == 1
    assert SummaryEmailSent.objects.filter(version=version).count() == 2
    page = client.get(reverse("learning:summary_manage", args=[summary.pk])).content.decode()
    assert "Sent for version 1 to everyone who asked" in page


@pytest.mark.django_db(transaction=True)
@override_settings(TAKEOVER_AFTER=LONG_TAKEOVER)
def test_a_run_started_while_the_queue_is_down_says_it_waits_and_goes_when_it_is_back(client):
    client.force_login(ahsn_admin(username="admin"))
    with broker_refusing_connections():
        response = client.post(reverse("learning:run_start"), {"day": "2026-11-20"})
        assert response.status_code == 302
        run = RollupRun.objects.get()
        assert response.url == reverse("learning:run", args=[run.pk])
        page = client.get(response.url).content.decode()
        assert "The roll-up for 20 November 2026 is queued." in page
        assert (
            "The task queue is not answering just now: the run will start by itself when it is back" in page
        )

    app.control.purge()
    assert dispatch() == 1
    page = client.get(reverse("learning:run", args=[run.pk])).content.decode()
    assert "Queued: waiting for a worker to start it." in page
    assert "not answering" not in page
    assert OutboxItem.objects.get(key=f"rollup-run:{run.pk}").args == ["2026-11-20", run.pk]


@pytest.mark.django_db(transaction=True)
@override_settings(TAKEOVER_AFTER=LONG_TAKEOVER)
def test_a_large_upload_while_the_queue_is_down_is_kept_and_says_it_waits(client, monkeypatch):
    monkeypatch.setattr(uploads, "CHECK_IN_REQUEST_ROWS", 1)  # so this small file goes to a worker
    hub = HubFactory(name="Dorset", slug="dorset")
    adoption = AdoptionFactory(hub=hub)
    IndicatorFactory(adoption=adoption, metric=MetricFactory())
    client.force_login(member_of(hub, username="staff"))
    month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    content = (
        "metric,month,imd_quintile,value,numerator,denominator\r\n"
        f"people-enrolled,{month},,100,,\r\npeople-enrolled,{month},1,20,,\r\n"
    ).encode()

    with broker_refusing_connections():
        response = client.post(
            reverse("evaluation:upload", args=[adoption.pk]),
            {"file": SimpleUploadedFile("figures.csv", content)},
        )
        assert response.status_code == 302
        upload = MeasurementUpload.objects.get()
        assert upload.status == MeasurementUpload.Status.CHECKING
        page = client.get(response.url).content.decode()
        assert "The task queue is not answering just now: the file is kept, and checking starts" in page

    app.control.purge()
    assert dispatch() == 1
    page = client.get(upload.get_absolute_url()).content.decode()
    assert "not answering" not in page
    assert OutboxItem.objects.get(key=f"check-upload:{upload.pk}").state == "queued"
