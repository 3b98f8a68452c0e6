"""Synthetic quarterly spend for the demo and the scale data: a plan per hub, written in bulk.

Each hub spends from its award's first quarter to the last complete quarter before today,
ramping up over its first two quarters, split over the categories in fixed shares with a
little noise, plus a small in-kind contribution each quarter. Every quarter is approved
except the latest (submitted, awaiting review). ``pace`` sets how fast a hub spends against
an even spread of its award (1.0 even; below, lagging; above, heading past its award).
Every quarter is marked synthetic; amounts are exact pence.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from core.history import history_from_rows
from core.quarters import quarter_end, quarter_start
from value.models import SpendLine, SpendQuarter
from value.spend import quarter_after, quarters_between

PENCE = Decimal("0.01")
SHARES = (
    (SpendLine.Category.STAFF, Decimal("0.50")),
    (SpendLine.Category.BACKFILL, Decimal("0.15")),
    (SpendLine.Category.DIGITAL, Decimal("0.15")),
    (SpendLine.Category.EVALUATION, Decimal("0.08")),
    (SpendLine.Category.ENGAGEMENT, Decimal("0.07")),
    (SpendLine.Category.OTHER, Decimal("0.05")),
)
RAMP = (Decimal("0.6"), Decimal("0.9"))  # the first two quarters, as shares of a full quarter
HOURLY_COST = Decimal("32")  # staff cost per hour, to give each staff line its hours
HOURS_PER_WTE_QUARTER = Decimal("487.5")  # 37.5 hours × 13 weeks
IN_KIND_SHARE = Decimal("0.04")
DESCRIPTION = "Synthetic demo spend"


@dataclass
class PlannedQuarter:
    start: datetime.date
    status: str
    lines: list[SpendLine]


def spend_plan(
    hub, *, today: datetime.date, pace: float, rng: random.Random, adoptions=()
) -> list[PlannedQuarter]:
    """The quarters of ``hub``'s synthetic spend up to the last complete quarter before ``today``.

    The backfill and digital lines go, in turn, to the hub's ``adoptions`` (if any), so an
    adoption has spend against which its benefits can be read.
    """
    first = quarter_start(hub.start_date)
    last = min(quarter_start(hub.end_date), quarter_start(quarter_start(today) - datetime.timedelta(days=1)))
    if last < first:
        return []
    full = hub.award / quarters_between(first, quarter_start(hub.end_date)) * Decimal(str(pace))
    plan, start, index = [], first, 0
    while start <= last:
        size = full * (RAMP[index] if index < len(RAMP) else 1)
        lines = []
        for category, share in SHARES:
            amount = (size * share * Decimal(str(rng.uniform(0.88, 1.12)))).quantize(PENCE)
            line = SpendLine(category=category, amount=amount, description=DESCRIPTION)
            if adoptions and category in (SpendLine.Category.BACKFILL, SpendLine.Category.DIGITAL):
                line.adoption = adoptions[(index + len(lines)) % len(adoptions)]
            if category == SpendLine.Category.STAFF:
                line.staff_hours = (amount / HOURLY_COST).quantize(Decimal("0.1"))
                line.staff_wte = (line.staff_hours / HOURS_PER_WTE_QUARTER).quantize(PENCE)
            lines.append(line)
        in_kind = (size * IN_KIND_SHARE * Decimal(str(rng.uniform(0.5, 1.5)))).quantize(PENCE)
        lines.append(
            SpendLine(
                category=SpendLine.Category.OTHER,
                amount=in_kind,
                in_kind=True,
                description="Synthetic partner time",
            )
        )
        status = SpendQuarter.Status.SUBMITTED if start == last else SpendQuarter.Status.APPROVED
        plan.append(PlannedQuarter(start, status, lines))
        start, index = quarter_after(start), index + 1
    return plan


def write_spend(
    plans: dict, *, lead_of: dict, evaluator, history: bool, now: datetime.datetime | None = None
) -> int:
    """Write each hub's planned quarters (``plans``: hub → plan) in bulk; return the rows written.

    Submitted two weeks after a quarter ends and reviewed a month after; ``history`` adds
    one history record per row (the demo), none at scale (as the rest of the scale data).
    """
    now = now or timezone.now()
    quarters, lines = [], []
    for hub, plan in plans.items():
        for planned in plan:
            ended = timezone.make_aware(
                datetime.datetime.combine(quarter_end(planned.start), datetime.time(10))
            )
            quarter = SpendQuarter(
                hub=hub,
                start=planned.start,
                status=planned.status,
                is_synthetic=True,
                submitted_by=lead_of.get(hub.pk),
                submitted_at=min(ended + datetime.timedelta(days=14), now),
            )
            if planned.status == SpendQuarter.Status.APPROVED:
                quarter.reviewed_by = evaluator
                quarter.reviewed_at = min(ended + datetime.timedelta(days=30), now)
            quarters.append(quarter)
            lines.append(planned.lines)
    created = SpendQuarter.objects.bulk_create(quarters, batch_size=2000)
    flat = []
    for quarter, quarter_lines in zip(created, lines, strict=True):
        for line in quarter_lines:
            line.quarter = quarter
            flat.append(line)
    SpendLine.objects.bulk_create(flat, batch_size=5000)
    if history:
        history_from_rows(SpendQuarter, [q.pk for q in created], by=evaluator, kind="+")
        history_from_rows(SpendLine, [line.pk for line in flat], by=None, kind="+")
    return len(created) + len(flat)
