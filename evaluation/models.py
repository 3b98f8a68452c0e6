"""Metrics (tagged by RE-AIM dimension), each adoption's indicators, and monthly measurements."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.numbers import completeness, number_text, percentage
from hubs.models import MIN_POINTS_FOR_LIMITS, Hub
from innovations.models import Adoption

from . import mdc
from .charts import with_unit
from .querysets import (
    BreakdownGroupQuerySet,
    DataQualityFlagQuerySet,
    IndicatorQuerySet,
    IndicatorSummaryQuerySet,
    MeasurementQuerySet,
    MetricQuerySet,
    PopulationShareQuerySet,
)

# The fewest months that can set a mean and process limits (a moving range needs two).
MIN_BASELINE_MONTHS = 2
BASELINE_TOO_SHORT = f"A baseline needs at least {MIN_BASELINE_MONTHS} months."
ALL_PEOPLE = "all people"  # whom a figure without a breakdown group counts


class Metric(models.Model):
    class Dimension(models.TextChoices):
        REACH = "reach", "Reach"
        EFFECTIVENESS = "effectiveness", "Effectiveness"
        ADOPTION = "adoption", "Adoption"
        IMPLEMENTATION = "implementation", "Implementation"
        MAINTENANCE = "maintenance", "Maintenance"

    class Kind(models.TextChoices):
        COUNT = "count", "Count"
        PERCENTAGE = "percentage", "Percentage (numerator and denominator)"
        RATE = "rate", "Rate"
        AMOUNT = "amount", "Amount (£)"

    class Improvement(models.TextChoices):
        INCREASE = "increase", "Higher is better"
        DECREASE = "decrease", "Lower is better"
        NEUTRAL = "neutral", "Neither"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    dimension = models.CharField("RE-AIM dimension", max_length=20, choices=Dimension.choices)
    unit = models.CharField(max_length=60, help_text="For example: people, %, per 1,000, £.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    improvement = models.CharField(
        "direction of improvement",
        max_length=10,
        choices=Improvement.choices,
        default=Improvement.INCREASE,
    )
    history = HistoricalRecords()

    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["dimension", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_percentage(self) -> bool:
        return self.kind == self.Kind.PERCENTAGE


class Indicator(models.Model):
    """An adoption's use of a metric: what it reports, against which target and baseline."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="indicators")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="indicators")
    target = models.DecimalField(
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="In the metric's unit: for a percentage, 70 means 70%.",
    )
    baseline_length = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Compute the mean and limits from the first N months.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_indicators",
        help_text="Who sends this indicator's figures each month: a member of its hub. "
        "Left empty, the hub's lead.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["adoption", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["adoption", "metric"],
                name="indicator_one_per_adoption_and_metric",
                violation_error_message="This adoption already reports this metric.",
            ),
            models.CheckConstraint(
                condition=Q(baseline_length__isnull=True) | Q(baseline_length__gte=MIN_BASELINE_MONTHS),
                name="indicator_baseline_at_least_two",
                violation_error_message="A baseline needs at least two months.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} – {self.adoption}"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:indicator", args=[self.pk])

    @property
    def target_text(self) -> str:
        """The target as a sentence writes it (70%, £120, 40 people); empty when none is set."""
        return "" if self.target is None else with_unit(float(self.target), self.metric.unit)


class RebasePoint(models.Model):
    """A month from which SPC limits are recalculated, and why (a change in the process)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="rebase_points")
    period = models.DateField(help_text="First day of the month the new limits start.")
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="rebase_point_unique"),
            models.CheckConstraint(condition=~Q(reason=""), name="rebase_point_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Rebase {self.indicator} from {self.period:%b %Y}"


class BreakdownDimension(models.Model):
    """A way of breaking a figure down by who the people are: IMD quintile, ethnic group, age band, sex, PLUS group.

    National vocabulary (``evaluation.vocabulary``), written by a migration; never edited by people.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    partitions = models.BooleanField(
        help_text="Each person is in exactly one group, so the groups add up to the total "
        "(less anyone whose group is not known)."
    )
    local = models.BooleanField(default=False, help_text="Each hub defines its own groups (PLUS groups).")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class BreakdownGroup(models.Model):
    """A group of people a figure can be given for: one of a dimension's, national or a hub's own.

    A hub's own (PLUS) groups are added by its lead and archived, never deleted: figures
    given for a group keep it. An archived group takes no new figures.
    """

    dimension = models.ForeignKey(BreakdownDimension, on_delete=models.PROTECT, related_name="groups")
    hub = models.ForeignKey(
        Hub,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="breakdown_groups",
        help_text="The hub whose own group this is; empty for a national group.",
    )
    code = models.SlugField(max_length=60, help_text="What an uploaded file may name it by.")
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    archived = models.BooleanField(default=False, help_text="Takes no new figures; its figures stay.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = BreakdownGroupQuerySet.as_manager()

    class Meta:
        ordering = ["dimension__position", "position", "label"]
        constraints = [
            # A national group's code and label are unique in its dimension; a hub's own, in the hub's.
            # Two conditional constraints, as a NULL hub would never clash with another in one.
            models.UniqueConstraint(
                fields=["dimension", "code"],
                condition=Q(hub__isnull=True),
                name="breakdown_group_national_code",
            ),
            models.UniqueConstraint(
                fields=["dimension", "hub", "code"],
                condition=Q(hub__isnull=False),
                name="breakdown_group_local_code",
                violation_error_message="The hub already has a group by this name.",
            ),
            models.UniqueConstraint(
                Lower("label"),
                "dimension",
                condition=Q(hub__isnull=True),
                name="breakdown_group_national_label",
            ),
            models.UniqueConstraint(
                Lower("label"),
                "dimension",
                "hub",
                condition=Q(hub__isnull=False),
                name="breakdown_group_local_label",
                violation_error_message="The hub already has a group by this name.",
            ),
            models.CheckConstraint(condition=~Q(label=""), name="breakdown_group_has_label"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension.name}: {self.label}"

    @property
    def is_local(self) -> bool:
        return self.hub_id is not None


class PopulationShare(models.Model):
    """A group's share of a hub's local population, and where it comes from: what reach is compared with."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="population_shares")
    group = models.ForeignKey(BreakdownGroup, on_delete=models.PROTECT, related_name="population_shares")
    share = models.DecimalField(
        "share of the local population (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    source = models.CharField(max_length=200, help_text="For example: ONS Census 2021, table TS021.")
    source_date = models.DateField("date of the source", help_text="When the source counted the population.")
    is_synthetic = models.BooleanField(default=False, help_text="Made up for the demo; never a real figure.")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = PopulationShareQuerySet.as_manager()

    class Meta:
        ordering = ["hub", "group"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "group"], name="population_share_one_per_hub_and_group"),
            models.CheckConstraint(
                condition=Q(share__gte=0, share__lte=100), name="population_share_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} in {self.hub}: {self.share_text}"

    @property
    def share_text(self) -> str:
        """The share as people read it: "35.5%", "20%"."""
        return f"{number_text(self.share)}%"


class Measurement(models.Model):
    """One month's figure for an indicator: for all people, or for one group of a breakdown (an IMD quintile, say)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField(help_text="First day of the month measured.")
    group = models.ForeignKey(
        BreakdownGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measurements",
        help_text="The group of people the figure is for; empty for all people.",
    )
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    review_note = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False, help_text="Made up for the demo; never a real figure.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    revised_from = models.CharField(
        max_length=100,
        blank=True,
        default="",
        db_default="",  # the measurement service's own INSERT leaves it out
        help_text="The approved figure as it was before an evaluator reopened it, as people read it.",
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period", "group_id"]
        indexes = [
            models.Index(fields=["indicator", "period"]),
            models.Index(fields=["status", "period"]),
        ]
        constraints = [
            # No group means "all people". A unique constraint never sees two NULLs as equal (SQLite,
            # and PostgreSQL unless told otherwise), so the total is unique per month on its own.
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(group__isnull=True),
                name="measurement_one_total_per_month",
                violation_error_message="There is already a figure for this indicator and month.",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "group"],
                condition=Q(group__isnull=False),
                name="measurement_one_per_month_and_group",
                violation_error_message="There is already a figure for this indicator, month and group.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        value__isnull=False,
                        numerator__isnull=True,
                        denominator__isnull=True,
                    )
                    | Q(
                        value__isnull=True,
                        numerator__isnull=False,
                        denominator__isnull=False,
                    )
                ),
                name="measurement_value_or_fraction",
                violation_error_message="Give either a value, or a numerator and a denominator.",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="measurement_value_not_negative",
                violation_error_message="A value cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="measurement_denominator_positive",
                violation_error_message="The denominator must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(numerator__isnull=True) | Q(numerator__lte=models.F("denominator")),
                name="measurement_numerator_within_denominator",
                violation_error_message="The numerator cannot be more than the denominator.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period:%b %Y} ({self.group_label})"

    @property
    def group_label(self) -> str:
        """Whom the figure counts, as people read it: "all people", or its group ("Sex: Female")."""
        return str(self.group) if self.group_id else ALL_PEOPLE

    def clean(self) -> None:
        errors = figure_rule_errors(
            self.indicator if self.indicator_id else None,
            self.period,
            self.value,
            self.numerator,
            self.denominator,
        )
        if errors:
            raise ValidationError(errors)

    @property
    def is_approved(self) -> bool:
        """Approved figures are locked for hub staff and count in the nightly reports."""
        return self.status == self.Status.APPROVED

    @property
    def display_value(self):
        """The figure as people read it: the value, or the percentage from its fraction."""
        if self.value is not None:
            return self.value
        return round(percentage(self.numerator, self.denominator), 1)


# A figure submitted again after an evaluator returned (or reopened) it: a save keeps its reviewer.
RESUBMITTED = Q(status=Measurement.Status.SUBMITTED, reviewed_at__isnull=False)


# The most a figure's columns hold, for reading typed and uploaded numbers (``core.numbers.bounded_number``)
# before they reach them: a value (and a target) has ``decimal_places`` after the point and
# ``max_digits`` in all; a numerator or denominator is a PositiveIntegerField, on PostgreSQL at most
# 2,147,483,647 (SQLite would take more: the portal holds every database to the smaller).
VALUE_PLACES = Measurement._meta.get_field("value").decimal_places
LARGEST_VALUE = (
    Decimal(10) ** (Measurement._meta.get_field("value").max_digits - VALUE_PLACES)
    - Decimal(10) ** -VALUE_PLACES
)
LARGEST_WHOLE = 2_147_483_647


def figure_rule_errors(indicator, period, value, numerator, denominator) -> dict[str, str]:
    """The rules about a figure a form cannot leave to the database: the metric's kind and the month.

    ``Measurement.clean`` and the measurement service both ask here, the service without
    building a model object for each of a file's hundred thousand rows.
    """
    errors: dict[str, str] = {}
    metric = indicator.metric if indicator else None
    if period:
        if period.day != 1:
            errors["period"] = "Give the month as its first day."
        elif period > timezone.localdate():
            errors["period"] = "The month cannot be in the future."
        elif indicator and period < indicator.adoption.started_on.replace(day=1):
            errors["period"] = "The month cannot be before the adoption began."
    if metric and metric.is_percentage:
        if value is not None:
            errors["value"] = "A percentage is given as a numerator and a denominator, not as a value."
        elif numerator is None or denominator is None:
            errors["numerator"] = "A percentage needs a numerator and a denominator."
        elif numerator > denominator:
            errors["numerator"] = "The numerator cannot be more than the denominator."
    elif metric:
        if numerator is not None or denominator is not None:
            errors["numerator"] = "This metric takes a value, not a numerator and a denominator."
        elif value is None:
            errors["value"] = "Enter a value."
        elif value < 0:
            errors["value"] = "The value cannot be negative."
        elif metric.kind == Metric.Kind.COUNT and Decimal(value) != Decimal(value).to_integral_value():
            errors["value"] = "A count must be a whole number."
    return errors


class IndicatorSummary(models.Model):
    """What the cross-hub summary shows for one indicator, kept up to date on every change.

    Computing SPC for thousands of indicators on each request would be slow, so
    ``evaluation.summaries.refresh`` rewrites this row whenever the indicator's
    figures, baseline or rebase points change. Derived data: never edited by hand.
    """

    # The variation is stored as a reading, with its direction ("Special cause concern: higher
    # values"), and every word comes from ``evaluation.mdc``: there is no direction-less label to show.
    # Below the programme's minimum both are blank, and the row reads "Too few figures (n of m)".
    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    latest_period = models.DateField(null=True)
    latest_value = models.FloatField(null=True)
    latest_is_approved = models.BooleanField(default=False)
    points = models.PositiveSmallIntegerField(default=0, help_text="Months with a figure.")
    months_due = models.PositiveSmallIntegerField(default=0, help_text="Months since the adoption began.")
    variation = models.CharField(max_length=30, choices=mdc.variation_choices(), blank=True)
    assurance = models.CharField(max_length=20, choices=mdc.assurance_choices(), blank=True)
    points_counted = models.PositiveSmallIntegerField(
        default=0, help_text="Months with a figure since the latest rebase: those the minimum is counted in."
    )
    min_points = models.PositiveSmallIntegerField(
        default=MIN_POINTS_FOR_LIMITS,
        help_text="The programme's fewest figures before limits, when refreshed.",
    )
    includes_submitted = models.BooleanField(
        default=False, help_text="Some figures in the chart are not approved yet."
    )
    refreshed_at = models.DateTimeField(default=timezone.now)

    objects = IndicatorSummaryQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["variation"]),
            models.Index(fields=["assurance"]),
        ]

    def __str__(self) -> str:
        return f"Summary of {self.indicator_id}"

    @property
    def completeness(self) -> int | None:
        """Share of the months due that have a figure, as a whole percentage."""
        return completeness(self.points, self.months_due)

    @property
    def reading(self) -> mdc.Reading:
        """The icons' reading as stored by ``evaluation.summaries.summarise``."""
        return mdc.Reading(
            self.variation or None, self.assurance or None, self.points_counted, self.min_points
        )


class MeasurementUpload(models.Model):
    """A CSV or Excel file of figures for one adoption: checked first, then imported all or nothing.

    The file's bytes are kept in the database, not on a disk, so a worker on any
    machine reads what the web server received. A refused file's bytes are dropped:
    it is never imported, and it may hold what the portal must not keep (patient
    identifiers). Written only by ``evaluation.uploads``; never edited by people.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused"
        FAILED = "failed", "Failed"

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="measurement_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    message = models.TextField(blank=True, help_text="Why the file was refused, or what went wrong.")
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="Rows per outcome: new, changed, …")
    rows = models.JSONField(default=list, blank=True, help_text="The rows listed: errors first, capped.")
    versions_seen = models.JSONField(
        default=list,
        blank=True,
        help_text="Each figure's saved version when the file was checked, in the file's order (0: none yet). "
        "The import applies only if every figure is still at that version.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("evaluation:upload_preview", args=[self.adoption_id, self.pk])


class DataQualityFlag(models.Model):
    """Something in an indicator-month's figures worth a second look; never a reason to refuse them.

    Computed by ``evaluation.flags`` whenever figures are saved through the measurement
    service. A flag that no longer applies is kept, inactive, with what people wrote on it:
    hub staff may explain a flag, evaluators mark it checked.
    """

    class Kind(models.TextChoices):
        OUTSIDE_LIMITS = "outside_limits", "Outside the process limits"
        UNUSUAL_JUMP = "unusual_jump", "An unusual jump from the month before"
        SAME_VALUE = "same_value", "The same figure four months or more running"
        DENOMINATOR_CHANGE = "denominator_change", "The denominator changed by more than half"
        BREAKDOWN_NOT_ADDING_UP = "breakdown_not_adding_up", "A breakdown's groups do not add up to the total"
        MONTH_MISSING = "month_missing", "A month missing between months with figures"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="flags")
    period = models.DateField(help_text="First day of the month flagged.")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    detail = models.CharField(max_length=1000, help_text="What was found, in numbers.")
    active = models.BooleanField(default=True, help_text="False once the figures no longer raise it.")
    raised_at = models.DateTimeField(default=timezone.now)
    explanation = models.TextField(blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    objects = DataQualityFlagQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "kind"], name="flag_one_per_kind_and_month"
            )
        ]
        indexes = [models.Index(fields=["active", "period"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.indicator}, {self.period:%b %Y}"


class ReopenRequest(models.Model):
    """Hub staff ask for an approved indicator-month to be reopened; an evaluator reopens or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an evaluator"
        REOPENED = "reopened", "Reopened"
        DECLINED = "declined", "Declined"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reopen_requests")
    period = models.DateField(help_text="First day of the month to reopen.")
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(status="pending"),
                name="reopen_request_one_pending_per_month",
                violation_error_message="A request to reopen this month is already waiting.",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="reopen_request_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Reopen {self.indicator}, {self.period:%b %Y} ({self.get_status_display()})"


class AdoptionMonthAwaiting(models.Model):
    """How many of an adoption's figures for a month await review: the review queue's counts, kept.

    Counting the submitted figures of the whole programme on every visit to the queue or
    an evaluator's to-do list reads tens of thousands of rows; ``evaluation.awaiting``
    recounts an adoption-month's row instead whenever the measurement service changes one
    of its figures' status, and a row goes when nothing of its month awaits review. Kept
    per adoption, not per hub, so an archived (or deleted) adoption drops out of the queue
    with no recount: the queue reads only current adoptions' rows.
    """

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="+")
    period = models.DateField(help_text="First day of the month.")
    awaiting = models.PositiveIntegerField(help_text="Figures (totals and their groups' rows) submitted.")
    resubmitted = models.PositiveIntegerField(help_text="Of those, saved again after a return or a reopen.")
    first_submitted = models.DateTimeField(help_text="When the earliest of them was submitted.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["adoption", "period"], name="adoption_month_awaiting_unique"),
        ]
        indexes = [models.Index(fields=["period", "first_submitted"], name="awaiting_queue_order")]

    def __str__(self) -> str:
        return f"{self.adoption_id} {self.period:%b %Y}: {self.awaiting} awaiting review"
