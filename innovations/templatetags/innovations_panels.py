"""Panels innovations draws on the hub pages, so hubs never reads adoptions itself.

The hub directory and a hub's page (hubs) load these and name the hub; each
panel fetches what it shows through the scoped querysets, as the signed-in user.
"""

from django import template
from django.db.models import Count

from ..models import Adoption

register = template.Library()


@register.inclusion_tag("innovations/_hub_adoptions_panel.html", takes_context=True)
def hub_adoptions_panel(context, hub) -> dict:
    """The hub's current adoptions: innovation, stage, since when, and lead."""
    adoptions = (
        Adoption.objects.for_user(context["request"].user)
        .current()
        .filter(hub=hub)
        .select_related("innovation", "lead")
        .order_by("innovation__name")
    )
    return {"adoptions": adoptions}


@register.simple_tag(takes_context=True)
def current_adoption_count(context, hub) -> int:
    """How many current adoptions ``hub`` has.

    The first call in a page counts every hub's in one grouped query and keeps the
    counts for the rest of the page, so a list of hubs costs one query, not one per hub.
    """
    counts = context.render_context.get(current_adoption_count)
    if counts is None:
        counts = dict(
            Adoption.objects.for_user(context["request"].user)
            .current()
            .order_by()
            .values_list("hub")
            .annotate(n=Count("pk"))
        )
        context.render_context[current_adoption_count] = counts
    return counts.get(hub.pk, 0)
