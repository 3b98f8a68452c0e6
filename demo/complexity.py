"""Synthetic NASSS complexity checks for the demo and the scale data: two per adoption, marked synthetic.

The first check is about six months before the second; the second is recent for most
adoptions, a little under six months ago for one in seven (its next check due within the
month) and over six months ago for one in eleven (overdue), so the to-do list and the
adoption pages show each case. Ratings come from a random stream seeded by the adoption:
the first check leans complicated; by the second, domains more often grow simpler (the
work settles in) than more complex. Each reason is a plausible sentence for its domain
and rating, made up for the demo; each check says it was recorded on its own day (10:00).
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from innovations.complexity import DOMAINS, Rating, reason_field
from innovations.models import ComplexityCheck

FIRST_WEIGHTS = {Rating.SIMPLE: 0.25, Rating.COMPLICATED: 0.45, Rating.COMPLEX: 0.30}
SIMPLER, MORE_COMPLEX = 0.3, 0.1  # chances that a domain moves, by the second check
ORDER = [Rating.SIMPLE, Rating.COMPLICATED, Rating.COMPLEX]

REASONS: dict[str, dict[str, str]] = {
    "condition": {
        Rating.SIMPLE: "A well-understood condition with a clear diagnosis and an agreed pathway.",
        Rating.COMPLICATED: "Clear diagnosis, but many patients have two or more long-term conditions alongside it.",
        Rating.COMPLEX: "Patients often have several conditions, social needs and changing goals; no single pathway fits.",
    },
    "technology": {
        Rating.SIMPLE: "Off-the-shelf kit that staff and patients already know how to use.",
        Rating.COMPLICATED: "Needs integration with two GP clinical systems and a supplier's support desk.",
        Rating.COMPLEX: "The supplier's platform is still changing and does not yet talk to the acute trust's record.",
    },
    "value_proposition": {
        Rating.SIMPLE: "Commissioners and the supplier agree on the benefit and who pays for it.",
        Rating.COMPLICATED: "The benefit is clear but falls to the acute trust while the cost sits in primary care.",
        Rating.COMPLEX: "The evidence of benefit is still emerging and the business case depends on assumptions.",
    },
    "adopters": {
        Rating.SIMPLE: "Staff see it as part of their job; patients take it up when offered.",
        Rating.COMPLICATED: "Needs new roles and training for practice staff; some patients need help to take part.",
        Rating.COMPLEX: "Changes what clinicians do and who decides; uptake varies widely between practices.",
    },
    "organisations": {
        Rating.SIMPLE: "One organisation runs it, with a named lead and protected time.",
        Rating.COMPLICATED: "Three organisations share the work under an agreed protocol and data-sharing agreement.",
        Rating.COMPLEX: "Many organisations with different priorities; staff turnover keeps resetting the work.",
    },
    "wider_system": {
        Rating.SIMPLE: "National guidance supports it and no policy change is expected.",
        Rating.COMPLICATED: "Depends on the ICB's contract cycle and a national tariff still being set.",
        Rating.COMPLEX: "Funding after the pilot year is uncertain and national policy on the service is under review.",
    },
    "embedding": {
        Rating.SIMPLE: "Now routine work, written into the service specification.",
        Rating.COMPLICATED: "Running well, but depends on a few enthusiasts; plans to hand over to business as usual.",
        Rating.COMPLEX: "Still adapting the model month by month; unclear what will last after the funding ends.",
    },
}
assert set(REASONS) == {domain for domain, _ in DOMAINS}


def _fields(ratings: dict[str, str], prefix: str) -> dict[str, str]:
    fields = {}
    for domain, _ in DOMAINS:
        fields[domain] = ratings[domain]
        fields[reason_field(domain)] = f"{prefix}{REASONS[domain][ratings[domain]]}"
    return fields


def _moved(rating: str, rng: random.Random) -> str:
    position, draw = ORDER.index(Rating(rating)), rng.random()
    if draw < SIMPLER and position > 0:
        return ORDER[position - 1]
    if draw > 1 - MORE_COMPLEX and position < len(ORDER) - 1:
        return ORDER[position + 1]
    return rating


def check_plan(
    adoption, *, index: int, today: datetime.date, rng: random.Random, prefix: str = ""
) -> list[ComplexityCheck]:
    """Two synthetic checks of ``adoption`` (unsaved), the ``index``-th adoption planned."""
    if index % 11 == 5:
        days_ago = 200  # overdue
    elif index % 7 == 3:
        days_ago = 170  # due within the month
    else:
        days_ago = 20 + rng.randrange(120)
    second = max(today - datetime.timedelta(days=days_ago), adoption.started_on + datetime.timedelta(days=60))
    second = min(second, today)
    first = max(second - datetime.timedelta(days=182), adoption.started_on + datetime.timedelta(days=1))
    if first >= second:
        first = adoption.started_on
    if first >= second:
        return []  # started today: nothing to check yet
    weights = list(FIRST_WEIGHTS.values())
    before = {domain: rng.choices(list(FIRST_WEIGHTS), weights)[0] for domain, _ in DOMAINS}
    after = {domain: _moved(rating, rng) for domain, rating in before.items()}
    return [
        ComplexityCheck(
            adoption=adoption,
            checked_on=day,
            checked_by_id=adoption.lead_id,
            recorded_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
            is_synthetic=True,
            **_fields(ratings, prefix),
        )
        for day, ratings in ((first, before), (second, after))
    ]
