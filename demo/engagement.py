"""Synthetic engagement logs for the demo and the scale data: an event, workshop or training session every month
or so from each hub's start, with partners taking part, and a couple planned ahead. Marked synthetic in their notes.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from hubs.models import EngagementEvent, Hub, Organisation

SYNTHETIC_NOTE = "Synthetic: made up for the demo and load tests, not a real event."
SYNTHETIC_REASON = "Synthetic engagement event (demo data)"

TITLES = {
    EngagementEvent.Kind.EVENT: (
        "Community health check day with {group}",
        "Stakeholder launch of the hub's priorities",
        "Listening event with {group}",
        "Partners' quarterly learning event",
    ),
    EngagementEvent.Kind.WORKSHOP: (
        "Co-design workshop with {group}",
        "Pathway mapping workshop with primary care",
        "Data and inequalities workshop for practice managers",
        "Adoption planning workshop with partners",
    ),
    EngagementEvent.Kind.TRAINING: (
        "Blood pressure monitoring training for health and wellbeing coaches",
        "Quality improvement (PDSA) training for the project team",
        "Health inequalities awareness training for front-line staff",
        "Digital tools training for care navigators",
    ),
}
KINDS = list(TITLES)


def event_plan(
    hub: Hub,
    organisations: list[Organisation],
    *,
    today: datetime.date,
    now: datetime.datetime,
    rng: random.Random,
) -> list[tuple[EngagementEvent, list[Organisation]]]:
    """About one event a month from ``hub``'s start, two planned ahead; people counted only for held ones."""
    groups = hub.plus_group_list or ["local communities"]
    plans = []
    day = hub.start_date + datetime.timedelta(days=rng.randint(14, 40))
    planned_ahead = 0
    while planned_ahead < 2 and day <= hub.end_date:
        kind = KINDS[len(plans) % len(KINDS)]
        held = day <= today
        reached = rng.randint(12, 90) if held else None
        share_trained = {"event": 0.0, "workshop": rng.uniform(0, 0.3), "training": rng.uniform(0.6, 1.0)}[
            kind
        ]
        event = EngagementEvent(
            hub=hub,
            date=day,
            kind=kind,
            title=rng.choice(TITLES[kind]).format(group=rng.choice(groups).lower()),
            people_reached=reached,
            people_trained=round(reached * share_trained) if held else None,
            notes=SYNTHETIC_NOTE,
        )
        # Logged the day after it was held (or a month before, when planned), never after now.
        logged = day + datetime.timedelta(days=1) if held else day - datetime.timedelta(days=30)
        event._history_date = min(
            now, timezone.make_aware(datetime.datetime.combine(logged, datetime.time(17)))
        )
        taking_part = rng.sample(organisations, k=min(len(organisations), rng.randint(1, 3)))
        plans.append((event, taking_part))
        planned_ahead += not held
        day += datetime.timedelta(days=rng.randint(21, 45))
    return plans


def write_events(plans: list[tuple[EngagementEvent, list[Organisation]]], *, batch_size: int = 2000) -> int:
    """Save the planned events with a history record each (dated when logged) and who took part."""
    events = bulk_create_with_history(
        [event for event, _ in plans],
        EngagementEvent,
        batch_size=batch_size,
        default_change_reason=SYNTHETIC_REASON,
    )
    Through = EngagementEvent.organisations.through
    Through.objects.bulk_create(
        [
            Through(engagementevent_id=event.pk, organisation_id=organisation.pk)
            for event, (_, organisations) in zip(events, plans, strict=True)
            for organisation in organisations
        ],
        batch_size=batch_size,
    )
    return len(events)
