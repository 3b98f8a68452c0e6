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
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from evaluation.models import Measurement
from hubs.models import Hub
from innovations.models import Adoption

from .querysets import SpendLineQuerySet, SpendQuarterQuerySet

# Money: pounds and pence, exact. Ten digits hold up to £99,999,999.99: more than any award.
MONEY_DIGITS = 10
MONEY_LIMIT = Decimal("99999999.99")


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of the calendar quarter ``day`` falls in (quarters start in Jan, Apr, Jul, Oct)."""
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(start: datetime.date) -> datetime.date:
    """The last day of the quarter that starts on ``start``."""
    month = start.month + 3
    year = start.year + (month > 12)
    return datetime.date(year, (month - 1) % 12 + 1, 1) - datetime.timedelta(days=1)


def quarter_label(start: datetime.date) -> str:
    """A quarter as people read it: "Apr–Jun 2025"."""
    return f"{start:%b}–{quarter_end(start):%b %Y}"


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
            models.CheckConstraint(
                condition=Q(start__day=1, start__month__in=[1, 4, 7, 10]),
                name="spend_quarter_starts_a_quarter",
                violation_error_message="A quarter starts on 1 January, April, July or October.",
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
