"""The forms of a hub's spend: which quarter, one line of it, and an evaluator's review."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

from core.concurrency import VersionField
from innovations.models import Adoption

from .models import SpendLine
from .services import LINE_FIELDS, REVIEW_NOTE_MAX

QUARTER_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")


class QuarterField(forms.CharField):
    """A calendar quarter typed as "2025 Q2" (April to June 2025): its first day."""

    default_error_messages = {"invalid": "Enter a quarter as a year and Q1 to Q4, for example 2025 Q2."}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "For example, 2025 Q2 for April to June 2025.")
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"class": "nhsuk-input--width-10", "autocomplete": "off", "maxlength": 12}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        match = QUARTER_PATTERN.match(text) if len(text) <= 12 else None
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(int(match.group(1)), (int(match.group(2)) - 1) * 3 + 1, 1)


class QuarterOpenForm(forms.Form):
    start = QuarterField(label="Quarter")


class SpendLineForm(forms.ModelForm):
    """One amount in a quarter; the quarter's version travels with it, so a stale page is refused."""

    version = VersionField()

    class Meta:
        model = SpendLine
        fields = LINE_FIELDS
        widgets = {
            "amount": forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-10"})
        }

    def __init__(self, *args, quarter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = quarter.version
        self.fields["adoption"].queryset = Adoption.objects.filter(hub_id=quarter.hub_id).select_related(
            "innovation"
        )
        self.fields["amount"].help_text = "In pounds and pence, for example 1250.00. A refund is negative."
        for name in ("staff_hours", "staff_wte"):
            self.fields[name].widget.attrs["class"] = "nhsuk-input--width-5"

    def _post_clean(self):
        # The quarter is not set yet: the service checks the whole row, and its refusal lands here.
        pass


class QuarterActionForm(forms.Form):
    """Submitting a quarter (or removing a line): only the version the page was opened at."""

    version = VersionField()


class QuarterReviewForm(forms.Form):
    version = VersionField()
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("return", "Return to the hub")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note for the hub",
        required=False,
        max_length=REVIEW_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you return the quarter: say what the hub should check.",
    )
