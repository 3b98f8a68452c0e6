"""Form mechanics every app shares: the bridge between a form and the service that writes what it holds, and a month field."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

from .concurrency import EditConflict
from .months import parse_month

Result = TypeVar("Result")


def submit(form: forms.Form, save: Callable[[dict], Result]) -> Result | None:
    """Call ``save(cleaned_data)`` if the form is bound and valid; return what it returned, or None.

    None means nothing was saved: the form was not sent, not valid, or the service
    refused it. A ValidationError from the service lands on the form (next to its
    field, or at the top), so every page shows a service's refusal the same way.
    Services called through here return the record they wrote, never None.
    """
    if not (form.is_bound and form.is_valid()):
        return None
    try:
        return save(form.cleaned_data)
    except EditConflict as exc:
        # Keep what the user typed, now based on the current version: saving again is a choice.
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = exc.current_version
        form.add_error(None, exc)
    except ValidationError as exc:
        form.add_error(None, exc)
    return None


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (a month picker where the browser has one), read by ``core.months.parse_month``."""

    default_error_messages = {"invalid": "Enter a month as year and month, for example 2025-04."}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "For example, 2025-04.")
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "month", "autocomplete": "off", "class": "nhsuk-input--width-10"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        month = parse_month(text) if len(text) == len("YYYY-MM") else None
        if month is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return month
