"""Helpers for tests that count a page's queries."""

from django.urls import reverse


def warm_todo_count(client) -> None:
    """Open the home page, which lists the signed-in person's to-do list and caches its count.

    The header shows that count on every page, counted at most once a minute (``core.todo``):
    a test of a page's own queries opens this first, as a person's earlier page would have.
    """
    assert client.get(reverse("home")).status_code == 200
