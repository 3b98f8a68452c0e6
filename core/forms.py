"""The bridge between a form and the service that writes what it holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError

from .concurrency import EditConflict

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
