from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def programme_saved(sender, instance, **kwargs) -> None:
    """A programme's minimum for limits changed (in the admin): its summaries read with the new one."""
    from . import summaries  # models are ready only once the app is

    summaries.refresh_programme(instance)


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluation"

    def ready(self) -> None:
        from . import annotations
        from .comparison import adoptions_changed

        annotations.register(annotations.stage_moves, kinds=[annotations.STAGE_MOVE, annotations.REBASE])

        # The programme lives below evaluation in the app order, so it cannot call this itself;
        # the summary rows it changes are evaluation's, kept here in the same transaction.
        post_save.connect(programme_saved, sender="hubs.Programme", dispatch_uid="evaluation-programme-saved")
        # Archiving an adoption takes it off the funnel plots, whose sums are cached.
        post_save.connect(
            adoptions_changed, sender="innovations.Adoption", dispatch_uid="funnel-adoption-saved"
        )
        post_delete.connect(
            adoptions_changed, sender="innovations.Adoption", dispatch_uid="funnel-adoption-deleted"
        )
