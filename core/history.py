"""Who changed a record and why: stamped in one call before each save, shown by one renderer.

Every model a user edits keeps its history with django-simple-history. A service
calls ``stamp`` before it saves, so each history record says who acted and why,
inside a request or outside one (a worker, a command), and the record's edit
version moves on, so a form opened before this save is refused as stale
(``core.concurrency``). Reasons are stored as text: never cut, never refused.

Pages turn history records into ``HistoryEntry`` lists (when, who, what, why, and
each field changed, from ``field_changes``) and draw them all with one include,
``templates/core/history.html``, which shows every reason whole.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.utils import timezone
from django.utils.text import capfirst

from .people import display_name


def stamp(instance: models.Model, *, by, reason: str = "", new_version: bool = True) -> models.Model:
    """Say who is changing ``instance`` and why, and move its edit version on (if it has one)."""
    instance._history_user = by
    instance._change_reason = reason.strip() or None
    if new_version and hasattr(instance, "version"):
        instance.version = (instance.version or 0) + 1
    return instance


def history_from_rows(model: type[models.Model], pks: list, *, by, kind: str, batch_size: int = 2000) -> None:
    """One history record per row (``kind``: "+" created, "~" changed), copied by the database from the row.

    For writes of thousands of rows at once: simple-history's own bulk helpers build
    a Python object per record, which costs more than the write itself.
    """
    history = model.history.model
    quote = connection.ops.quote_name
    tracked = ", ".join(
        quote(f.column) for f in history._meta.concrete_fields if not f.name.startswith("history_")
    )
    stamped = ", ".join(quote(name) for name in ("history_date", "history_type", "history_user_id"))
    when = history._meta.get_field("history_date").get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), batch_size):
            batch = pks[start : start + batch_size]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({tracked}, {stamped}) "
                f"SELECT {tracked}, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(batch))})",
                [when, kind, by.pk if by else None, *batch],
            )


@dataclass
class FieldChange:
    """One field's value before and after a change, as people read them."""

    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One line of a record's history: when, who, what happened (``what``), why, and each field changed."""

    when: datetime.datetime
    who: object
    what: str = ""
    why: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def newest_first(entries: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    """Entries from several records' histories, as one timeline."""
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


# -- What changed between two history records ---------------------------------------------

EMPTY = "(empty)"  # how a blank value reads in a history or a refusal


def value_text(field: models.Field, value, names: Mapping[tuple[str, object], str] | None = None) -> str:
    """A recorded value as people read it: labels for choices, names for related records, dates in words.

    ``names`` maps (field name, id) to a related record's name (see ``related_names``);
    an id it does not know is a record since removed.
    """
    if value is None or value == "":
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and not field.many_to_many:
        return (names or {}).get((field.name, value), "(since removed)")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%-d %B %Y, %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    return str(value)


def related_names(model: type[models.Model], deltas: Iterable) -> dict[tuple[str, object], str]:
    """(field name, id) → name of every related record the ``diff_against`` deltas mention: a query per field."""
    ids: dict[str, set] = defaultdict(set)
    for delta in deltas:
        for change in delta.changes:
            field = model._meta.get_field(change.field)
            if field.is_relation and not field.many_to_many:
                ids[field.name].update(value for value in (change.old, change.new) if value is not None)
    names = {}
    for name, pks in ids.items():
        related = model._meta.get_field(name).related_model
        for record in related._default_manager.filter(pk__in=pks):
            names[(name, record.pk)] = display_name(record) if related is get_user_model() else str(record)
    return names


def field_changes(
    records: Sequence,
    *,
    excluded_fields: Iterable[str] = (),
    extra: Callable[[object, object], Iterable[tuple[models.Field, str, str]]] | None = None,
) -> list[list[FieldChange]]:
    """What each history record changed since the one before it, field by field, as people read it.

    ``records`` are one object's history records, oldest first; the list returned is
    aligned with them, and the first (the object's creation) changed nothing. Fields
    come in the model's order (the order its forms ask), each value as ``value_text``
    writes it, and related names cost a query per field however long the history.
    ``extra(previous, record)`` adds what ``diff_against`` cannot compare cheaply, such as
    many-to-many rows from a prefetch, as (field, old text, new text).
    """
    if not records:
        return []
    model = records[0].instance_type
    pairs = list(pairwise(records))
    deltas = [
        record.diff_against(previous, excluded_fields=list(excluded_fields)) for previous, record in pairs
    ]
    names = related_names(model, deltas)
    changes: list[list[FieldChange]] = [[]]
    for (previous, record), delta in zip(pairs, deltas, strict=True):
        changed = []
        for change in delta.changes:
            model_field = model._meta.get_field(change.field)
            changed.append(
                (
                    model_field,
                    value_text(model_field, change.old, names),
                    value_text(model_field, change.new, names),
                )
            )
        if extra is not None:
            changed.extend(extra(previous, record))
        changed.sort(key=lambda item: item[0].creation_counter)
        changes.append([FieldChange(capfirst(f.verbose_name), old, new) for f, old, new in changed])
    return changes
