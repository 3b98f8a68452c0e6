"""Who changed a record and why: stamped in one call before each save, shown by one renderer.

Every model a user edits keeps its history with django-simple-history. A service
calls ``stamp`` before it saves, so each history record says who acted and why,
inside a request or outside one (a worker, a command), and the record's edit
version moves on, so a form opened before this save is refused as stale
(``core.concurrency``). Reasons are stored as text: never cut, never refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models


def stamp(instance: models.Model, *, by, reason: str = "", new_version: bool = True) -> models.Model:
    """Say who is changing ``instance`` and why, and move its edit version on (if it has one)."""
    instance._history_user = by
    instance._change_reason = reason.strip() or None
    if new_version and hasattr(instance, "version"):
        instance.version = (instance.version or 0) + 1
    return instance


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
