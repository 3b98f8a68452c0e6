"""The figures awaiting review, counted per adoption and month, kept up to date as they change.

``awaiting_refresh`` recounts the adoption-months of the figures a write touched: the
measurement service calls it after every save and review, in the same transaction, so
the queue and the evaluators' to-do lists read a few rows (``AdoptionMonthAwaiting``)
instead of every submitted figure of the programme. ``awaiting_refresh_all`` rebuilds
the lot, for bulk loads that write figures without the service (the demo, the scale data).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, F, Min, Q

from innovations.models import Adoption

from .models import RESUBMITTED, AdoptionMonthAwaiting, Indicator, Measurement

REFRESH_BATCH = 2000  # rows written per statement by a full rebuild


def _counts(figures):
    """Submitted figures grouped by adoption and month, as the rows of the table."""
    return (
        figures.filter(status=Measurement.Status.SUBMITTED)
        .order_by()
        .values("period", adoption_id=F("indicator__adoption"))
        .annotate(
            awaiting=Count("pk"),
            resubmitted=Count("pk", filter=RESUBMITTED),
            first_submitted=Min("submitted_at"),
        )
    )


def _write(rows: list[dict]) -> None:
    AdoptionMonthAwaiting.objects.bulk_create(
        [AdoptionMonthAwaiting(**row) for row in rows],
        batch_size=REFRESH_BATCH,
        update_conflicts=True,
        unique_fields=["adoption", "period"],
        update_fields=["awaiting", "resubmitted", "first_submitted"],
    )


def awaiting_refresh(indicator_months: Iterable[tuple[int, datetime.date]]) -> None:
    """Recount the adoption-months of these (indicator id, month) pairs, whose figures just changed.

    The adoptions' rows are locked first, in one order: two writes to different indicators
    of one adoption-month (two people saving, or a save and a review) then recount one
    after the other, the second seeing the first's figures, so neither count is lost.
    Callers lock the indicators before this, never after. Four queries however many pairs.
    """
    pairs = set(indicator_months)
    if not pairs:
        return
    periods = {period for _, period in pairs}
    adoption_of = dict(
        Indicator.objects.filter(pk__in={indicator_id for indicator_id, _ in pairs}).values_list(
            "pk", "adoption_id"
        )
    )
    adoption_ids = list(
        Adoption.objects.select_for_update(no_key=True)
        .filter(pk__in=set(adoption_of.values()))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    wanted = {
        (adoption_of[indicator_id], period) for indicator_id, period in pairs if indicator_id in adoption_of
    }
    rows = [
        row
        for row in _counts(
            Measurement.objects.filter(indicator__adoption__in=adoption_ids, period__in=periods)
        )
        if (row["adoption_id"], row["period"]) in wanted
    ]
    _write(rows)
    gone = wanted - {(row["adoption_id"], row["period"]) for row in rows}
    if gone:
        nothing_left = Q()
        for adoption_id, period in gone:
            nothing_left |= Q(adoption_id=adoption_id, period=period)
        AdoptionMonthAwaiting.objects.filter(nothing_left).delete()


def awaiting_refresh_all() -> int:
    """Count every adoption-month's figures awaiting review afresh; returns how many rows there are."""
    rows = list(_counts(Measurement.objects.all()))
    AdoptionMonthAwaiting.objects.all().delete()
    _write(rows)
    return len(rows)
