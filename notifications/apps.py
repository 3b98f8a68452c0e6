from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """What the portal tells a person: in the portal, and by e-mail at once, in a daily digest or not at all."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Notifications"
