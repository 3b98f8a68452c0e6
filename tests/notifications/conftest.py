import pytest

from hubportal.celery import app


@pytest.fixture
def eager_tasks(monkeypatch):
    """Tasks handed over after commit run here and now, as a worker would run them."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)
