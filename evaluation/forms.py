import datetime

from django import forms

from core.concurrency import VersionField

from .models import BASELINE_TOO_SHORT, MIN_BASELINE_MONTHS, Measurement


class MeasurementForm(forms.Form):
    """A month's figure: a value, or a numerator and denominator for a percentage."""

    value = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=4,
        error_messages={"required": "Enter the value.", "min_value": "The value cannot be negative."},
    )
    numerator = forms.IntegerField(
        required=False,
        min_value=0,
        error_messages={
            "required": "Enter the numerator.",
            "invalid": "Enter the numerator as a whole number.",
            "min_value": "The numerator cannot be negative.",
        },
    )
    denominator = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={
            "required": "Enter the denominator.",
            "invalid": "Enter the denominator as a whole number.",
            "min_value": "The denominator must be more than zero.",
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
