"""What a hub is worth: its spend against its award, quarter by quarter, and the benefits of its adoptions.

Between ``evaluation`` (indicators a benefit is measured by) and ``learning`` (whose nightly
roll-up reports spend and benefits) in the app order.

A hub's award (amount, start and end dates, no more than the programme's cap) is on ``hubs.Hub``.
Spend is entered a quarter at a time: a ``SpendQuarter`` holds ``SpendLine`` rows (a category, an
amount in pounds and pence, in-kind or not, staff time, perhaps an adoption). Hub staff enter
lines; the hub's lead submits the quarter; evaluators approve or return it, with the same
states, history and conflict rules as figures (``evaluation.models.Measurement``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.quarters import quarter_end, quarter_label, quarter_start
from evaluation.models import Indicator, Measurement
from hubs.models import Hub
from innovations.models import Adoption

from .querysets import BenefitQuerySet, RealisedValueQuerySet, SpendLineQuerySet, SpendQuarterQuerySet

# Money: pounds and pence, exact. Ten digits hold up to £99,999,999.99: more than any award.
MONEY_DIGITS = 10
MONEY_LIMIT = Decimal("99999999.99")


def quarter_errors(hub: Hub, start: datetime.date, today: datetime.date | None = None) -> list[str]:
    """Why ``start`` cannot be a quarter of ``hub``'s spend: outside the award, in the future (none if it can)."""
    today = today or timezone.localdate()
    if quarter_end(start) < hub.start_date or start > hub.end_date:
        return [
            f"{quarter_label(start)} is outside the award period "
            f"({hub.start_date:%-d %B %Y} to {hub.end_date:%-d %B %Y})."
        ]
    if start > quarter_start(today):
        return [f"{quarter_label(start)} has not started yet: spend is entered once a quarter has begun."]
    return []


class SpendQuarter(models.Model):
    """One hub's spend for one calendar quarter: entered, submitted by the lead, reviewed by evaluators."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Being entered"
        # The states figures go through, with their labels (one rule, one place).
        SUBMITTED = Measurement.Status.SUBMITTED.value, Measurement.Status.SUBMITTED.label
        APPROVED = Measurement.Status.APPROVED.value, Measurement.Status.APPROVED.label
        RETURNED = Measurement.Status.RETURNED.value, Measurement.Status.RETURNED.label

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="spend_quarters")
    start = models.DateField("quarter", help_text="First day of the quarter.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_note = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False, help_text="Made up for the demo; never real spend.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    objects = SpendQuarterQuerySet.as_manager()

    class Meta:
        ordering = ["hub", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "start"],
                name="spend_one_quarter_per_hub",
                violation_error_message="This hub already has spend for that quarter.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub} spend, {self.label}"

    @property
    def label(self) -> str:
        return quarter_label(self.start)

    @property
    def end(self) -> datetime.date:
        return quarter_end(self.start)

    @property
    def is_open(self) -> bool:
        """Whether hub staff may still change its lines (not awaiting review, not approved)."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def clean(self) -> None:
        # Not a check constraint: SQLite would need Django's date functions to read the database.
        if self.start and self.start != quarter_start(self.start):
            raise ValidationError({"start": "A quarter starts on 1 January, April, July or October."})
        if self.hub_id and self.start:
            errors = quarter_errors(self.hub, self.start)
            if errors:
                raise ValidationError({"start": errors})


class SpendLine(models.Model):
    """One amount spent (or given in kind) in a quarter, in one category."""

    class Category(models.TextChoices):
        STAFF = "staff", "Staff"
        BACKFILL = "backfill", "Backfill and clinical time"
        DIGITAL = "digital", "Digital and equipment"
        EVALUATION = "evaluation", "Evaluation"
        ENGAGEMENT = "engagement", "Engagement and events"
        OTHER = "other", "Other"

    quarter = models.ForeignKey(SpendQuarter, on_delete=models.CASCADE, related_name="lines")
    category = models.CharField(max_length=12, choices=Category.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(
        "amount (£)",
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        validators=[MinValueValidator(-MONEY_LIMIT), MaxValueValidator(MONEY_LIMIT)],
    )
    is_refund = models.BooleanField(
        "refund", default=False, help_text="Money returned to the hub: entered as a negative amount."
    )
    in_kind = models.BooleanField(
        "in kind",
        default=False,
        help_text="Given by a partner rather than paid from the award: kept apart from spend.",
    )
    staff_hours = models.DecimalField(
        "staff time (hours)",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("100000"))],
    )
    staff_wte = models.DecimalField(
        "staff time (WTE)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("500"))],
        help_text="Whole-time equivalent over the quarter.",
    )
    adoption = models.ForeignKey(
        Adoption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spend_lines",
        help_text="The adoption this was spent on, if it was spent on one.",
    )
    history = HistoricalRecords()

    objects = SpendLineQuerySet.as_manager()

    class Meta:
        ordering = ["quarter", "category", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(is_refund=True),
                name="spend_negative_only_refund",
                violation_error_message="An amount cannot be negative unless it is marked as a refund.",
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=0) | Q(is_refund=False),
                name="spend_refund_negative",
                violation_error_message="A refund is entered as a negative amount, for example -250.00.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} £{self.amount:,.2f}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.amount is not None:
            if self.amount < 0 and not self.is_refund:
                errors["amount"] = "An amount cannot be negative unless it is marked as a refund."
            elif self.amount > 0 and self.is_refund:
                errors["amount"] = "A refund is entered as a negative amount, for example -250.00."
        if self.adoption_id and self.quarter_id and self.adoption.hub_id != self.quarter.hub_id:
            errors["adoption"] = "Choose one of this hub's own adoptions."
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------
# Benefits register
# ---------------------------------------------------------------------------------------

# Amounts of a benefit: exact decimals, two places, up to 9,999,999,999.99 (bounded on the
# form and in the database alike). Never floats.
AMOUNT_DIGITS = 12
AMOUNT_PLACES = 2
TEXT_MAX = 2000  # descriptions, measures and evidence: a few paragraphs, bounded
# What hub staff set on a benefit, in the order the form asks for it.
BENEFIT_FIELDS = (
    "title",
    "description",
    "kind",
    "measure",
    "indicator",
    "expected_value",
    "unit",
    "expected_by",
)


def amount_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        validators=[MinValueValidator(Decimal("0"), "Enter zero or more: record a loss as a note.")],
        **kwargs,
    )


class Benefit(models.Model):
    """One benefit an adoption expects: what, of which kind, measured how, how much and by when."""

    class Kind(models.TextChoices):
        CASH_RELEASING = "cash_releasing", "Cash-releasing"
        NON_CASH_RELEASING = "non_cash_releasing", "Non-cash-releasing"
        CAPACITY = "capacity_released", "Capacity released"
        QUALITY = "quality", "Quality"
        EXPERIENCE = "experience", "Experience"
        EQUITY = "equity", "Equity"

    class Unit(models.TextChoices):
        POUNDS = "gbp", "Pounds (£)"
        HOURS = "hours", "Staff hours"
        BED_DAYS = "bed_days", "Bed days"
        APPOINTMENTS = "appointments", "Appointments"
        PEOPLE = "people", "People"
        POINTS = "percentage_points", "Percentage points"
        SCORE = "score", "Score points"

    adoption = models.ForeignKey(Adoption, on_delete=models.PROTECT, related_name="benefits")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    measure = models.TextField(
        "how it is measured",
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX)],
        help_text="What is counted, from what source. Link an indicator below where one measures it.",
    )
    indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="benefits",
        verbose_name="indicator that measures it",
    )
    expected_value = amount_field("expected value")
    unit = models.CharField(max_length=20, choices=Unit.choices)
    expected_by = models.DateField("expected by")
    archived = models.BooleanField(default=False)
    archived_reason = models.TextField(blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    is_synthetic = models.BooleanField(default=False, help_text="Made up for the demo; never a real benefit.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = BenefitQuerySet.as_manager()

    class Meta:
        ordering = ["adoption", "kind", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(expected_value__gte=0), name="benefit_expected_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="cash_releasing") | Q(unit="gbp"), name="benefit_cash_in_pounds"
            ),
            models.CheckConstraint(
                condition=Q(archived=False) | ~Q(archived_reason=""), name="benefit_archive_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("value:benefit_detail", args=[self.pk])

    @property
    def in_pounds(self) -> bool:
        return self.unit == self.Unit.POUNDS

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.CASH_RELEASING and self.unit != self.Unit.POUNDS:
            errors["unit"] = "A cash-releasing benefit is measured in pounds: choose Pounds (£)."
        if self.indicator_id and self.adoption_id and self.indicator.adoption_id != self.adoption_id:
            errors["indicator"] = "Choose one of this adoption's own indicators."
        if self.expected_by and not (
            datetime.date(2000, 1, 1) <= self.expected_by <= datetime.date(2100, 12, 31)
        ):
            errors["expected_by"] = "Enter a date between 2000 and 2100."
        if errors:
            raise ValidationError(errors)


class RealisedValue(models.Model):
    """How much of a benefit was realised up to a date, on what evidence; a row per update, never edited.

    Each row gives the total realised to date (not an increment), so the latest row
    recorded by a day is the benefit's realised value as of that day. A correction
    is a new row. Its sign-off (a hub lead of the benefit's hub, or an evaluator)
    is the only thing added to a row afterwards.
    """

    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="realised_values")
    value = amount_field("realised to date")
    as_of = models.DateField("realised up to")
    evidence = models.TextField(validators=[MaxLengthValidator(TEXT_MAX)])
    evidence_url = models.URLField("link to the evidence", blank=True, max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False, help_text="Made up for the demo; never a real figure.")

    objects = RealisedValueQuerySet.as_manager()

    class Meta:
        ordering = ["benefit", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["benefit", "recorded_at"], name="realised_benefit_recorded")]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="realised_not_negative"),
            models.CheckConstraint(
                # Whoever signed off has a date (the person may later be deleted: the date stays).
                condition=Q(signed_off_at__isnull=False) | Q(signed_off_by__isnull=True),
                name="realised_sign_off_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} by {self.as_of}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None
