"""The nightly roll-up end to end: queued by the test, run by a real Celery worker process.

On the default set-up the message goes through the filesystem broker (the worker shares
the test's ``HUBPORTAL_VAR_DIR``) and the worker opens the test's SQLite file; on the
PostgreSQL + Redis set-up it goes through Redis to a worker on the test database.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.utils import timezone

from learning.models import RollupReport, RollupRun
from learning.tasks import nightly_rollup
from tests.factories import AdoptionFactory, HubFactory, InnovationFactory
from tests.workers import start_worker, stop_worker

WAIT_SECONDS = 60


@pytest.mark.django_db(transaction=True)
def test_nightly_rollup_through_a_real_worker(tmp_path):
    broker = "Redis" if settings.CELERY_BROKER_URL.startswith("redis://") else "the filesystem broker"
    hub = HubFactory(name="Dorset", slug="dorset")
    adoption = AdoptionFactory(
        hub=hub, innovation=InnovationFactory(name="Virtual wards", slug="virtual-wards")
    )
    day = timezone.localdate() - datetime.timedelta(days=1)

    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path)
    try:
        nightly_rollup.delay(day.isoformat())
        deadline = time.monotonic() + WAIT_SECONDS
        report = None
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(
                    f"The Celery worker ({broker}) exited with {worker.returncode}:\n{log_path.read_text()[-4000:]}"
                )
            report = RollupReport.objects.filter(day=day).first()
            if report is not None:
                break
            time.sleep(0.5)
        if report is None:
            pytest.fail(
                f"No report within {WAIT_SECONDS} s from the Celery worker ({broker}). "
                f"Runs: {list(RollupRun.objects.values_list('status', 'error'))}\n"
                f"Worker log:\n{log_path.read_text()[-4000:]}"
            )
    finally:
        stop_worker(worker)

    assert report.content["day"] == day.isoformat()
    [innovation] = report.content["innovations"]
    assert innovation["innovation"] == "Virtual wards"
    assert innovation["hubs"][0]["adoption_id"] == adoption.pk
    assert innovation["hubs"][0]["stage"] == "identified"
    run = RollupRun.objects.get(day=day)
    assert run.status == RollupRun.Status.SUCCEEDED
    assert run.started_by is None and run.report == report
