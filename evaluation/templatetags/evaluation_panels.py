"""Panels evaluation draws on pages of the apps below it, so they never read its records themselves.

The adoption page (innovations) loads these and names the adoption; each panel
fetches what it shows through the scoped querysets, as the signed-in user.
"""

from django import template

from ..models import Indicator

register = template.Library()


@register.inclusion_tag("evaluation/_adoption_indicators_panel.html", takes_context=True)
def adoption_indicators_panel(context, adoption, can_change: bool = False) -> dict:
    """The adoption's indicators, each linked to its chart; for its hub's staff (``can_change``), entry links."""
    indicators = (
        Indicator.objects.for_user(context["request"].user)
        .filter(adoption=adoption)
        .select_related("metric")
        .order_by("metric__dimension", "metric__name")
    )
    return {"adoption": adoption, "indicators": indicators, "can_change": can_change}
