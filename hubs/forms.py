from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError

from .concurrency import EditConflict
from .models import Hub


class HubProfileForm(forms.ModelForm):
    """What hub staff keep up to date about their own hub."""

    class Meta:
        model = Hub
        fields = ["priorities", "core20", "plus_groups", "clinical_areas"]
        widgets = {"clinical_areas": forms.CheckboxSelectMultiple}


def submit(form: forms.Form, save: Callable[[dict], object]) -> bool:
    """Call ``save(cleaned_data)`` if the form is bound and valid; True when it saved.

    A ValidationError from the service lands on the form (next to its field, or at
    the top), so every page shows a service's refusal the same way and nothing is saved.
    """
    if not (form.is_bound and form.is_valid()):
        return False
    try:
        save(form.cleaned_data)
    except EditConflict as exc:
        # Keep what the user typed, now based on the current version: saving again is a choice.
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = exc.current_version
        form.add_error(None, exc)
        return False
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True
