"""Programmes, organisations, hubs and who belongs to them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .querysets import HubQuerySet, MembershipQuerySet


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
    history = HistoricalRecords()

    class Meta:
        ordering = ["hub", "role", "organisation__name"]
        constraints = [models.UniqueConstraint(fields=["hub", "organisation"], name="partnership_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}) in {self.hub}"


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
