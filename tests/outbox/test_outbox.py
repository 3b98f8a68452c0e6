"""The outbox's mechanics: written with the change, handed over after commit, again when stale, given up.

Hand-overs go to the test run's real broker (the filesystem broker, or Redis in CI's second
run); "the broker is down" is the Celery app pointed at a port where nothing listens.
"""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery import shared_task
from django.conf import settings
from django.db import transaction

from hubportal.celery import app
from outbox import services
from outbox.models import OutboxItem
from outbox.services import MAX_STARTS, dispatch, enqueue
from tests.workers import broker_refusing_connections

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
RECORDED = []


@shared_task(name="tests.outbox.record")
def record(value):
    """A task of the tests' own: what it was given, in the order it ran."""
    RECORDED.append(value)
    return value


@shared_task(name="tests.outbox.explode")
def explode():
    raise RuntimeError("the task itself failed")


@pytest.fixture
def eager_tasks(monkeypatch):
    """Tasks handed over run here and now, as a worker would run them, signals and all."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    RECORDED.clear()


def test_the_promise_is_written_with_the_change_or_not_at_all(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        enqueue(record, 1, key="rolled-back")
        raise RuntimeError("the change fails")
    assert not OutboxItem.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = enqueue(record, 2, key="committed")
        assert item.state == "waiting", "nothing is handed over before the commit"
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    item.refresh_from_db()
    assert (item.state, item.handovers, item.task, item.args) == ("queued", 1, "tests.outbox.record", [2])


def test_a_task_handed_over_closes_its_item_with_its_outcome(eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(record, "first", key="record:first")
        enqueue(explode, key="explode")
    assert RECORDED == ["first"]
    done = OutboxItem.objects.get(key="record:first")
    failed = OutboxItem.objects.get(key="explode")
    assert (done.state, done.outcome, done.starts) == ("done", "succeeded", 1)
    assert (failed.state, failed.outcome) == ("done", "failed")
    assert "the task itself failed" in failed.last_error
    assert dispatch() == 0, "nothing done is handed over again"
    assert RECORDED == ["first"]


def test_asking_again_for_work_done_opens_it_again_and_for_open_work_changes_nothing(
    eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(record, "import", key="import-upload:1")
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(record, "import again", key="import-upload:1")  # e.g. an import tried a second time
    assert RECORDED == ["import", "import again"]
    item = OutboxItem.objects.get()
    assert item.state == "done" and item.args == ["import again"]


def test_without_an_outcome_an_item_is_handed_over_again_after_the_takeover_time_then_less_often(
    django_capture_on_commit_callbacks,
):
    """A message the broker lost, or a worker killed mid-task: nothing reports back."""
    with django_capture_on_commit_callbacks(execute=True):
        item = enqueue(record, 1, key="lost")
    item.refresh_from_db()
    sent = item.handed_over_at
    takeover = settings.TAKEOVER_AFTER
    second = datetime.timedelta(seconds=1)

    assert dispatch(now=sent + takeover - second) == 0
    assert dispatch(now=sent + takeover + second) == 1
    item.refresh_from_db()
    assert item.handovers == 2
    again = item.handed_over_at
    assert dispatch(now=again + takeover + second) == 0, "the second wait is twice as long"
    assert dispatch(now=again + 2 * takeover + second) == 1
    item.refresh_from_db()
    assert item.handovers == 3


def test_an_item_begun_again_and_again_without_an_outcome_is_given_up(django_capture_on_commit_callbacks):
    """A piece of work that kills its worker each time is not handed over for ever."""
    with django_capture_on_commit_callbacks(execute=True):
        item = enqueue(record, 1, key="poison")
    for attempt in range(1, MAX_STARTS + 1):
        item.refresh_from_db()
        services.record_start(item.pk, item.handovers, first_try=True)  # what a worker reports as it begins
        item.refresh_from_db()
        assert item.starts == attempt
        later = item.due_at + datetime.timedelta(seconds=1)  # ... and then it was lost
        handed = dispatch(now=later)
        assert handed == (1 if attempt < MAX_STARTS else 0)
    item.refresh_from_db()
    assert (item.state, item.outcome) == ("done", "gave_up")
    assert "worker was lost" in item.last_error


def test_a_retry_of_the_same_hand_over_is_not_another_start(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = enqueue(record, 1, key="retried")
    item.refresh_from_db()
    services.record_start(item.pk, item.handovers, first_try=True)
    services.record_start(item.pk, item.handovers, first_try=False)  # Celery's own retry
    item.refresh_from_db()
    assert item.starts == 1


def test_an_outcome_of_an_older_hand_over_does_not_close_the_item(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = enqueue(record, 1, key="late")
    item.refresh_from_db()
    dispatch(now=item.due_at + datetime.timedelta(seconds=1))  # handed over a second time
    services.record_outcome(item.pk, 1, outcome=OutboxItem.Outcome.SUCCEEDED)
    item.refresh_from_db()
    assert item.state == "queued"
    services.record_outcome(item.pk, 2, outcome=OutboxItem.Outcome.SUCCEEDED)
    item.refresh_from_db()
    assert item.state == "done"


def test_when_the_broker_refuses_the_change_commits_and_the_work_waits_for_it(
    django_capture_on_commit_callbacks,
):
    with broker_refusing_connections():
        with django_capture_on_commit_callbacks(execute=True):
            enqueue(record, 1, key="first")  # raises nothing
            enqueue(record, 2, key="second")
        first, second = OutboxItem.objects.order_by("pk")
        assert first.state == second.state == "waiting"
        assert first.refusals == 1 and "refused" in first.last_error.lower()

        assert dispatch() == 0
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.refusals, second.refusals) == (2, 1), "a pass stops at the first refusal"

    assert dispatch() == 2, "the broker is back: everything waiting goes"
    assert set(OutboxItem.objects.values_list("handovers", flat=True)) == {1}
    assert dispatch() == 0


def test_every_sweeper_the_dispatcher_runs_exists():
    from django.utils.module_loading import import_string

    for path in settings.OUTBOX_SWEEPERS:
        assert callable(import_string(path)), path


def test_the_dispatcher_runs_every_minute_and_is_asked_for_at_each_worker_start():
    entry = settings.CELERY_BEAT_SCHEDULE["dispatch-outbox"]
    assert entry["task"] == "outbox.tasks.dispatch"
    assert entry["schedule"] == 60.0
    from celery.signals import worker_ready

    from outbox.signals import worker_started

    assert worker_started in [ref() for _, ref in worker_ready.receivers]


def test_redis_gives_a_lost_workers_message_back_after_a_quarter_hour_above_the_task_time_limit(tmp_path):
    """The production settings with Redis: what a killed worker had is redelivered in minutes, not hours."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CELERY_BROKER_TRANSPORT_OPTIONS, s.CELERY_TASK_SOFT_TIME_LIMIT, "
        "s.CELERY_TASK_TIME_LIMIT, s.TAKEOVER_AFTER.total_seconds(), s.CELERY_TASK_ACKS_LATE]))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "HUBPORTAL_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="hubportal.settings",
        DJANGO_SECRET_KEY="x" * 50,
        HUBPORTAL_VAR_DIR=str(tmp_path),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    options, soft_limit, hard_limit, takeover, acks_late = json.loads(result.stdout.splitlines()[-1])
    assert acks_late is True
    assert soft_limit < hard_limit == 10 * 60 < options["visibility_timeout"] == 15 * 60
    assert takeover == 5 * 60, "a lost worker's roll-up or upload is taken over after five minutes"
