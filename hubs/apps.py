from django.apps import AppConfig


class HubsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hubs"
