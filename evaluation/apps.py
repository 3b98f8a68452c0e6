from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_delete, post_migrate, post_save


def programme_saved(sender, instance, **kwargs) -> None:
    """A programme's minimum for limits changed (in the admin): its summaries and flags read with the new one."""
    from . import flags, summaries  # models are ready only once the app is

    flags.flags_refresh(summaries.refresh_programme(instance))


def put_back_national_breakdowns(sender, apps=global_apps, **kwargs) -> None:
    """After ``migrate``, and after a flush (a test database emptied between tests): the vocabulary is there.

    The migration writes it once; a flush empties every table, and ``flush`` sends
    ``post_migrate`` (without ``apps``) so Django's own content types and permissions come
    back: so does this vocabulary.
    """
    from .vocabulary import ensure_national_breakdowns

    try:
        dimension, group = (
            apps.get_model("evaluation", name) for name in ("BreakdownDimension", "BreakdownGroup")
        )
    except LookupError:  # migrated to before breakdowns existed
        return
    ensure_national_breakdowns(dimension, group)


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
        post_migrate.connect(put_back_national_breakdowns, sender=self)
