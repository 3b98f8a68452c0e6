"""The real Celery app with one roll-up section slowed to a crawl, for a worker a test kills mid-run.

Started by ``tests/learning/test_rollup_takeover.py`` as ``celery -A tests.slow_rollup_worker
worker``: the run is claimed, beats its heartbeat and builds its first sections as usual, then
sits in "signals" (``SLOW_SECTION_SECONDS``, default two minutes) until the test kills it.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubportal.settings_test")
django.setup()

from hubportal.celery import app  # noqa: E402
from learning import rollup  # noqa: E402

_signals = rollup.signals


def _slow_signals(*args, **kwargs):
    time.sleep(float(os.environ.get("SLOW_SECTION_SECONDS", "120")))
    return _signals(*args, **kwargs)


rollup.signals = _slow_signals

__all__ = ["app"]
