"""The outbox: background work a change promised, written in the same transaction as the change."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxItemQuerySet(models.QuerySet):
    def open(self):
        """Items whose task has not yet reached an outcome."""
        return self.filter(done_at__isnull=True)


class OutboxItem(models.Model):
    """One piece of background work: a Celery task and its arguments, under a unique key.

    Written by ``outbox.services.enqueue`` in the transaction of the change that calls for it,
    so the work exists exactly when the change does. Handed to Celery after commit, and again
    by the dispatcher while no outcome is recorded; the task's outcome (reported by the Celery
    signals in ``outbox.signals``) closes it. Bookkeeping, never edited by people.
    """

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed after its own retries"
        GAVE_UP = "gave_up", "Given up: its worker was lost each time"

    key = models.CharField(
        max_length=200, unique=True, help_text="What the work is about, e.g. check-upload:42."
    )
    task = models.CharField(max_length=200, help_text="The Celery task's name.")
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now, help_text="When the dispatcher next hands it over.")
    handed_over_at = models.DateTimeField(null=True, blank=True, help_text="Last given to the broker.")
    handovers = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True, help_text="Last begun by a worker.")
    starts = models.PositiveIntegerField(
        default=0, help_text="Hand-overs a worker began (retries not counted)."
    )
    refusals = models.PositiveIntegerField(default=0, help_text="Hand-overs the broker refused.")
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)

    objects = OutboxItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="outbox_open_due")]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"

    @property
    def state(self) -> str:
        """waiting (for the broker), queued (for a worker), running, or done."""
        if self.done_at is not None:
            return "done"
        if self.handed_over_at is None:
            return "waiting"
        if self.started_at is not None and self.started_at >= self.handed_over_at:
            return "running"
        return "queued"

    @property
    def waiting_for_broker(self) -> bool:
        """Not yet accepted by the task queue: it is down, or was when this was written."""
        return self.state == "waiting"
