"""Notifications: one row per person per thing they are told, and how each person wants each kind."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    """Every kind of notification, one place for their names (the apps that send them are above this one)."""

    FIGURES_RETURNED = "figures_returned", "Figures returned to your hub"
    FIGURES_DUE = "figures_due", "Figures due soon"
    FIGURES_OVERDUE = "figures_overdue", "Figures overdue"
    FIGURES_RESUBMITTED = "figures_resubmitted", "Figures you returned, submitted again"
    REOPEN_REQUESTED = "reopen_requested", "Requests to reopen approved figures"
    REOPEN_DECIDED = "reopen_decided", "Your requests to reopen figures, decided"
    SUMMARY_FOR_REVIEW = "summary_for_review", "Learning summaries sent for your review"
    PROPOSAL_DECIDED = "proposal_decided", "Your innovation proposals, decided"
    RUN_FAILED = "run_failed", "Nightly roll-up runs that failed"


class Delivery(models.TextChoices):
    AT_ONCE = "at_once", "An e-mail at once"
    DAILY = "daily", "A daily digest"
    NONE = "none", "No e-mail (in the portal only)"


DEFAULT_DELIVERY = Delivery.AT_ONCE


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """A person sees only their own notifications."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one person is told: what, why, and the page where they act on it.

    ``key`` names the event (``figures-returned:12:2026-10``); unique per person, so the
    same event is never told twice, however often a task or command runs.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, help_text="The page where the person acts on it.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it went out by e-mail (at once or in a digest); null while it waits or when not e-mailed.
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_person")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["emailed_at", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} (to {self.recipient})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one person wants one kind by e-mail; no row means the default (at once)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=DEFAULT_DELIVERY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} – {self.get_delivery_display()}"
