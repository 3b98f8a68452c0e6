"""The innovation catalogue, adoptions by hubs, and the stage history of each adoption."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from hubs.models import ClinicalArea, Hub

from .complexity import DOMAINS, REASON_MAX_LENGTH, DomainRating, Rating, profile_summary
from .querysets import (
    AdoptionQuerySet,
    ComplexityCheckQuerySet,
    InnovationQuerySet,
    StageTransitionQuerySet,
)
from .stages import STAGE_ORDER, Stage, allowed_moves, is_exit, move_needs_reason


class Innovation(models.Model):
    class Category(models.TextChoices):
        REMOTE_MONITORING = "remote_monitoring", "Remote monitoring and virtual care"
        DIAGNOSTICS = "diagnostics", "Diagnostics and case-finding"
        MEDICINES = "medicines", "Medicines optimisation"
        SERVICE_MODEL = "service_model", "Service model or pathway"
        PREVENTION = "prevention", "Prevention and self-management"
        DIGITAL = "digital", "Digital tool or data"
        WORKFORCE = "workforce", "Workforce and community roles"

    class Evidence(models.TextChoices):
        NICE = "nice", "NICE guidance or national mandate"
        NATIONAL = "national", "National programme with published evaluation"
        TRIAL = "trial", "Randomised or controlled trial evidence"
        OBSERVATIONAL = "observational", "Observational or real-world evidence"
        EMERGING = "emerging", "Emerging: local evaluation only"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        MERGED = "merged", "Merged into another entry"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField()
    category = models.CharField(max_length=30, choices=Category.choices)
    evidence_level = models.CharField(max_length=20, choices=Evidence.choices)
    origin = models.CharField(max_length=200, blank=True, help_text="Who developed or first spread it.")
    clinical_areas = models.ManyToManyField(
        ClinicalArea,
        blank=True,
        related_name="innovations",
        verbose_name="Core20PLUS5 clinical areas",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_entries",
        help_text="Kept, not deleted, when merged: its adoptions moved to this entry.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[clinical_areas])

    objects = InnovationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        """In the catalogue for everyone (not a proposal, nor merged into another entry)."""
        return self.status == self.Status.APPROVED


class Adoption(models.Model):
    """One hub's adoption of one innovation, with its current stage."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="adoptions")
    innovation = models.ForeignKey(Innovation, on_delete=models.PROTECT, related_name="adoptions")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDENTIFIED)
    stage_since = models.DateField(help_text="Date of the latest stage move.")
    started_on = models.DateField(help_text="When the hub first identified the innovation.")
    aims = models.TextField(blank=True)
    target_population = models.TextField(blank=True)
    core20 = models.BooleanField(
        "aims to reach Core20", default=False, help_text="The most deprived 20% of the population."
    )
    plus_groups = models.TextField("PLUS groups it aims to reach", blank=True, help_text="One per line.")
    clinical_areas = models.ManyToManyField(
        ClinicalArea, blank=True, related_name="adoptions", verbose_name="Core20PLUS5 clinical areas"
    )
    inequalities_aims = models.TextField(
        blank=True, help_text="What the adoption should change for the people it aims to reach."
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_adoptions",
    )
    archived = models.BooleanField(default=False)
    archived_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[clinical_areas])

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["hub__name", "innovation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "innovation"],
                name="adoption_one_per_hub_and_innovation",
                violation_error_message="This hub already adopts this innovation.",
            ),
            models.CheckConstraint(
                condition=Q(stage_since__gte=F("started_on")),
                name="adoption_stage_after_start",
            ),
            models.CheckConstraint(
                condition=Q(archived=False) | ~Q(archived_reason=""),
                name="adoption_archive_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.innovation} in {self.hub}"

    def get_absolute_url(self) -> str:
        return reverse("innovations:adoption", args=[self.pk])

    @property
    def is_exited(self) -> bool:
        return is_exit(self.stage)

    @property
    def stage_tag_class(self) -> str:
        """NHS.UK tag colour for the stage; the label always says the stage too."""
        if self.is_exited:
            return "nhsuk-tag--grey"
        if STAGE_ORDER[Stage(self.stage)] >= STAGE_ORDER[Stage.IMPLEMENTED]:
            return "nhsuk-tag--green"
        return "nhsuk-tag--blue"

    def can_move_to(self, stage: str) -> bool:
        return stage in allowed_moves(self.stage)

    def move_needs_reason(self, stage: str) -> bool:
        return move_needs_reason(self.stage, stage)

    def days_in_stage(self, today: datetime.date | None = None) -> int:
        return ((today or timezone.localdate()) - self.stage_since).days

    @property
    def latest_complexity_check(self):
        """The latest check, from ``ComplexityCheckQuerySet.latest_prefetch`` (no query of its own)."""
        checks = getattr(self, "latest_complexity", None)
        if checks is None:
            raise AttributeError("Prefetch the latest checks with ComplexityCheck.objects.latest_prefetch().")
        return checks[0] if checks else None


class StageTransition(models.Model):
    """One move of an adoption from a stage to another: an append-only record."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    date = models.DateField()
    reason = models.TextField(blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = StageTransitionQuerySet.as_manager()

    class Meta:
        ordering = ["adoption", "date", "recorded_at", "pk"]
        indexes = [
            models.Index(fields=["adoption", "date"]),
            models.Index(fields=["date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(from_stage=F("to_stage")), name="transition_changes_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.adoption}: {self.from_stage or 'start'} → {self.to_stage} on {self.date}"


class ComplexityCheck(models.Model):
    """A hub's NASSS complexity check of one adoption on a day: all seven domains rated, each with a reason.

    Append-only, like stage moves: a check is never edited or deleted; a later check records
    what changed. The domains, ratings and schedule are in ``innovations.complexity``.
    """

    adoption = models.ForeignKey(Adoption, on_delete=models.PROTECT, related_name="complexity_checks")
    checked_on = models.DateField("date of the check")
    condition = models.CharField("the condition", max_length=11, choices=Rating.choices)
    condition_reason = models.CharField(max_length=REASON_MAX_LENGTH)
    technology = models.CharField("the technology", max_length=11, choices=Rating.choices)
    technology_reason = models.CharField(max_length=REASON_MAX_LENGTH)
    value_proposition = models.CharField("the value proposition", max_length=11, choices=Rating.choices)
    value_proposition_reason = models.CharField(max_length=REASON_MAX_LENGTH)
    adopters = models.CharField("the adopters", max_length=11, choices=Rating.choices)
    adopters_reason = models.CharField(max_length=REASON_MAX_LENGTH)
    organisations = models.CharField("the organisations", max_length=11, choices=Rating.choices)
    organisations_reason = models.CharField(max_length=REASON_MAX_LENGTH)
    wider_system = models.CharField("the wider system", max_length=11, choices=Rating.choices)
    wider_system_reason = models.CharField(max_length=REASON_MAX_LENGTH)
    embedding = models.CharField("embedding and adaptation over time", max_length=11, choices=Rating.choices)
    embedding_reason = models.CharField(max_length=REASON_MAX_LENGTH)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    is_synthetic = models.BooleanField(default=False, help_text="Made up for the demo; never a real check.")

    objects = ComplexityCheckQuerySet.as_manager()

    class Meta:
        ordering = ["adoption", "checked_on", "pk"]
        indexes = [models.Index(fields=["adoption", "checked_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "checked_on"],
                name="complexity_check_one_per_day",
                violation_error_message="This adoption already has a complexity check on that date.",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{domain}__in": Rating.values}) & ~Q(**{f"{domain}_reason": ""}),
                    name=f"complexity_check_{domain}_rated",
                )
                for domain, _ in DOMAINS
            ],
        ]

    def __str__(self) -> str:
        return f"Complexity check of {self.adoption_id} on {self.checked_on}"

    @property
    def ratings(self) -> list[DomainRating]:
        return [
            DomainRating(domain, label, getattr(self, domain), getattr(self, f"{domain}_reason"))
            for domain, label in DOMAINS
        ]

    @property
    def summary(self) -> str:
        """ "2 complex, 3 complicated, 2 simple"."""
        return profile_summary([getattr(self, domain) for domain, _ in DOMAINS])
