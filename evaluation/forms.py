import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.concurrency import VersionField
from core.forms import MonthField
from core.months import last_complete_month, months_from_to
from core.numbers import MAX_DIGITS, MAX_NUMBER_CHARS, NumberRefused, bounded_number
from core.people import display_name

from .comparison import EARLIEST_MONTH, MAX_FUNNEL_MONTHS
from .models import (
    BASELINE_TOO_SHORT,
    LARGEST_VALUE,
    LARGEST_WHOLE,
    MIN_BASELINE_MONTHS,
    VALUE_PLACES,
    Measurement,
)

# Numbers as people type them. Commas are accepted only as thousands separators
# ("1,234"), so "1,2,3" is not silently read as 123.
NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+", re.ASCII)
MINUS_SIGN = "\N{MINUS SIGN}"  # pasted from a document or a spreadsheet


class NumberField(forms.CharField):
    """A number typed in a text box: "1,234" and "1234" are the same; "lots", "1,2,3" are refused.

    So is a number the database cannot hold (more than 15 digits, too many decimal places,
    too large), before any arithmetic: a value or target by default, a numerator or
    denominator with ``whole=True``.
    """

    default_error_messages = {"invalid": "Enter a number.", "invalid_whole": "Enter a whole number."}

    def __init__(
        self,
        *,
        whole: bool = False,
        min_value: int | None = None,
        min_message: str = "",
        places: int | None = None,
        largest=None,
        **kwargs,
    ):
        """``places`` and ``largest`` narrow what a value's column holds (a share: two places, at most 100)."""
        self.whole = whole
        self.min_value = min_value
        self.min_message = min_message
        self.places = 0 if whole else VALUE_PLACES if places is None else places
        self.largest = (LARGEST_WHOLE if whole else LARGEST_VALUE) if largest is None else largest
        kwargs.setdefault("required", False)
        attrs = {"inputmode": "numeric" if whole else "decimal", "spellcheck": "false", "autocomplete": "off"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def refusal(self, reason: str) -> str:
        """What to say, next to the box, about a number it cannot take."""
        return {
            "long": f"Enter a number of at most {MAX_DIGITS} digits.",
            "digits": f"Enter a number of at most {MAX_DIGITS} digits.",
            "places": f"Enter a number with at most {self.places} decimal places.",
            "large": f"Enter a number no larger than {self.largest:,}.",
            "small": f"Enter a number no smaller than -{self.largest:,}.",
        }.get(reason, self.error_messages["invalid_whole" if self.whole else "invalid"])

    def to_python(self, value):
        text = super().to_python(value).replace(MINUS_SIGN, "-")
        if text in self.empty_values:
            return None
        if len(text) > MAX_NUMBER_CHARS:  # checked before the pattern even looks at it
            digits_only = not set(text) - set("0123456789,.+-")
            raise ValidationError(self.refusal("long" if digits_only else "not_number"), code="invalid")
        if not NUMBER.fullmatch(text):
            raise ValidationError(self.refusal("not_number"), code="invalid")
        try:
            number = bounded_number(text.replace(",", ""), name="", places=self.places, largest=self.largest)
        except NumberRefused as refused:
            raise ValidationError(self.refusal(refused.reason), code="invalid") from None
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(self.min_message, code="min_value")
        return int(number) if self.whole else number


class MeasurementForm(forms.Form):
    """A month's figure: a value, or a numerator and denominator for a percentage."""

    value = NumberField(
        min_value=0,
        min_message="The value cannot be negative.",
        error_messages={"required": "Enter the value."},
    )
    numerator = NumberField(
        whole=True,
        min_value=0,
        min_message="The numerator cannot be negative.",
        error_messages={
            "required": "Enter the numerator.",
            "invalid_whole": "Enter the numerator as a whole number.",
        },
    )
    denominator = NumberField(
        whole=True,
        min_value=1,
        min_message="The denominator must be more than zero.",
        error_messages={
            "required": "Enter the denominator.",
            "invalid_whole": "Enter the denominator as a whole number.",
        },
    )

    def __init__(self, *args, measurement: Measurement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = VersionField(initial=measurement.version)
        metric = measurement.indicator.metric
        if metric.is_percentage:
            del self.fields["value"]
            self.fields["numerator"].required = True
            self.fields["denominator"].required = True
        else:
            del self.fields["numerator"], self.fields["denominator"]
            self.fields["value"].required = True
            self.fields["value"].label = f"Value ({metric.unit})"


class OwnerField(forms.ModelChoiceField):
    """Who sends an indicator's figures: an active member of its hub; left empty, the hub's lead."""

    def __init__(self, *, hub, lead, **kwargs):
        members = get_user_model().objects.filter(is_active=True, memberships__hub=hub)
        lead_name = display_name(lead) if lead else "the hub has no lead yet"
        super().__init__(
            queryset=members.order_by("first_name", "last_name", "username"),
            required=False,
            label="Who sends this indicator’s figures",
            help_text="They are reminded when the figures are due, and told when figures are returned.",
            empty_label=f"Left empty: the hub’s lead ({lead_name})",
            error_messages={"invalid_choice": f"Choose a member of {hub.name}."},
            **kwargs,
        )

    def label_from_instance(self, user) -> str:
        return display_name(user)


class ReturnForm(forms.Form):
    """An evaluator's note to the hub on figures sent back for checking."""

    note = forms.CharField(
        label="Note to the hub",
        help_text="Say which figures look wrong and why. The hub sees this note next to each returned figure.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what the hub should check."},
    )


def baseline_length_field(help_text: str) -> forms.IntegerField:
    """How many months at the start of each group set the mean and process limits (blank: all)."""
    return forms.IntegerField(
        label="Baseline length, in months",
        help_text=help_text,
        required=False,
        min_value=MIN_BASELINE_MONTHS,
        max_value=240,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
        error_messages={
            "invalid": "Enter the baseline as a whole number of months.",
            "min_value": BASELINE_TOO_SHORT,
            "max_value": "A baseline can be at most 240 months.",
        },
    )


class BaselineForm(forms.Form):
    """How many months at the start of each group set the mean and process limits."""

    baseline_length = baseline_length_field(
        "Leave blank to set the mean and limits from every month of each group."
    )
    reason = forms.CharField(
        label="Why are you changing it? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RebaseAddForm(forms.Form):
    """A month from which new limits start, chosen from the indicator's months, and why."""

    period = forms.TypedChoiceField(
        label="First month of the new limits",
        coerce=datetime.date.fromisoformat,
        error_messages={
            "required": "Choose the month the new limits start from.",
            "invalid_choice": "Choose one of the indicator's months.",
        },
    )
    reason = forms.CharField(
        label="Reason for the rebase",
        help_text="What changed in the process at this month, for example a new pathway or team.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a reason for the rebase."},
    )

    def __init__(self, *args, months, taken, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = set(taken)
        self.fields["period"].choices = [("", "Choose a month")] + [
            (month.isoformat(), f"{month:%B %Y}") for month in months
        ]

    def clean_period(self):
        period = self.cleaned_data["period"]
        if period in self.taken:
            raise forms.ValidationError("There is already a rebase at this month.")
        return period


class RebaseRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why remove this rebase?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a reason for removing the rebase."},
    )


class FunnelPeriodForm(forms.Form):
    """The months a funnel pools: both given, in order, complete, and at most ``MAX_FUNNEL_MONTHS`` apart."""

    first = MonthField(
        label="First month",
        required=True,
        error_messages={"required": "Enter the first month, as well as the last."},
    )
    last = MonthField(
        label="Last month",
        required=True,
        error_messages={"required": "Enter the last month, as well as the first."},
    )

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.latest = last_complete_month(today)

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first is None or last is None:
            return data
        if last > self.latest:
            self.add_error(
                "last",
                f"The last month can be {self.latest:%B %Y} at the latest: months after it are not complete.",
            )
        elif first < EARLIEST_MONTH:
            self.add_error("first", f"The first month can be {EARLIEST_MONTH:%B %Y} at the earliest.")
        elif first > last:
            self.add_error("first", "The first month must be the same as the last month or before it.")
        elif months_from_to(first, last) > MAX_FUNNEL_MONTHS:
            self.add_error("first", f"Choose at most {MAX_FUNNEL_MONTHS} months.")
        return data
