from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo and scale data (``seed_demo``, ``generate_scale_data``), above every app it writes to."""

    name = "demo"
    verbose_name = "Demo data"
