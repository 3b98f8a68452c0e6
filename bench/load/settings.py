"""The production settings with DEBUG off, for ``make load``'s gunicorn and Celery worker.

The only changes are what plain HTTP on the loopback address needs (no TLS here: no HTTPS
redirect, cookies not marked Secure, the loopback host name), static files served without
``collectstatic``, and a Celery queue of the load test's own. Database, broker and cache come
from the environment that ``bench/load/run.py`` sets.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "load-test-only-secret-key")
os.environ["DJANGO_DEBUG"] = "false"

from hubportal.settings import *  # noqa: E402, F403
from hubportal.settings import LOGGING, STORAGES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
CELERY_TASK_DEFAULT_QUEUE = "hubportal-load"
# A line per sign-in from django-axes would bury the worker's and the server's logs.
LOGGING["loggers"] = {"axes": {"level": "WARNING"}}
