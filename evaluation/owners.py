"""Who answers for an indicator's figures: its owner, else its hub's lead.

One rule in one place: the reporting calendar, the reminders, the to-do lists and the
notifications of returned figures all ask here.
"""

from __future__ import annotations

from collections.abc import Iterable

from hubs.models import Membership

from .models import Indicator


def hub_leads(hub_ids: Iterable[int]) -> dict[int, object]:
    """Each hub's lead (the first by username where a hub has two), active people only."""
    leads: dict[int, object] = {}
    memberships = (
        Membership.objects.leads()
        .filter(hub__in=set(hub_ids), user__is_active=True)
        .select_related("user")
        .order_by("hub", "user__username")
    )
    for membership in memberships:
        leads.setdefault(membership.hub_id, membership.user)
    return leads


def owners_of(indicators: Iterable[Indicator]) -> dict[int, object]:
    """Indicator id → the person who answers for its figures: its owner while active, else its hub's lead.

    Give indicators loaded with ``select_related("owner", "adoption")``; two queries in all.
    An indicator whose hub has no lead and no active owner is left out.
    """
    indicators = list(indicators)
    leads = hub_leads(indicator.adoption.hub_id for indicator in indicators)
    owners = {}
    for indicator in indicators:
        owner = indicator.owner if indicator.owner_id and indicator.owner.is_active else None
        owner = owner or leads.get(indicator.adoption.hub_id)
        if owner is not None:
            owners[indicator.pk] = owner
    return owners


def owner_of(indicator: Indicator):
    """The person who answers for one indicator's figures, or None (no owner and no lead)."""
    return owners_of([indicator]).get(indicator.pk)


def answerable_for(user, indicator: Indicator) -> bool:
    """Whether ``user`` is the one who answers for this indicator's figures."""
    owner = owner_of(indicator)
    return owner is not None and owner.pk == user.pk
