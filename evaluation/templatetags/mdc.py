"""Making Data Count icons in templates: each drawn from ``evaluation.mdc``, words and all.

    {% load mdc %}
    {% mdc_reading reading %}        both icons of a reading (evaluation.mdc.Reading), or "Too few figures (n of m)"
    {% variation_of reading %}       its variation icon alone, or "Too few figures (n of m)"
    {% assurance_of reading %}       its assurance icon alone, likewise
    {% reading_icon item.value %}    a variation stored with its direction (a report's reading)
    {% assurance_icon item.value %}  a stored assurance

No tag takes a variation without its direction: a chart's variation is shown through the
``Reading`` that ``mdc.read`` gives, which also applies the programme's minimum for limits.
"""

from django import template

from .. import mdc

register = template.Library()


@register.inclusion_tag("evaluation/icons/_reading.html")
def mdc_reading(reading: mdc.Reading) -> dict:
    return {"reading": reading, "variation": variation_of(reading), "assurance": assurance_of(reading)}


@register.inclusion_tag("evaluation/icons/_icon.html")
def variation_of(reading: mdc.Reading) -> dict:
    if reading.too_few:
        return {"icon": None, "none": reading.too_few_label}
    return reading_icon(reading.variation)


@register.inclusion_tag("evaluation/icons/_icon.html")
def assurance_of(reading: mdc.Reading) -> dict:
    if reading.too_few:
        return {"icon": None, "none": reading.too_few_label}
    return assurance_icon(reading.assurance)


@register.inclusion_tag("evaluation/icons/_icon.html")
def reading_icon(reading: str | None) -> dict:
    return {"icon": mdc.variation_icon(reading), "none": mdc.variation_label(reading)}


@register.inclusion_tag("evaluation/icons/_icon.html")
def assurance_icon(assurance: str | None) -> dict:
    return {"icon": mdc.assurance_icon(assurance), "none": mdc.assurance_label(assurance)}
