"""The small override the test suite runs with (see pytest.ini)."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key")
# The tests' own database files and broker folders, apart from a developer's running portal.
os.environ.setdefault("HUBPORTAL_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "test"))
# A broker folder and a queue per test run, so two runs on one machine (or on one Redis) never
# take each other's messages; the Celery workers that tests start inherit both from the environment.
os.environ.setdefault(
    "HUBPORTAL_BROKER_DIR", os.path.join(os.environ["HUBPORTAL_VAR_DIR"], f"broker-{os.getpid()}")
)
os.environ.setdefault("HUBPORTAL_TEST_QUEUE", f"tests-{os.getpid()}")
# Work a lost worker left is taken over after seconds, not minutes, so tests of it can wait for
# it (tests/outbox/); the workers that tests start inherit it from the environment.
os.environ.setdefault("HUBPORTAL_TAKEOVER_MINUTES", "0.1")
# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .settings import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["*"]
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_DEFAULT_QUEUE = os.environ["HUBPORTAL_TEST_QUEUE"]
# The cache is this process's own: on one Redis, two runs (or xdist workers) never read
# each other's to-do counts for users that share an id in their own databases.
CACHES["default"]["KEY_PREFIX"] = f"tests-{os.getpid()}"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root otherwise
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a real Celery worker started by a test sees the test's data
    # (tests/learning/test_rollup_worker.py); one per test process, so runs never share one.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
