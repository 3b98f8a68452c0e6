from django import forms

from .models import Measurement


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
