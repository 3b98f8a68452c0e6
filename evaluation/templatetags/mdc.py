"""Making Data Count icons in templates: each drawn from ``evaluation.mdc``, words and all.

    {% load mdc %}
    {% variation_icon s.variation s.indicator.metric.improvement %}   a chart's variation
    {% reading_icon item.value %}                                     a stored reading (reports)
    {% assurance_icon s.assurance %}

``variation_icon`` has no default direction: left out, the template does not compile.
"""

from django import template

from .. import mdc

register = template.Library()


@register.inclusion_tag("evaluation/icons/_icon.html")
def variation_icon(variation, improvement) -> dict:
    return reading_icon(mdc.variation_reading(variation, improvement))


@register.inclusion_tag("evaluation/icons/_icon.html")
def reading_icon(reading) -> dict:
    return {"icon": mdc.variation_icon(reading), "none": mdc.variation_label(reading)}


@register.inclusion_tag("evaluation/icons/_icon.html")
def assurance_icon(assurance) -> dict:
    return {"icon": mdc.assurance_icon(assurance), "none": mdc.assurance_label(assurance)}
