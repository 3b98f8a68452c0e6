"""Writes to learning notes."""

from __future__ import annotations

from django.db import transaction

from hubs.concurrency import save_if_unchanged
from innovations.models import Adoption

from .models import LearningNote


@transaction.atomic
def note_create(
    *, adoption: Adoption, kind: str, cfir_domain: str, title: str, text: str, by
) -> LearningNote:
    note = LearningNote(
        adoption=adoption, kind=kind, cfir_domain=cfir_domain, title=title, text=text, author=by
    )
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def note_update(*, note: LearningNote, by, version: int, **changes) -> LearningNote:
    """Change a note opened at ``version``; the previous text stays in its history."""
    return save_if_unchanged(note, expected_version=version, changes=changes)
