"""The reads behind the stages dashboard: each a few SQL queries, never one per row.

Functions here take querysets already scoped to the user (``for_user``) and
return plain data for the view to lay out. ``stage_history`` and
``stage_durations`` also serve the nightly roll-up.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from hubs.models import Hub

from .models import Adoption, ComplexityCheck, Innovation, StageTransition
from .stages import ACTIVE_STAGES, EXIT_STAGES, Stage

ALL_STAGES: tuple[Stage, ...] = (*ACTIVE_STAGES, *EXIT_STAGES)
RECENT_DAYS = 90
RECENT_MOVES_SHOWN = 50


@dataclass(frozen=True)
class StageMatrix:
    """Innovations (rows) × hubs (columns), each cell its hub and the adoption there or None.

    A cell names its hub so that on a phone, where a row is a list, each line says whose it is.
    """

    hubs: list[Hub]
    rows: list[tuple[Innovation, list[tuple[Hub, Adoption | None]]]]


def stage_matrix(adoptions) -> StageMatrix:
    """Two queries: the adoptions with their hub, innovation and latest complexity check, as a grid."""
    adoptions = list(
        adoptions.select_related("hub", "innovation")
        .prefetch_related(ComplexityCheck.objects.latest_prefetch())
        .order_by()
    )
    hubs = sorted({a.hub for a in adoptions}, key=lambda hub: hub.name)
    innovations = sorted({a.innovation for a in adoptions}, key=lambda innovation: innovation.name)
    cells = {(a.innovation_id, a.hub_id): a for a in adoptions}
    rows = [
        (innovation, [(hub, cells.get((innovation.pk, hub.pk))) for hub in hubs])
        for innovation in innovations
    ]
    return StageMatrix(hubs=hubs, rows=rows)


def stage_counts(adoptions) -> list[tuple[Stage, int]]:
    """Adoptions at each stage, every stage listed in order (zero included)."""
    counts = dict(adoptions.order_by().values_list("stage").annotate(n=Count("pk")))
    return [(stage, counts.get(stage.value, 0)) for stage in ALL_STAGES]


@dataclass(frozen=True)
class RecentMoves:
    moves: list[StageTransition]
    total: int

    @property
    def not_shown(self) -> int:
        return self.total - len(self.moves)


def recent_moves(
    transitions, *, today: datetime.date, days: int = RECENT_DAYS, limit: int = RECENT_MOVES_SHOWN
) -> RecentMoves:
    """Moves dated in the last ``days`` days (today included), newest first; two queries."""
    recent = transitions.filter(date__gte=today - datetime.timedelta(days=days), date__lte=today)
    moves = list(
        recent.select_related("adoption__hub", "adoption__innovation").order_by(
            "-date", "-recorded_at", "-pk"
        )[:limit]
    )
    return RecentMoves(moves=moves, total=recent.count())


@dataclass(frozen=True)
class StageDuration:
    stage: Stage
    median_days: float | None
    spells: int  # times an adoption entered the stage
    ongoing: int  # of which the adoption is still there today


def stage_durations(
    history: Iterable[tuple[int, datetime.date, str]], *, today: datetime.date
) -> list[StageDuration]:
    """Median days spent in each stage, from (adoption id, date, stage moved to) in time order.

    A spell runs from a move into a stage to the adoption's next move; the spell
    in the current stage runs to ``today``. Pure Python over rows already fetched.
    """
    spells: dict[str, list[int]] = defaultdict(list)
    ongoing: Counter[str] = Counter()
    previous: tuple[int, datetime.date, str] | None = None
    for row in history:
        if previous is not None and previous[0] == row[0]:
            spells[previous[2]].append((row[1] - previous[1]).days)
        elif previous is not None:
            spells[previous[2]].append((today - previous[1]).days)
            ongoing[previous[2]] += 1
        previous = row
    if previous is not None:
        spells[previous[2]].append((today - previous[1]).days)
        ongoing[previous[2]] += 1
    return [
        StageDuration(
            stage=stage,
            median_days=statistics.median(spells[stage.value]) if spells[stage.value] else None,
            spells=len(spells[stage.value]),
            ongoing=ongoing[stage.value],
        )
        for stage in ALL_STAGES
    ]


def stage_history(transitions) -> Iterable[tuple[int, datetime.date, str]]:
    """(adoption id, date, stage moved to) in time order per adoption: one query, streamed."""
    return (
        transitions.order_by("adoption", "date", "recorded_at", "pk")
        .values_list("adoption", "date", "to_stage")
        .iterator(chunk_size=5000)
    )
