"""Writes to learning notes."""

from __future__ import annotations

from django.db import transaction

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
def note_update(*, note: LearningNote, by, **changes) -> LearningNote:
    """Change a note; the previous text stays in its history."""
    for field, value in changes.items():
        setattr(note, field, value)
    note.full_clean()
    note.save()
    return note
