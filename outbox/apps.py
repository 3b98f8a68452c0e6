from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Work promised in a transaction and handed to Celery until it is done: see ``outbox.services``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the Celery signal handlers)
