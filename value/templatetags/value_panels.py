"""Panels value draws on the pages of apps below it (adoptions, hubs), so they never read its records."""

from django import template

from ..benefits import amount_text, per_pound_text, returns_of, spend_to_date, totals_by_kind, with_realised
from ..models import Benefit
from ..returns import CAVEATS

register = template.Library()


@register.filter
def benefit_amount(value, unit: str) -> str:
    return amount_text(value, unit)


@register.filter
def per_pound(value) -> str:
    return per_pound_text(value)


@register.inclusion_tag("value/benefits/_adoption_panel.html", takes_context=True)
def adoption_benefits_panel(context, adoption, can_change: bool = False) -> dict:
    """The adoption's current benefits, expected and realised to date; for its hub's staff, an add link."""
    benefits = list(
        with_realised(Benefit.objects.for_user(context["request"].user).current().filter(adoption=adoption))
    )
    return {"adoption": adoption, "benefits": benefits, "can_change": can_change and not adoption.archived}


@register.inclusion_tag("value/benefits/_hub_panel.html", takes_context=True)
def hub_benefits_panel(context, hub) -> dict:
    """The hub's benefits expected vs realised, by kind, with the return in pounds."""
    benefits = with_realised(
        Benefit.objects.for_user(context["request"].user).current().filter(adoption__hub=hub)
    )
    totals = totals_by_kind(benefits)
    spend = spend_to_date(hub=hub)
    return {
        "hub": hub,
        "totals": totals,
        "returns": returns_of(totals, spend),
        "spend": spend,
        "caveats": CAVEATS,
    }
