from django.apps import AppConfig


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "learning"

    def ready(self) -> None:
        # evaluation may not import learning: learning hands it the notes to mark on charts.
        from evaluation.annotations import register

        from .annotations import NOTE_KINDS, notes_on_chart

        register(notes_on_chart, kinds=list(NOTE_KINDS.values()))
