"""The hub's notes on an adoption, marked on its indicators' charts (see ``evaluation.annotations``).

Barriers, enablers and adaptations are things that happened in a month, so they can
explain a shift in the figures; each is marked in the month it was written. Lessons are
left off: a lesson is what the hub concluded, often long after the months it is about,
so its date says little about the chart. Archived notes are left off too.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.months import add_months
from evaluation.annotations import Annotation, AnnotationKind
from evaluation.models import Indicator

from .models import LearningNote

NOTE_KINDS = {
    LearningNote.Kind.BARRIER: AnnotationKind("barrier", "B", "Barrier", "circle", "#8A1538"),
    LearningNote.Kind.ENABLER: AnnotationKind("enabler", "E", "Enabler", "circle", "#006747"),
    LearningNote.Kind.ADAPTATION: AnnotationKind("adaptation", "A", "Adaptation", "circle", "#330072"),
}


def start_of(month: datetime.date) -> datetime.datetime:
    """Midnight on the month's first day, in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))


def notes_on_chart(indicator: Indicator, user, first: datetime.date, last: datetime.date) -> list[Annotation]:
    """The current barriers, enablers and adaptations on the indicator's adoption, written in those months."""
    notes = (
        LearningNote.objects.for_user(user)
        .current()
        .filter(
            adoption_id=indicator.adoption_id,
            kind__in=list(NOTE_KINDS),
            created_at__gte=start_of(first),
            created_at__lt=start_of(add_months(last, 1)),
        )
        .only("pk", "kind", "title", "created_at")
    )
    return [
        Annotation(
            timezone.localdate(note.created_at), NOTE_KINDS[note.kind], note.title, note.get_absolute_url()
        )
        for note in notes
    ]
