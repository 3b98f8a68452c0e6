"""Each person's to-do list, from every app's part of it (``core.todo`` says how a list is made)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.todo import TodoItem, cached_count, in_order
from evaluation import todo as evaluation_todo
from hubs.access import roles_of
from innovations import todo as innovations_todo
from learning import todo as learning_todo
from value import todo as value_todo

PARTS = (evaluation_todo, innovations_todo, learning_todo, value_todo)


def todo_for(user, today: datetime.date | None = None) -> list[TodoItem]:
    """Everything waiting for ``user``, most urgent first."""
    roles = roles_of(user)
    if not roles.authenticated:
        return []
    today = today or timezone.localdate()
    return in_order(item for part in PARTS for item in part.todo_items(user, roles, today))


def todo_count(user) -> int:
    """How many things wait for ``user``: the header's number, cached while nothing changes."""
    if not roles_of(user).authenticated:
        return 0
    return cached_count(user, lambda: len(todo_for(user)))
