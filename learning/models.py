"""What hubs learn: barriers, enablers, lessons and adaptations, tagged by CFIR 2.0 domain."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from innovations.models import Adoption

from .querysets import LearningNoteQuerySet


class LearningNote(models.Model):
    class Kind(models.TextChoices):
        BARRIER = "barrier", "Barrier"
        ENABLER = "enabler", "Enabler"
        LESSON = "lesson", "Lesson"
        ADAPTATION = "adaptation", "Adaptation"

    class Domain(models.TextChoices):
        INNOVATION = "innovation", "Innovation"
        OUTER_SETTING = "outer_setting", "Outer setting"
        INNER_SETTING = "inner_setting", "Inner setting"
        INDIVIDUALS = "individuals", "Individuals"
        PROCESS = "implementation_process", "Implementation process"

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    cfir_domain = models.CharField("CFIR 2.0 domain", max_length=30, choices=Domain.choices)
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="Markdown.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="learning_notes",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    archived = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = LearningNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.title
