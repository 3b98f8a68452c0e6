from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluation"

    def ready(self) -> None:
        from . import annotations

        annotations.register(annotations.stage_moves, kinds=[annotations.STAGE_MOVE, annotations.REBASE])
