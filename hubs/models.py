"""Programmes, organisations, hubs and who belongs to them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .querysets import EngagementEventQuerySet, HubQuerySet, MembershipQuerySet, PartnershipQuerySet


class ClinicalArea(models.Model):
    """One of Core20PLUS5's five clinical areas, for adults or for children and young people."""

    class Population(models.TextChoices):
        ADULTS = "adults", "Adults"
        CHILDREN = "children", "Children and young people"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    population = models.CharField(max_length=10, choices=Population.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["population", "position"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_population_display().lower()})"


# The fewest monthly figures before an indicator's chart shows process limits and icons: 12 by
# default (a year of months), as NHSRplotthedots and Making Data Count warn against limits from
# very short series. Limits need two figures at the least (one moving range); three years of
# months is as long as a programme waits.
MIN_POINTS_FOR_LIMITS = 12
MIN_POINTS_LOWEST, MIN_POINTS_HIGHEST = 2, 36


class Programme(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    funder = models.CharField(max_length=200)
    award_cap = models.DecimalField("maximum award per hub (£)", max_digits=12, decimal_places=2)
    duration_months = models.PositiveSmallIntegerField()
    figures_due_working_day = models.PositiveSmallIntegerField(
        "figures due on working day",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="A month's figures are due on this working day of the next month "
        "(England and Wales bank holidays are not working days).",
    )
    min_points_for_limits = models.PositiveSmallIntegerField(
        "fewest monthly figures before process limits",
        default=MIN_POINTS_FOR_LIMITS,
        validators=[MinValueValidator(MIN_POINTS_LOWEST), MaxValueValidator(MIN_POINTS_HIGHEST)],
        help_text="An indicator's chart shows process limits and the Making Data Count icons once it has "
        "this many monthly figures since its latest rebase (or in all, if it has none); before that, "
        "a run chart with its median. Making Data Count advises against limits from short series.",
    )
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(award_cap__gt=0), name="programme_award_cap_positive"),
            models.CheckConstraint(condition=Q(duration_months__gt=0), name="programme_duration_positive"),
            models.CheckConstraint(
                condition=Q(min_points_for_limits__gte=MIN_POINTS_LOWEST)
                & Q(min_points_for_limits__lte=MIN_POINTS_HIGHEST),
                name="programme_min_points_for_limits_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NHS_TRUST = "nhs_trust", "NHS trust"
        ICB = "icb", "Integrated care board"
        PRIMARY_CARE = "primary_care", "Primary care"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        VCSE = "vcse", "Voluntary, community and social enterprise"
        UNIVERSITY = "university", "University"
        AHSN = "ahsn", "AHSN (Health Innovation Network)"
        INDUSTRY = "industry", "Industry"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.CharField(max_length=120, blank=True)
    website = models.URLField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Hub(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="hubs")
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    region = models.CharField(max_length=120)
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_hubs")
    host_ahsn = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hosted_hubs",
        limit_choices_to={"kind": Organisation.Kind.AHSN},
        verbose_name="host AHSN",
    )
    award = models.DecimalField("award (£)", max_digits=12, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField()
    priorities = models.TextField(blank=True, help_text="The hub's priorities, from local population needs.")
    core20 = models.BooleanField(
        "focus on Core20",
        default=True,
        help_text="Works with the most deprived 20% of the population (IMD quintile 1).",
    )
    plus_groups = models.TextField(
        "PLUS groups",
        blank=True,
        help_text="Population groups chosen locally, one per line.",
    )
    clinical_areas = models.ManyToManyField(
        ClinicalArea,
        blank=True,
        related_name="hubs",
        verbose_name="Core20PLUS5 clinical areas",
    )
    organisations = models.ManyToManyField(Organisation, through="Partnership", related_name="partner_hubs")
    history = HistoricalRecords(m2m_fields=[clinical_areas])

    objects = HubQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(award__gte=0), name="hub_award_not_negative"),
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="hub_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("hubs:detail", args=[self.slug])

    def clean(self) -> None:
        # The cap lives on another table, so the database cannot check it.
        if self.programme_id and self.award is not None and self.award > self.programme.award_cap:
            raise ValidationError(
                {
                    "award": f"The award may not exceed the programme's cap of £{self.programme.award_cap:,.0f}."
                }
            )
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "The end date must be after the start date."})

    @property
    def plus_group_list(self) -> list[str]:
        return [line.strip() for line in self.plus_groups.splitlines() if line.strip()]


class Partnership(models.Model):
    """An organisation working with a hub, in a role, from the day it joined (and to the day it left).

    A partner that leaves keeps its row, with ``left_on`` set: what the hub did with it stays on record.
    """

    class Role(models.TextChoices):
        LEAD = "lead", "Lead organisation"
        HOST = "host", "Host AHSN"
        DELIVERY = "delivery", "Delivery partner"
        COMMUNITY = "community", "Community partner"
        EVALUATION = "evaluation", "Evaluation partner"
        SUPPORTER = "supporter", "Supporting partner"

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="partnerships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.DELIVERY)
    joined_on = models.DateField(
        "joined on", help_text="The day the organisation started working with the hub."
    )
    left_on = models.DateField(
        "left on", null=True, blank=True, help_text="Empty while the organisation still works with the hub."
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["hub", "role", "organisation__name"]
        constraints = [
            # One current partnership per organisation and hub; one that ended may be followed by another.
            models.UniqueConstraint(
                fields=["hub", "organisation"],
                condition=Q(left_on__isnull=True),
                name="partnership_unique_current",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="partnership_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}) in {self.hub}"

    def clean(self) -> None:
        errors = {}
        today = timezone.localdate()
        if self.joined_on and self.joined_on > today:
            errors["joined_on"] = "Enter the day the organisation joined: it cannot be in the future."
        if self.left_on and self.left_on > today:
            errors["left_on"] = "Enter the day the organisation left: it cannot be in the future."
        elif self.left_on and self.joined_on and self.left_on < self.joined_on:
            errors["left_on"] = f"Enter a day on or after it joined ({self.joined_on:%-d %B %Y})."
        if errors:
            raise ValidationError(errors)

    def current_on(self, day) -> bool:
        """Whether the organisation was a partner on ``day``."""
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


# Bounds on an engagement event's numbers: a regional event reaches hundreds, rarely thousands.
MAX_PEOPLE = 100_000


class EngagementEvent(models.Model):
    """An event, workshop or training session a hub ran or took part in, with whom and whom it reached.

    Planned events may lie ahead; people reached and trained are counted only once the day has come.
    Learning notes link to an event from their side (``learning`` sits above ``hubs``): ``learning_notes``.
    """

    class Kind(models.TextChoices):
        EVENT = "event", "Event"
        WORKSHOP = "workshop", "Workshop"
        TRAINING = "training", "Training"

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="engagement_events")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="engagement_events",
        verbose_name="organisations taking part",
        help_text="The hub's partners or any other organisation in the portal.",
    )
    people_reached = models.PositiveIntegerField(
        "people reached",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PEOPLE)],
        help_text="Everyone who took part. Leave empty for a planned event.",
    )
    people_trained = models.PositiveIntegerField(
        "people trained",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PEOPLE)],
        help_text="Those among them who completed training. Leave empty for a planned event.",
    )
    notes = models.TextField(blank=True, max_length=5000)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[organisations])

    objects = EngagementEventQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "title"]
        indexes = [models.Index(fields=["hub", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(people_reached__isnull=True) | Q(people_reached__lte=MAX_PEOPLE),
                name="engagement_reached_bounded",
            ),
            models.CheckConstraint(
                condition=Q(people_trained__isnull=True) | Q(people_trained__lte=MAX_PEOPLE),
                name="engagement_trained_bounded",
            ),
            models.CheckConstraint(
                condition=Q(people_trained__isnull=True)
                | (Q(people_reached__isnull=False) & Q(people_trained__lte=F("people_reached"))),
                name="engagement_trained_among_reached",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%-d %b %Y})"

    def get_absolute_url(self) -> str:
        return reverse("hubs:event", args=[self.hub.slug, self.pk])

    def clean(self) -> None:
        errors = {}
        if self.date and self.date > timezone.localdate():
            for field in ("people_reached", "people_trained"):
                if getattr(self, field) is not None:
                    errors[field] = (
                        "Count people only once the event has taken place: leave this empty for a planned event."
                    )
        if self.date and self.hub_id:
            earliest = self.hub.start_date - datetime.timedelta(days=365)
            if not earliest <= self.date <= self.hub.end_date:
                errors["date"] = (
                    f"Enter a date from {earliest:%-d %B %Y} (a year before the hub started) "
                    f"to {self.hub.end_date:%-d %B %Y} (when its award ends)."
                )
        if (
            "people_trained" not in errors
            and self.people_trained is not None
            and (self.people_reached is None or self.people_trained > self.people_reached)
        ):
            errors["people_trained"] = (
                "People trained are among those reached: enter no more than the people reached."
            )
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        LEAD = "lead", "Lead"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["hub", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "hub"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.hub}"
