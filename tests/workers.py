"""A real Celery worker process for end-to-end tests, on the test's own database and broker.

On the default set-up messages go through the filesystem broker (the worker shares the
test's ``HUBPORTAL_VAR_DIR``) and the worker opens the test's SQLite file; on the
PostgreSQL + Redis set-up they go through Redis to a worker on the test database.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hubportal.celery import app

ROOT = Path(__file__).resolve().parents[1]
# Nothing listens on port 1: a broker URL that is refused at once, like Redis when it is down.
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = db["NAME"]
        assert name != ":memory:" and "mode=memory" not in str(name), "the test database must be a file"
        return f"sqlite:///{name}"
    assert connection.vendor == "postgresql", f"no worker test for {connection.vendor}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_worker(
    log_path: Path,
    extra_env: dict[str, str] | None = None,
    *,
    app_module: str = "hubportal",
    purge: bool = True,
) -> subprocess.Popen:
    """Start a worker, after emptying the queue of messages earlier tests left for rows long gone.

    ``app_module`` names the Celery app to run (``tests.slow_rollup_worker`` slows a roll-up
    down); ``purge=False`` keeps what the test itself has just queued.
    """
    if purge:
        app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hubportal.settings_test",
        "DATABASE_URL": test_database_url(),
        "HUBPORTAL_VAR_DIR": str(settings.VAR_DIR),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", app_module, "worker", "--pool=solo", "--concurrency=1"]
    command += [
        "-Q",
        settings.CELERY_TASK_DEFAULT_QUEUE,
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    log = log_path.open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def kill_worker(worker: subprocess.Popen) -> None:
    """SIGKILL: the worker stops at once, mid-task, acknowledging nothing and recording nothing."""
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=20)


def _drop_broker_connections() -> None:
    """Forget the app's pooled broker connections, so the next message opens one to the broker URL now set."""
    # Not closed: kombu keeps one pool per broker URL for the whole process, to be used again.
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@contextmanager
def broker_refusing_connections():
    """The task queue down, for this process: the Celery app points at a port where nothing listens.

    As when Redis is stopped: every connection is refused. On leaving, the app points at the
    test run's real broker (the filesystem broker, or Redis) again.
    """
    # Messages go out through the write URL; ``broker_url`` itself would lose to the
    # CELERY_BROKER_URL environment variable, which Celery reads first.
    saved = app.conf.get("broker_write_url"), app.conf.broker_transport_options
    _drop_broker_connections()
    app.conf.broker_write_url, app.conf.broker_transport_options = CLOSED_PORT_BROKER, {}
    try:
        yield
    finally:
        _drop_broker_connections()
        app.conf.broker_write_url, app.conf.broker_transport_options = saved


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


SEPARATOR = b"-" * 79  # the file e-mail backend writes it after each whole message
WAIT_SECONDS = 60


def sent_messages(folder: Path) -> list[EmailMessage]:
    """Each whole message a worker's file e-mail backend has written into ``folder`` so far, parsed."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        chunks = path.read_bytes().split(SEPARATOR)[:-1]  # a message still being written has none after it
        messages += [
            message_from_bytes(chunk.strip(), policy=policy.default) for chunk in chunks if chunk.strip()
        ]
    return messages


def wait_for_email(
    worker: subprocess.Popen, folder: Path, log_path: Path, *, to: str, subject: str | None = None
) -> EmailMessage:
    """The first message to ``to`` (with ``subject``, if given) that the worker writes into ``folder``.

    Fails the test, with the worker's log, if the worker exits or nothing comes in time.
    """
    broker = "Redis" if settings.CELERY_BROKER_URL.startswith("redis://") else "the filesystem broker"
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(
                f"The Celery worker ({broker}) exited with {worker.returncode}:\n{log_path.read_text()}"
            )
        found = [m for m in sent_messages(folder) if m["To"] == to and subject in (None, m["Subject"])]
        if found:
            return found[0]
        time.sleep(0.5)
    pytest.fail(
        f"No e-mail to {to} within {WAIT_SECONDS} s from the Celery worker ({broker}). If the log shows "
        "no task received, another test process's worker may have taken it or start_worker's purge "
        "removed it: every test process in this checkout shares the broker.\n"
        f"Worker log:\n{log_path.read_text()[-4000:]}"
    )
