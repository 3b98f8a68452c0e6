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


class RollupReport(models.Model):
    """The nightly cross-hub report for one day: built whole, in one transaction, or not at all.

    ``content`` holds every section as data (see ``learning/rollup.py`` for its shape);
    pages, CSV and PDF are all drawn from it. Derived data: never edited by hand.
    """

    day = models.DateField(unique=True, help_text="The day the report is as of (its end, Europe/London).")
    content = models.JSONField()
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the content, to see if a rebuild changed it."
    )
    built_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Roll-up report for {self.day:%-d %B %Y}"


class RollupRun(models.Model):
    """One attempt to build a day's report: who or what started it, how far it got, how it ended.

    At most one run per day may be running at a time: the partial unique constraint
    is the lock, in the database, so it holds across workers and machines.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        UNCHANGED = "unchanged", "Succeeded: no change"
        SKIPPED = "skipped", "Skipped: another run was building this day"
        FAILED = "failed", "Failed"

    day = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    section = models.CharField(max_length=40, blank=True, help_text="The section being built now.")
    attempt = models.PositiveSmallIntegerField(default=1)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the nightly schedule started it.",
    )
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    report = models.ForeignKey(
        RollupReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )

    class Meta:
        ordering = ["-queued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["day"],
                condition=models.Q(status="running"),
                name="rollup_one_running_run_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"Roll-up run for {self.day} ({self.get_status_display()})"
