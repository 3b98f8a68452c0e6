"""What hubs learn: barriers, enablers, lessons and adaptations, tagged by CFIR 2.0 domain."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from hubs.models import EngagementEvent
from innovations.models import Adoption

from .querysets import LearningNoteQuerySet, LearningSummaryQuerySet, SummaryVersionQuerySet


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
    event = models.ForeignKey(
        EngagementEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_notes",
        verbose_name="from the event",
        help_text="Optional: the hub's event, workshop or training this was learnt at.",
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = LearningNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:note", args=[self.pk])

    def clean(self) -> None:
        if self.event_id and self.adoption_id and self.event.hub_id != self.adoption.hub_id:
            raise ValidationError({"event": "Choose one of the adoption's own hub's events."})


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

    def get_absolute_url(self) -> str:
        return reverse("learning:report", args=[self.day.isoformat()])


class RollupRun(models.Model):
    """One attempt to build a day's report: who or what started it, how far it got, how it ended.

    At most one run per day may be running at a time: the partial unique constraint
    is the lock, in the database, so it holds across workers and machines. A running run
    beats its heartbeat at each section; one silent for ``settings.TAKEOVER_AFTER`` has
    lost its worker, and is marked abandoned by the next run or the outbox dispatcher.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        UNCHANGED = "unchanged", "Succeeded: no change"
        SKIPPED = "skipped", "Skipped: another run was building this day"
        FAILED = "failed", "Failed"
        ABANDONED = "abandoned", "Stopped: its worker was lost"

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
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life of a running run: its latest section."
    )
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


# --------------------------------------------------------------------------------------
# Learning summaries: written by AHSN admins, reviewed by another, published in versions
# --------------------------------------------------------------------------------------


def stored_themes(codes) -> str:
    """CFIR 2.0 domain codes, in the framework's order, as ``SummaryContent.themes`` stores them."""
    chosen = set(codes)
    ordered = [code for code in LearningNote.Domain.values if code in chosen]
    return f" {' '.join(ordered)} " if ordered else ""


class Audience(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed-in users of the portal"
    PUBLIC = "public", "Everyone: the public too"


class SummaryContent(models.Model):
    """What a summary says: the working copy on the summary, a frozen copy in each version."""

    title = models.CharField(max_length=150)
    standfirst = models.TextField(
        max_length=600, help_text="One paragraph that says what was learned, for whom. Plain text."
    )
    body = models.TextField(help_text="Markdown.")
    # CFIR 2.0 domain codes separated by spaces, with one before and after, so a theme is
    # found with ``themes__contains=" code "`` on every database (see ``with_theme``).
    themes = models.CharField("CFIR 2.0 themes", max_length=200, blank=True, default="")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.SIGNED_IN)
    hubs = models.ManyToManyField("hubs.Hub", blank=True, related_name="+", verbose_name="related hubs")
    innovations = models.ManyToManyField(
        "innovations.Innovation", blank=True, related_name="+", verbose_name="related innovations"
    )
    cited_reports = models.ManyToManyField(
        RollupReport, blank=True, related_name="+", verbose_name="cited roll-up reports"
    )
    cited_notes = models.ManyToManyField(
        LearningNote, blank=True, related_name="+", verbose_name="cited learning notes"
    )

    class Meta:
        abstract = True

    @property
    def theme_codes(self) -> list[str]:
        return self.themes.split()

    @property
    def theme_labels(self) -> list[str]:
        labels = dict(LearningNote.Domain.choices)
        return [labels.get(code, code) for code in self.theme_codes]

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PUBLIC


class LearningSummary(SummaryContent):
    """A learning summary at one address: its working copy, where it is in review, and what is live.

    ``status`` is the working copy's place in the workflow (draft → in review → published,
    and withdrawn). ``live_version`` is what readers see: it stays live while changes to a
    published summary are drafted and reviewed, until they are published as the next version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    slug = models.SlugField(max_length=160, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    live_version = models.OneToOneField(
        "SummaryVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="Why the reviewer returned it, if they did.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = LearningSummaryQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name_plural = "learning summaries"
        constraints = [
            models.UniqueConstraint(Lower("title"), name="summary_title_unique", violation_error_message=(
                "A learning summary with this title already exists: choose another title."
            )),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("learning:summary", args=[self.slug])

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def has_unpublished_changes(self) -> bool:
        return self.live_version_id is not None and self.status in (self.Status.DRAFT, self.Status.IN_REVIEW)


class SummaryVersion(SummaryContent):
    """One published version of a summary, frozen: what readers saw from ``published_at`` on."""

    summary = models.ForeignKey(LearningSummary, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The AHSN admin who reviewed and published it.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The AHSN admin who sent it for review.",
    )

    objects = SummaryVersionQuerySet.as_manager()

    class Meta:
        ordering = ["summary", "-number"]
        constraints = [models.UniqueConstraint(fields=["summary", "number"], name="summary_version_unique")]
        indexes = [models.Index(fields=["-published_at"])]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    def get_absolute_url(self) -> str:
        return reverse("learning:summary_version", args=[self.summary.slug, self.number])


class SummaryEmailPreference(models.Model):
    """How often one person hears of newly published learning summaries."""

    class Frequency(models.TextChoices):
        EACH = "each", "An e-mail for each summary when it is published"
        WEEKLY = "weekly", "A weekly digest, on Monday mornings"
        NONE = "none", "No e-mails"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summary_email_preference"
    )
    frequency = models.CharField(max_length=6, choices=Frequency.choices, default=Frequency.NONE)
    digest_sent_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The weekly digest has told them of everything published before this.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"


class SummaryEmailSent(models.Model):
    """One person was e-mailed of one published version: a retried task does not e-mail them twice."""

    version = models.ForeignKey(SummaryVersion, on_delete=models.CASCADE, related_name="emails_sent")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="summary_email_once")]

    def __str__(self) -> str:
        return f"{self.version} e-mailed to {self.user}"
