"""Hub Portal settings: one file, read from the environment, with embedded defaults.

The defaults run the whole portal on one machine with no servers (SQLite and
Celery's filesystem broker under ``var/``). Production sets ``DATABASE_URL``,
``CELERY_BROKER_URL``, ``REDIS_URL``, ``DJANGO_SECRET_KEY`` and
``DJANGO_ALLOWED_HOSTS``; see the README for the full table.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HUBPORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "development-only-key-never-used-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "simple_history",
    "axes",
    "csp",
    "crispy_nhsuk",
    "core",
    "outbox",
    "notifications",
    "hubs",
    "innovations",
    "evaluation",
    "value",
    "learning",
    "demo",
    "hubportal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A change made through the portal may change someone's to-do list: recount on the next page.
    "core.todo.TodoChangedMiddleware",
    # Axes goes last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hubportal.urls"
WSGI_APPLICATION = "hubportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hubportal.context_processors.navigation",
                "hubportal.context_processors.unread_notifications",
            ],
        },
    },
]

# Database -------------------------------------------------------------------

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker share one file: wait for locks, use WAL.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared across machines), else in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Authentication ---------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock out a username from one address after repeated failures, not everyone.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "hubportal-demo")

# Internationalisation -----------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files ---------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"

# Reasons given for a change (a rebase, a merge) are kept whole in the history, however long.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# E-mail: the console by default, SMTP when EMAIL_HOST is set. -------------------

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif os.environ.get("HUBPORTAL_EMAIL_FILE_PATH"):
    # One file per connection in that folder: how a test reads what a real worker sent.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["HUBPORTAL_EMAIL_FILE_PATH"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Hub Portal <no-reply@hubportal.invalid>")

# Security -------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# No inline script or style anywhere: every script and style is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Celery ---------------------------------------------------------------------------

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = Path(os.environ.get("HUBPORTAL_BROKER_DIR", VAR_DIR / "broker"))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for folder in ("out", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # How long Redis keeps a message a worker took but has not acknowledged (acks_late)
        # before giving it to another worker. Above the hard time limit below, so a task still
        # running is never delivered twice; short enough that a killed worker's message comes
        # back within a quarter of an hour even if the outbox did not send it again sooner.
        "visibility_timeout": 15 * 60,
        # A web request hands work over after commit: an unreachable Redis must not hold it long.
        "socket_connect_timeout": 3,
    }
CELERY_RESULT_BACKEND = None  # the rows a task writes are its result
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The longest tasks (a roll-up, a 100,000-row check or import) take seconds to a minute at
# scale 2: ten times that is a task that hangs. The soft limit lets it record why it stopped.
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Static schedule: exactly one beat runs it (in development, inside the worker).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Hand over what waits in the outbox; re-queue work a lost worker left (outbox.services).
    # Expires unrun after a minute: the next one does the same work.
    "dispatch-outbox": {"task": "outbox.tasks.dispatch", "schedule": 60.0, "options": {"expires": 55}},
    # A new month falls due for every indicator at once: completeness moves on.
    "refresh-indicator-summaries": {
        "task": "evaluation.tasks.refresh_indicator_summaries",
        "schedule": crontab(minute=30, hour=0, day_of_month=1),
    },
    # The cross-hub report for the day just ended (learning.tasks.nightly_rollup).
    "nightly-rollup": {"task": "learning.tasks.nightly_rollup", "schedule": crontab(minute=0, hour=2)},
    # New learning summaries for those who chose the weekly digest (learning.emails.digest_send).
    "weekly-summary-digest": {
        "task": "learning.tasks.weekly_summary_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # Reminders of figures due in three working days and overdue (evaluation.reminders); once per key.
    "figures-reminders": {"task": "evaluation.tasks.send_reminders", "schedule": crontab(minute=0, hour=8)},
    # Each person's daily digest of notifications, for the kinds they chose it for (notifications.emails).
    "daily-notification-digest": {
        "task": "notifications.tasks.daily_digest",
        "schedule": crontab(minute=0, hour=7),
    },
}

# Work that survives a broker or worker failure (outbox.services) ----------------

# A roll-up run with no heartbeat for this long, or an outboxed task with no outcome this long
# after it was handed over or begun, has lost its worker: it is taken over and queued again.
# Sections of a roll-up and whole uploads take seconds at scale, so five minutes is ample.
TAKEOVER_AFTER = datetime.timedelta(minutes=float(os.environ.get("HUBPORTAL_TAKEOVER_MINUTES", "5")))
# Each app's check for work a lost worker left half done, run by the outbox dispatcher.
OUTBOX_SWEEPERS = [
    "learning.services.rollup_runs_take_over_stale",
    "evaluation.upload_queue.uploads_requeue_stuck",
]

# Logging: to the console, where honcho, gunicorn and systemd pick it up. -------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
}

# Learning summaries -----------------------------------------------------------------

# A programme with a single AHSN admin may let them review and publish their own summaries.
LEARNING_SUMMARY_SELF_REVIEW = env_bool("HUBPORTAL_SUMMARY_SELF_REVIEW")
# Where links in e-mails point (sent by workers, which have no request to read it from).
SITE_URL = os.environ.get("HUBPORTAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
