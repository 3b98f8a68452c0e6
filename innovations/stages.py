"""The stages an adoption goes through, and the rules for moving between them.

Active stages run in order; forward moves may skip stages. Exits may be taken
from any active stage. A backward move, an exit, or a return from an exit
needs a reason. A move is dated: not in the future, not before the previous move.
"""

from __future__ import annotations

import datetime

from django.db import models


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    ASSESSING = "assessing", "Assessing"
    DECIDED = "decided", "Decided to adopt"
    PLANNING = "planning", "Adapting and planning"
    TESTING = "testing", "Testing (PDSA cycles)"
    IMPLEMENTED = "implemented", "Implemented (routine use)"
    SUSTAINED = "sustained", "Sustained"
    SPREADING = "spreading", "Spreading"
    PAUSED = "paused", "Paused"
    NOT_ADOPTED = "not_adopted", "Not adopted"
    ABANDONED = "abandoned", "Abandoned"


ACTIVE_STAGES: tuple[Stage, ...] = (
    Stage.IDENTIFIED,
    Stage.ASSESSING,
    Stage.DECIDED,
    Stage.PLANNING,
    Stage.TESTING,
    Stage.IMPLEMENTED,
    Stage.SUSTAINED,
    Stage.SPREADING,
)
EXIT_STAGES: tuple[Stage, ...] = (Stage.PAUSED, Stage.NOT_ADOPTED, Stage.ABANDONED)
# Stages an adoption passes through on its way in: long in one of them, it has stalled. Once in
# routine use (implemented, sustained, spreading) it may rightly stay put; paused and ended ones
# have stopped on purpose.
STAGES_THAT_STALL: tuple[Stage, ...] = ACTIVE_STAGES[: ACTIVE_STAGES.index(Stage.IMPLEMENTED)]
STAGE_ORDER = {stage: position for position, stage in enumerate(ACTIVE_STAGES)}


def is_exit(stage: str) -> bool:
    return stage in EXIT_STAGES


def allowed_moves(current: str) -> list[Stage]:
    """Every stage an adoption at ``current`` may move to, active stages first."""
    if is_exit(current):
        # From an exit: back into any active stage, or to another exit.
        return [*ACTIVE_STAGES, *(s for s in EXIT_STAGES if s != current)]
    return [s for s in ACTIVE_STAGES if s != current] + list(EXIT_STAGES)


def move_needs_reason(current: str, target: str) -> bool:
    """A backward move, an exit, or a return from an exit must say why."""
    if is_exit(current) or is_exit(target):
        return True
    return STAGE_ORDER[Stage(target)] < STAGE_ORDER[Stage(current)]


def move_errors(
    *,
    current: str,
    target: str,
    on: datetime.date | None,
    reason: str,
    previous_move_on: datetime.date | None,
    today: datetime.date,
) -> dict[str, str]:
    """Field name → message for every rule the move breaks; empty when it is allowed."""
    errors: dict[str, str] = {}
    if target not in Stage.values:
        errors["to_stage"] = "Choose a stage from the list."
    elif target == current:
        errors["to_stage"] = f"The adoption is already at “{Stage(current).label}”."
    elif Stage(target) not in allowed_moves(current):
        errors["to_stage"] = (
            f"An adoption cannot move from “{Stage(current).label}” to “{Stage(target).label}”."
        )
    elif move_needs_reason(current, target) and not reason.strip():
        errors["reason"] = "Say why: a backward move, an exit or a return from an exit needs a reason."
    if on is None:
        errors["date"] = "Enter the date of the move."
    elif on > today:
        errors["date"] = "The date of a move cannot be in the future."
    elif previous_move_on and on < previous_move_on:
        errors["date"] = f"The date cannot be before the previous move, on {previous_move_on:%-d %B %Y}."
    return errors
