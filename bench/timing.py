"""The page bench's arithmetic, apart from Django so it can be tested alone (tests/bench/).

``bench/run.py`` times each page interleaved with a *floor*: the cheapest signed-in page,
requested by the same client just before each request to the page. Both see the same
machine at the same moments, so the page's p95 as a multiple of the floor's p95 moves far
less than its milliseconds when other work shares the 2 cores.
"""

from __future__ import annotations

import math
import statistics


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least ``share`` of them at or below it."""
    if not samples:
        raise ValueError("No samples to take a percentile of.")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ratio_to_floor(page_ms: float, floor_ms: float) -> float | None:
    """The page's time as a multiple of the floor's, to 2 places; None when the floor took no time."""
    if floor_ms <= 0:
        return None
    return round(page_ms / floor_ms, 2)


def summarise(page_ms: list[float], floor_ms: list[float]) -> dict:
    """p50 and p95 of a page's timings and of the floor's interleaved with them, and their ratio.

    The ratio is taken on the rounded milliseconds, so it is the one a reader of the
    output would get from the two numbers printed beside it.
    """
    p95 = round(percentile(page_ms, 0.95), 1)
    floor_p95 = round(percentile(floor_ms, 0.95), 1)
    return {
        "p50_ms": round(statistics.median(page_ms), 1),
        "p95_ms": p95,
        "floor_p95_ms": floor_p95,
        "p95_ratio_to_floor": ratio_to_floor(p95, floor_p95),
    }


def same_queries_at_every_scale(queries_by_scale: dict[str, int]) -> bool:
    """Whether a page ran as many queries at every scale it was timed at (one scale: trivially)."""
    return len(set(queries_by_scale.values())) <= 1
