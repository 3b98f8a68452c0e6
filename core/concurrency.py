"""No lost edits: a save is refused when someone else saved the record since the form was opened.

Each editable model has a ``version`` that goes up by one on every save made
through ``save_if_unchanged``. A form carries the version it started from
(``VersionField``); if the row has moved on, the save is refused with a message
that says who changed what since, read from the record's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from .history import EMPTY, related_names, stamp, value_text
from .people import display_name

STALE_MESSAGE = "Someone else saved this since you opened it, so your changes were not saved."


class VersionField(forms.IntegerField):
    """The hidden version a form was opened at."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2_147_483_647)  # what a PositiveIntegerField holds on PostgreSQL
        kwargs.setdefault(
            "error_messages",
            {"required": "The form is incomplete: reload the page and try again."},
        )
        super().__init__(**kwargs)


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version of the record it was opened at."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = VersionField(initial=self.instance.version)


class EditConflict(ValidationError):
    """The record changed since the user opened it; ``changes`` says how, ``current_version`` what it is now."""

    def __init__(self, changes: list[str], current_version: int):
        self.changes = changes
        self.current_version = current_version
        lines = [STALE_MESSAGE, *changes, "Your changes are still in the form: check them and save again."]
        super().__init__(" ".join(lines), code="stale")


def _quoted(text: str) -> str:
    """A value in the refusal message: quoted, and cut at 80 characters (the form below holds it whole)."""
    if text == EMPTY:
        return text
    return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"


def changes_since(instance: models.Model, version: int, fields: Iterable[str]) -> list[str]:
    """What changed in these fields between ``version`` and now, by whom and when (from history)."""
    history = instance.history
    then = history.filter(version=version).order_by("-history_date").first()
    now = history.order_by("-history_date").first()
    if then is None or now is None:
        return []
    delta = now.diff_against(then, included_fields=list(fields))
    names = related_names(type(instance), [delta])
    who = display_name(now.history_user, "someone")
    when = timezone.localtime(now.history_date).strftime("%-d %b %Y at %H:%M")
    lines = []
    for change in delta.changes:
        field = instance._meta.get_field(change.field)
        new, old = (_quoted(value_text(field, value, names)) for value in (change.new, change.old))
        lines.append(f"{capfirst(field.verbose_name)} is now {new} (was {old}), changed by {who} on {when}.")
    return lines


def locked_at(instance: models.Model, *, version: int, fields: Iterable[str]) -> models.Model:
    """The row of ``instance``, locked for a change, if it is still at ``version``; else ``EditConflict``.

    Call inside a transaction: two changes from the same version cannot both pass.
    """
    current = type(instance).objects.select_for_update().get(pk=instance.pk)
    if current.version != version:
        raise EditConflict(changes_since(current, version, fields), current.version)
    return current


def save_if_unchanged(
    instance: models.Model,
    *,
    expected_version: int,
    changes: dict,
    by,
    reason: str = "",
    fields: Iterable[str] | None = None,
) -> models.Model:
    """Apply ``changes`` and save, only if the row is still at ``expected_version``.

    Call inside a transaction. The row is locked first, so two saves from the
    same version cannot both pass; the second raises ``EditConflict``. The
    history records ``by`` and ``reason``.
    """
    current = locked_at(instance, version=expected_version, fields=fields or changes.keys())
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.version = current.version
    stamp(instance, by=by, reason=reason)
    instance.full_clean()
    instance.save()
    return instance
