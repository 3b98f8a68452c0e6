"""A real Celery worker process for end-to-end tests, on the test's own database and broker.

On the default set-up messages go through the filesystem broker (the worker shares the
test's ``HUBPORTAL_VAR_DIR``) and the worker opens the test's SQLite file; on the
PostgreSQL + Redis set-up they go through Redis to a worker on the test database.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

from hubportal.celery import app

ROOT = Path(__file__).resolve().parents[1]


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


def start_worker(log_path: Path, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a worker, after emptying the queue of messages earlier tests left for rows long gone."""
    app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hubportal.settings_test",
        "DATABASE_URL": test_database_url(),
        "HUBPORTAL_VAR_DIR": str(settings.VAR_DIR),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "hubportal", "worker", "--pool=solo", "--concurrency=1"]
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


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
