"""The production settings with DEBUG off, for ``make bench`` (see bench/README.md).

Only what an in-process test client needs changes: the test client's host name, and
static files served from the source folders so no ``collectstatic`` is needed.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
os.environ["DJANGO_DEBUG"] = "false"

from hubportal.settings import *  # noqa: E402, F403
from hubportal.settings import CACHES, DATABASES, LOGGING, STORAGES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["testserver"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
# One line per force_login from django-axes would bury the timings.
LOGGING["loggers"] = {"axes": {"level": "WARNING"}}
# A key space per bench database: a Redis cache (REDIS_URL) outlives a run, and a user id in
# one scale's database is another person in the next one's (the header's to-do count is cached).
CACHES["default"]["KEY_PREFIX"] = f"bench:{DATABASES['default']['NAME']}"
