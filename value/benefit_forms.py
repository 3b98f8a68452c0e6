"""Forms of the benefits register (apart from spend's forms, so each stays small)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from core.concurrency import VersionedModelForm, VersionField
from evaluation.models import Indicator

from .models import AMOUNT_DIGITS, AMOUNT_PLACES, BENEFIT_FIELDS, TEXT_MAX, Benefit

AMOUNT_ERRORS = {
    "required": "Enter an amount.",
    "invalid": "Enter an amount as a number, for example 12500 or 12500.50.",
    "max_digits": "Enter an amount below 10,000,000,000.",
    "max_whole_digits": "Enter an amount below 10,000,000,000.",
    "max_decimal_places": "Enter an amount with no more than 2 decimal places.",
    "min_value": "Enter zero or more.",
}
DATE_ERRORS = {"invalid": "Enter a real date, for example 31/3/2026."}


def amount(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        min_value=0,
        error_messages=AMOUNT_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-10"}),
        **kwargs,
    )


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_MAX})


class BenefitForm(forms.ModelForm):
    """What a benefit is, how it is measured, and how much is expected by when."""

    expected_value = amount("Expected value", help_text="In the unit below. Pounds and pence for money.")

    class Meta:
        model = Benefit
        fields = BENEFIT_FIELDS
        widgets = {
            "description": text_area(4),
            "measure": text_area(3),
            "expected_by": forms.DateInput(attrs={"type": "date"}),
        }
        error_messages = {
            "title": {"required": "Enter what the benefit is."},
            "kind": {"required": "Choose the kind of benefit."},
            "unit": {"required": "Choose the unit the value is in."},
            "expected_by": {"required": "Enter the date the benefit is expected by.", **DATE_ERRORS},
            "indicator": {"invalid_choice": "Choose one of this adoption's own indicators."},
        }

    def __init__(self, *args, adoption, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.adoption = adoption
        indicator = self.fields["indicator"]
        indicator.queryset = Indicator.objects.filter(adoption=adoption).select_related("metric")
        indicator.label_from_instance = lambda item: item.metric.name
        indicator.empty_label = "None: described above"


class BenefitEditForm(VersionedModelForm, BenefitForm):
    pass


class RealisedForm(forms.Form):
    """The benefit's realised value to date (a total, not an increment), and its evidence."""

    value = amount("Realised to date", help_text="The total realised so far, in the benefit's unit.")
    as_of = forms.DateField(
        label="Realised up to",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date the value is realised up to.", **DATE_ERRORS},
    )
    evidence = forms.CharField(
        label="Evidence",
        max_length=TEXT_MAX,
        widget=text_area(4),
        help_text="Where the figure comes from: a ledger, an audit, a report.",
        error_messages={"required": "Say what the evidence is."},
    )
    evidence_url = forms.URLField(
        label="Link to the evidence (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, for example https://example.org/report."},
    )

    def __init__(self, *args, benefit: Benefit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = VersionField(initial=benefit.version)
        self.fields["as_of"].initial = timezone.localdate()
        self.fields["value"].label = f"Realised to date ({benefit.get_unit_display()})"


class SignOffForm(forms.Form):
    def __init__(self, *args, benefit: Benefit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = VersionField(initial=benefit.version)


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label="Why is this benefit archived?",
        max_length=TEXT_MAX,
        widget=text_area(3),
        error_messages={"required": "Say why the benefit is archived."},
    )

    def __init__(self, *args, benefit: Benefit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = VersionField(initial=benefit.version)
