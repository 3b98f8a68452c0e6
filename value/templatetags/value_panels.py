"""Panels value draws on the pages of apps below it (adoptions, hubs), so they never read its records."""

from django import template

from hubs.access import sees_raw_figures

from ..benefits import (
    amount_text,
    amount_text_disclosed,
    per_pound_text,
    returns_of,
    spend_to_date,
    totals_by_kind,
    with_realised,
)
from ..models import Benefit
from ..returns import CAVEATS

register = template.Library()


@register.simple_tag(takes_context=True)
def benefit_amount(context, value, unit: str, hub_id) -> str:
    """An amount as this viewer may read it: a count of 1 to 7 people reads "<8" but to the hub's staff and evaluators."""
    if value is None or sees_raw_figures(context["request"].user, hub_id):
        return amount_text(value, unit)
    return amount_text_disclosed(value, unit)


@register.filter
def per_pound(value) -> str:
    return per_pound_text(value)


@register.inclusion_tag("value/benefits/_adoption_panel.html", takes_context=True)
def adoption_benefits_panel(context, adoption, can_change: bool = False) -> dict:
    """The adoption's current benefits, expected and realised to date; for its hub's staff, an add link."""
    benefits = list(
        with_realised(Benefit.objects.for_user(context["request"].user).current().filter(adoption=adoption))
    )
    return {
        "request": context["request"],  # for each amount: whether the viewer reads it raw
        "adoption": adoption,
        "benefits": benefits,
        "can_change": can_change and not adoption.archived,
    }


@register.inclusion_tag("value/benefits/_hub_panel.html", takes_context=True)
def hub_benefits_panel(context, hub) -> dict:
    """The hub's benefits expected vs realised, by kind, with the return in pounds."""
    benefits = with_realised(
        Benefit.objects.for_user(context["request"].user).current().filter(adoption__hub=hub)
    )
    totals = totals_by_kind(benefits)
    spend = spend_to_date(hub=hub)
    return {
        "request": context["request"],  # for each amount: whether the viewer reads it raw
        "hub": hub,
        "totals": totals,
        "returns": returns_of(totals, spend),
        "spend": spend,
        "caveats": CAVEATS,
        "totals_hub_id": hub.pk,
    }
