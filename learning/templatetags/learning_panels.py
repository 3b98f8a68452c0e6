"""Panels learning draws on pages of the apps below it, so they never read its records themselves.

The adoption page (innovations) loads these and names the adoption; each panel
fetches what it shows through the scoped querysets, as the signed-in user.
"""

from django import template

from ..models import LearningNote

register = template.Library()


@register.inclusion_tag("learning/_adoption_notes_panel.html", takes_context=True)
def adoption_notes_panel(context, adoption, can_change: bool = False) -> dict:
    """The adoption's current barriers, enablers, lessons and adaptations; for its hub's staff, a link to add one."""
    notes = (
        LearningNote.objects.for_user(context["request"].user)
        .filter(adoption=adoption)
        .current()
        .select_related("author")
    )
    return {"adoption": adoption, "notes": notes, "can_change": can_change}
