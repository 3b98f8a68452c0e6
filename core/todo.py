"""A person's to-do list: what waits for them, most urgent first, each one click from where it is done.

Each app says what waits for a person in its own part (``<app>/todo.py``); ``hubportal.todo``
puts the lists together for the home page and the header's count. An item is a line with a
link, never a copy of the work: the page it links to is where the work is done.

The header shows the count on every page, so it is kept in the cache for a minute under a
generation that every change made through the portal moves on (``TodoChangedMiddleware``):
someone who approves a month sees their count fall on the next page. Work a worker finishes
(an upload checked) shows within the minute.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum

from django.core.cache import cache

from .generations import generation, move_on

COUNT_TTL = 60  # seconds
GENERATION_KEY = "todo:generation"


class Urgency(IntEnum):
    """The order of a to-do list: late work first, then work sent back, then work due, then the rest."""

    OVERDUE = 0
    RETURNED = 1
    DUE = 2
    TO_REVIEW = 3
    TO_DECIDE = 4
    TO_FINISH = 5
    TO_LOOK_AT = 6


@dataclass(frozen=True)
class TodoItem:
    title: str  # what waits, in a few words: "Figures for October 2026 for Virtual wards"
    url: str  # the page where it is done
    urgency: Urgency
    tag: str  # its state in a word or two, shown as a tag: "Overdue", "Returned", "Due 14 December"
    detail: str = ""  # one line more: which hub, how many figures, flags
    note: str = ""  # someone's words about it, shown as a quote: an evaluator's note when returning
    due: datetime.date | None = None

    @property
    def tag_colour(self) -> str:
        return TAG_COLOURS[self.urgency]


TAG_COLOURS = {
    Urgency.OVERDUE: "red",
    Urgency.RETURNED: "orange",
    Urgency.DUE: "yellow",
    Urgency.TO_REVIEW: "blue",
    Urgency.TO_DECIDE: "blue",
    Urgency.TO_FINISH: "aqua-green",
    Urgency.TO_LOOK_AT: "grey",
}


def in_order(items: Iterable[TodoItem]) -> list[TodoItem]:
    """Most urgent first; within a kind, the earliest due; then by title."""
    return sorted(items, key=lambda item: (item.urgency, item.due or datetime.date.max, item.title))


# The header's count -------------------------------------------------------------------------


def todo_changed() -> None:
    """Something may have changed somebody's list: every cached count is out of date."""
    move_on(GENERATION_KEY)


def _count_key(user) -> str:
    # The sign-up time too: an id given again (a database restored, a test's rows rolled back)
    # names someone else, whose count this is not.
    joined = int(user.date_joined.timestamp() * 1_000_000)
    return f"todo:count:{user.pk}:{joined}:{generation(GENERATION_KEY)}"


def cached_count(user, count: Callable[[], int]) -> int:
    """The length of ``user``'s list, from the cache while nothing has changed, else counted now."""
    return cache.get_or_set(_count_key(user), count, timeout=COUNT_TTL)


def remember_count(user, count: int) -> None:
    """The home page has just listed everything: the header needs no second count."""
    cache.set(_count_key(user), count, timeout=COUNT_TTL)


class TodoChangedMiddleware:
    """Any change a signed-in person makes (a POST, PUT, PATCH or DELETE) moves the generation on."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in self.SAFE
            and getattr(request, "user", None)
            and request.user.is_authenticated
        ):
            todo_changed()
        return response
