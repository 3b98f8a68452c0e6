"""Events marked on an indicator's chart: stage moves, rebases and what the hub noted, month by month.

An ``Annotation`` is a day, a kind, a line of words and a link. The chart draws each one
as a lettered marker under its month (``charts.annotation_band``) and the page lists them
under the chart, each with its link.

Who supplies them. ``evaluation`` sits below ``learning`` in the app order (import-linter),
so it may not read learning notes itself. Instead, every app that has events to mark
registers a *provider* here from its ``AppConfig.ready()``: a function
``(indicator, user, first, last) -> Iterable[Annotation]`` that reads its own rows, in the
months ``first`` to ``last``, through its own ``for_user`` queryset, so what a viewer may
not see never reaches the page. ``evaluation`` registers the stage moves this way
(``innovations`` is below it); ``learning`` registers the hub's notes
(``learning/annotations.py``). Rebases are the page's own rows, already read for the chart,
so they are made from that list rather than read again. Each provider makes one query
whatever it finds: the page's query count does not grow with the number of annotations.

Kinds are values (``AnnotationKind``), named by the app that knows them, registered with
its provider: the chart draws whatever letter, shape and colour a kind has, and
``register`` refuses two kinds with one letter, so the letter always tells them apart.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from core.months import add_months
from innovations.models import StageTransition

if TYPE_CHECKING:
    from .models import Indicator, RebasePoint


@dataclass(frozen=True)
class AnnotationKind:
    """What a marker stands for: its letter and shape (never colour alone), colour and name in the key."""

    key: str
    letter: str
    name: str  # in the key and the list, and counted in the chart's description ("2 stage moves")
    shape: str  # "circle", "square" or "diamond": a shape the letter fits in
    colour: str  # white letters on it read at 4.5:1 or more


@dataclass(frozen=True)
class Annotation:
    """An event on the chart: the day it happened, its kind, its words (the link's text) and where to read more."""

    day: datetime.date
    kind: AnnotationKind
    label: str
    url: str

    @property
    def period(self) -> datetime.date:
        """The month it is marked in."""
        return self.day.replace(day=1)


Provider = Callable[["Indicator", Any, datetime.date, datetime.date], Iterable[Annotation]]

_providers: list[Provider] = []
_kinds: dict[str, AnnotationKind] = {}


def register(provider: Provider | None, *, kinds: Sequence[AnnotationKind]) -> None:
    """Add a provider of annotations and the kinds it makes (again is harmless: ``ready()`` may run twice)."""
    for kind in kinds:
        clash = next((k for k in _kinds.values() if k.letter == kind.letter and k.key != kind.key), None)
        if clash:
            raise ImproperlyConfigured(
                f"Annotation kinds {clash.key} and {kind.key} share the letter {kind.letter}"
            )
        _kinds[kind.key] = kind
    if provider is not None and provider not in _providers:
        _providers.append(provider)


def registered_kinds() -> list[AnnotationKind]:
    return list(_kinds.values())


def on_chart(
    indicator: Indicator, user, *, first: datetime.date, last: datetime.date, rebases: Iterable[RebasePoint]
) -> list[Annotation]:
    """Every annotation this user may see in the months ``first`` to ``last``, in time order.

    ``rebases`` are the indicator's rebase points the page has read already.
    """
    found = [rebase_annotation(rebase) for rebase in rebases if first <= rebase.period <= last]
    for provider in _providers:
        found += [note for note in provider(indicator, user, first, last) if first <= note.period <= last]
    return sorted(found, key=lambda annotation: (annotation.day, annotation.kind.key, annotation.label))


# The kinds evaluation knows: its own rebases, and the stage moves of the innovations app below it.

STAGE_MOVE = AnnotationKind("stage_move", "S", "Stage move", "square", "#005EB8")
REBASE = AnnotationKind("rebase", "R", "Rebase", "diamond", "#212B32")


def rebase_annotation(rebase: RebasePoint) -> Annotation:
    # The reason is in the page's table of rebase points, a row with this id.
    return Annotation(rebase.period, REBASE, rebase.reason, f"#rebase-{rebase.pk}")


def stage_moves(indicator: Indicator, user, first: datetime.date, last: datetime.date) -> list[Annotation]:
    """The adoption's moves between stages in those months (not its start), linked to its stage history."""
    moves = (
        StageTransition.objects.for_user(user)
        .filter(adoption_id=indicator.adoption_id, date__gte=first, date__lt=add_months(last, 1))
        .exclude(from_stage="")
        .only("pk", "date", "from_stage", "to_stage")
    )
    adoption_url = reverse("innovations:adoption", args=[indicator.adoption_id])
    return [
        Annotation(
            move.date,
            STAGE_MOVE,
            f"{move.get_from_stage_display()} to {move.get_to_stage_display()}",
            f"{adoption_url}#stage-move-{move.pk}",
        )
        for move in moves
    ]
