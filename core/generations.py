"""Generations: counters in the shared cache that a change moves on, so cached reads keyed on them go stale at once.

A cached read puts the generation of what it depends on in its key; whatever changes that
thing calls ``move_on``, and the next read misses and computes afresh. Counters live in the
cache (Redis in production), shared by every process and machine; an evicted counter starts
again at 1 and only costs a fresh computation. Used by the header's to-do count
(``core.todo``) and the funnel plots' hub totals (``evaluation.comparison``).
"""

from __future__ import annotations

from django.core.cache import cache


def generation(key: str) -> int:
    return cache.get_or_set(key, 1, timeout=None)


def generations(*keys: str) -> tuple[int, ...]:
    """Several generations in one round trip; a missing one is started at 1."""
    found = cache.get_many(keys)
    return tuple(found[key] if key in found else generation(key) for key in keys)


def move_on(key: str) -> None:
    """Something behind ``key`` changed: every read cached under its current generation is out of date."""
    cache.add(key, 1, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between the two calls
        cache.set(key, 2, timeout=None)
