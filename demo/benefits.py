"""Synthetic benefits for the demo and the scale data: a few per adoption, with realised values over time.

Each adoption gets two or three benefits from a fixed menu (cash-releasing and
non-cash-releasing pounds, staff hours or bed days released, a quality or experience
measure in percentage points, people reached for equity), sized with a little noise.
Each benefit has up to three realised values to date, rising, recorded after the
dates they run to; the older ones signed off by the hub's lead. Every row is marked
synthetic; amounts are exact pence. Written in bulk, with a history record per benefit
dated when it was added, so the nightly report reads it as of any day.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from core.history import history_from_rows
from value.models import Benefit, RealisedValue

PENCE = Decimal("0.01")
SYNTHETIC_NOTE = "Synthetic demo benefit."

# title, kind, unit, measure, typical expected value
MENU = (
    ("Fewer outpatient follow-up appointments", "cash_releasing", "gbp",
     "Follow-up appointments avoided × the local tariff, from the trust's activity data", Decimal("18000")),
    ("Fewer emergency admissions", "non_cash_releasing", "gbp",
     "Admissions avoided against the year before × the average cost of an admission", Decimal("42000")),
    ("Nurse time released", "capacity_released", "hours",
     "Hours of routine monitoring no longer needed, from the team's rota", Decimal("900")),
    ("Bed days saved", "capacity_released", "bed_days",
     "Shorter stays for the cohort against the year before", Decimal("260")),
    ("More people at target", "quality", "percentage_points",
     "Rise in the share of the cohort at target, from the linked indicator", Decimal("8")),
    ("Patients rate the service as good", "experience", "percentage_points",
     "Rise in the share rating the service good or very good in the quarterly survey", Decimal("10")),
    ("People reached in the most deprived areas", "equity", "people",
     "People from IMD quintile 1 taking part, from the service's records", Decimal("400")),
    ("Medicines waste avoided", "cash_releasing", "gbp",
     "Prescriptions not issued × their cost, from the medicines optimisation team", Decimal("9000")),
)  # fmt: skip


@dataclass
class PlannedBenefit:
    benefit: Benefit
    realised: list[RealisedValue] = field(default_factory=list)


def _at(day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    return min(timezone.make_aware(datetime.datetime.combine(day, datetime.time(11))), now)


def benefit_plan(
    adoption, *, rng: random.Random, today: datetime.date, now: datetime.datetime, signer=None
) -> list[PlannedBenefit]:
    """Two or three synthetic benefits of ``adoption``, each with up to three realised values to date."""
    start = adoption.started_on
    plan = []
    for title, kind, unit, measure, typical in rng.sample(MENU, rng.choice((2, 3))):
        expected = (typical * Decimal(str(rng.uniform(0.6, 1.6)))).quantize(
            PENCE if unit == "gbp" else Decimal("1")
        )
        added = min(start + datetime.timedelta(days=rng.randint(14, 90)), today)
        benefit = Benefit(
            adoption=adoption,
            title=title,
            description=SYNTHETIC_NOTE,
            kind=kind,
            unit=unit,
            measure=measure,
            expected_value=expected,
            expected_by=start + datetime.timedelta(days=rng.choice((365, 540, 730))),
            is_synthetic=True,
            created_at=_at(added, now),
        )
        planned = PlannedBenefit(benefit)
        span = (today - added).days
        updates = min(3, span // 120)
        share = Decimal("0")
        for n in range(updates):
            as_of = added + datetime.timedelta(days=(n + 1) * span // (updates + 1))
            share += Decimal(str(rng.uniform(0.1, 0.35)))
            recorded = _at(min(as_of + datetime.timedelta(days=rng.randint(5, 25)), today), now)
            signed = signer is not None and n < updates - 1
            planned.realised.append(
                RealisedValue(
                    value=(expected * share).quantize(PENCE if unit == "gbp" else Decimal("1")),
                    as_of=as_of,
                    evidence=f"Synthetic evidence: {measure.lower()}, to {as_of:%-d %B %Y}.",
                    recorded_at=recorded,
                    recorded_by=signer,
                    signed_off_by=signer if signed else None,
                    signed_off_at=min(recorded + datetime.timedelta(days=10), now) if signed else None,
                    is_synthetic=True,
                )
            )
        plan.append(planned)
    return plan


def write_benefits(plans: list[PlannedBenefit], *, batch_size: int = 2000) -> int:
    """Write planned benefits and their realised values in bulk; return the rows written."""
    benefits = Benefit.objects.bulk_create([p.benefit for p in plans], batch_size=batch_size)
    rows = []
    for planned, benefit in zip(plans, benefits, strict=True):
        for realised in planned.realised:
            realised.benefit = benefit
            rows.append(realised)
    RealisedValue.objects.bulk_create(rows, batch_size=batch_size)
    pks = [benefit.pk for benefit in benefits]
    history_from_rows(Benefit, pks, by=None, kind="+", batch_size=batch_size)
    # Each benefit's history starts when it was added, so a report for a past day reads it as then.
    if pks:  # the rows just written have consecutive ids: a range, not thousands of parameters
        Benefit.history.model.objects.filter(id__gte=min(pks), id__lte=max(pks)).update(
            history_date=F("created_at")
        )
    return len(benefits) + len(rows)
