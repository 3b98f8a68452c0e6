from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared mechanics at the bottom of the app order: every other app may use these; they use none."""

    name = "core"
    verbose_name = "Core"
