"""A roll-up run whose worker is lost blocks its day for minutes, not an hour.

A running run beats a heartbeat at each section. One silent for ``settings.TAKEOVER_AFTER``
(six seconds in the tests, five minutes in production) is marked abandoned by the next run for
its day, or by the outbox dispatcher, which queues the day again. End to end: a real worker is
killed (SIGKILL) in the middle of a run, and the day is rebuilt by another within the takeover
time and a few seconds.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hubportal.celery import app
from learning import rollup
from learning.models import RollupReport, RollupRun
from learning.services import MAX_TAKEOVERS, rollup_run, rollup_run_queue, rollup_runs_take_over_stale
from learning.tasks import nightly_rollup
from outbox.models import OutboxItem
from outbox.services import dispatch
from tests.factories import AdoptionFactory, HubFactory, InnovationFactory, ahsn_admin
from tests.workers import kill_worker, start_worker, stop_worker

Status = RollupRun.Status
DAY = datetime.date(2025, 6, 15)
WAIT_SECONDS = 60


@pytest.fixture
def adoption(db):
    hub = HubFactory(name="Dorset", slug="dorset")
    return AdoptionFactory(hub=hub, innovation=InnovationFactory(name="Virtual wards", slug="virtual-wards"))


def running(*, heartbeat_ago: datetime.timedelta, started_ago: datetime.timedelta | None = None) -> RollupRun:
    now = timezone.now()
    return RollupRun.objects.create(
        day=DAY,
        status=Status.RUNNING,
        section="signals",
        started_at=now - (started_ago or heartbeat_ago),
        heartbeat_at=now - heartbeat_ago,
    )


def test_the_next_run_takes_over_a_run_silent_for_the_takeover_time(adoption):
    silent = running(heartbeat_ago=settings.TAKEOVER_AFTER + datetime.timedelta(seconds=1))
    run = rollup_run(day=DAY)
    assert run.status == Status.SUCCEEDED
    silent.refresh_from_db()
    assert silent.status == Status.ABANDONED
    assert "abandoned" in silent.error and "“signals”" in silent.error


def test_a_long_run_with_a_recent_heartbeat_is_not_taken_over(adoption):
    """It is silence that counts, not age: a run that began long ago but beat just now is alive."""
    alive = running(heartbeat_ago=datetime.timedelta(seconds=1), started_ago=datetime.timedelta(hours=2))
    assert rollup_run(day=DAY).status == Status.SKIPPED
    alive.refresh_from_db()
    assert alive.status == Status.RUNNING


def test_each_section_beats_the_heartbeat(adoption, monkeypatch):
    beats = []
    real_equity = rollup.equity

    def watching_equity(*args, **kwargs):
        beats.append(RollupRun.objects.values_list("section", "heartbeat_at").get())
        return real_equity(*args, **kwargs)

    monkeypatch.setattr(rollup, "equity", watching_equity)
    before = timezone.now()
    rollup_run(day=DAY)
    [(section, heartbeat)] = beats
    assert section == "equity" and heartbeat >= before


def test_the_dispatcher_takes_over_a_silent_run_and_queues_its_day_again(adoption):
    silent = running(heartbeat_ago=settings.TAKEOVER_AFTER + datetime.timedelta(seconds=1))
    dispatch()
    silent.refresh_from_db()
    assert silent.status == Status.ABANDONED
    again = RollupRun.objects.exclude(pk=silent.pk).get()
    assert (again.day, again.status, again.attempt) == (DAY, Status.QUEUED, 2)
    item = OutboxItem.objects.get(key=f"rollup-run:{again.pk}")
    assert item.args == [DAY.isoformat(), again.pk]
    assert nightly_rollup.apply(args=item.args).get() == Status.SUCCEEDED  # what a worker then runs
    assert RollupReport.objects.filter(day=DAY).exists()


def test_a_run_taken_over_while_its_worker_is_only_slow_stops_at_its_next_heartbeat(adoption, monkeypatch):
    """Its worker was not lost after all: it writes nothing, and leaves the day to the new run."""
    real_equity = rollup.equity

    def slow_equity(*args, **kwargs):
        # Meanwhile, the dispatcher finds the run silent for longer than the takeover time.
        later = timezone.now() + settings.TAKEOVER_AFTER + datetime.timedelta(seconds=1)
        assert len(rollup_runs_take_over_stale(now=later)) == 1
        return real_equity(*args, **kwargs)

    monkeypatch.setattr(rollup, "equity", slow_equity)
    run = rollup_run(day=DAY)
    assert run.status == Status.ABANDONED
    assert not RollupReport.objects.exists(), "the run taken over wrote no report"
    assert RollupRun.objects.filter(day=DAY, status=Status.QUEUED).count() == 1


def test_a_second_delivery_of_a_run_already_running_or_done_does_nothing(adoption):
    run = rollup_run_queue(day=DAY, by=ahsn_admin(username="admin"))
    assert nightly_rollup.apply(args=[DAY.isoformat(), run.pk]).get() == Status.SUCCEEDED
    built = RollupReport.objects.get(day=DAY).built_at
    assert nightly_rollup.apply(args=[DAY.isoformat(), run.pk]).get() == Status.SUCCEEDED
    run.refresh_from_db()
    assert (run.status, run.attempt) == (Status.SUCCEEDED, 1)
    assert RollupReport.objects.get(day=DAY).built_at == built


def test_a_day_that_loses_its_worker_again_and_again_is_left_and_the_admins_told(
    adoption, django_capture_on_commit_callbacks, monkeypatch
):
    ahsn_admin(username="admin", email="admin@example.org")
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the e-mail task runs here, after commit
    later = timezone.now() + settings.TAKEOVER_AFTER + datetime.timedelta(seconds=1)
    running(heartbeat_ago=datetime.timedelta(0))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(MAX_TAKEOVERS):
            # A worker began the day's run ... and was lost.
            RollupRun.objects.filter(day=DAY, status=Status.QUEUED).update(status=Status.RUNNING)
            rollup_runs_take_over_stale(now=later)
    assert RollupRun.objects.filter(day=DAY, status=Status.ABANDONED).count() == MAX_TAKEOVERS
    assert not RollupRun.objects.filter(day=DAY, status__in=[Status.QUEUED, Status.RUNNING]).exists()
    [message] = mail.outbox
    assert message.to == ["admin@example.org"] and "15 June 2025" in message.subject
    assert "lost" in message.body


def test_the_run_page_of_an_abandoned_run_links_to_the_run_that_took_over(client, adoption):
    client.force_login(ahsn_admin(username="admin"))
    silent = running(heartbeat_ago=settings.TAKEOVER_AFTER + datetime.timedelta(seconds=1))
    dispatch()
    again = RollupRun.objects.exclude(pk=silent.pk).get()
    page = client.get(reverse("learning:run", args=[silent.pk])).content.decode()
    assert "The worker building it was lost" in page
    assert "It stopped while building “Signals since the previous report”" in page
    assert reverse("learning:run", args=[again.pk]) in page


# Through real workers ---------------------------------------------------------------------------


def wait_for(condition, *, seconds: float, workers, log_paths, every=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for worker, log_path in zip(workers, log_paths, strict=True):
            if worker.poll() is not None and worker.returncode != -9:
                pytest.fail(
                    f"A Celery worker exited with {worker.returncode}:\n{log_path.read_text()[-4000:]}"
                )
        if every:
            every()
        if condition():
            return
        time.sleep(0.5)
    logs = "\n".join(path.read_text()[-3000:] for path in log_paths)
    runs = list(RollupRun.objects.order_by("pk").values_list("pk", "status", "section", "error"))
    pytest.fail(f"Not within {seconds} s. Runs: {runs}\nWorker logs:\n{logs}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_holds_the_day_only_for_the_takeover_time(client, tmp_path):
    broker = "Redis" if settings.CELERY_BROKER_URL.startswith("redis://") else "the filesystem broker"
    hub = HubFactory(name="Dorset", slug="dorset")
    AdoptionFactory(hub=hub, innovation=InnovationFactory(name="Virtual wards", slug="virtual-wards"))
    day = timezone.localdate() - datetime.timedelta(days=1)
    client.force_login(ahsn_admin(username="admin"))
    slow_log, log = tmp_path / "slow-worker.log", tmp_path / "worker.log"

    # A worker whose "signals" section takes two minutes: it will be killed long before.
    slow = start_worker(slow_log, app_module="tests.slow_rollup_worker")
    worker = None
    try:
        response = client.post(reverse("learning:run_start"), {"day": day.isoformat()})
        first = RollupRun.objects.get()
        assert response.url == reverse("learning:run", args=[first.pk])
        wait_for(
            lambda: RollupRun.objects.filter(pk=first.pk, status=Status.RUNNING, section="signals").exists(),
            seconds=WAIT_SECONDS,
            workers=[slow],
            log_paths=[slow_log],
        )
        kill_worker(slow)
        killed_at = timezone.now()
        first.refresh_from_db()
        assert first.status == Status.RUNNING, "a killed worker records nothing"

        # Another worker, and the dispatcher every half second (beat runs it every minute).
        worker = start_worker(log)
        wait_for(
            lambda: RollupRun.objects.filter(day=day, status=Status.SUCCEEDED).exists(),
            seconds=settings.TAKEOVER_AFTER.total_seconds() + 30,
            workers=[slow, worker],
            log_paths=[slow_log, log],
            every=dispatch,
        )
        rebuilt_at = timezone.now()
    finally:
        if slow.poll() is None:
            kill_worker(slow)
        if worker is not None:
            stop_worker(worker)

    first.refresh_from_db()
    assert first.status == Status.ABANDONED
    assert first.finished_at - first.heartbeat_at >= settings.TAKEOVER_AFTER, (
        "not taken over while it might live"
    )
    assert "“signals”" in first.error
    again = RollupRun.objects.get(day=day, status=Status.SUCCEEDED)
    assert again.pk > first.pk and again.report.day == day
    limit = settings.TAKEOVER_AFTER + datetime.timedelta(seconds=30)
    assert rebuilt_at - killed_at < limit, f"the day was blocked for {rebuilt_at - killed_at} ({broker})"
    page = client.get(reverse("learning:run", args=[first.pk])).content.decode()
    assert reverse("learning:run", args=[again.pk]) in page
