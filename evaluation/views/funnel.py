"""One metric's funnel plot across hubs: who stands out once chance and hub size are allowed for.

Any signed-in person may open it: it plots approved figures only, which every hub's staff
may read across hubs (DESIGN), and each hub's small counts are withheld from those who
may not see them (``evaluation.comparison``). The period is the latest 12 complete
months unless the form chooses another.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hubs.access import get_visible_or_404, roles_of

from ..comparison import (
    FUNNEL_MONTHS,
    MAX_FUNNEL_MONTHS,
    MIN_HUBS,
    NO_FUNNEL_BECAUSE,
    default_period,
    hub_funnel,
    hub_totals,
    period_words,
)
from ..forms import FunnelPeriodForm
from ..funnel_chart import describe, funnel_chart
from ..models import Metric

# Up to this many hubs, each point is labelled with the hub's name; beyond it, with its row's number.
NAMED_LABELS_UP_TO = 12
DENOMINATOR_WORDS = "the percentage's denominator, added up over the months"


@require_GET
def metric_funnel(request: HttpRequest, code: str) -> HttpResponse:
    metric = get_visible_or_404(Metric.objects, request.user, code=code)
    chosen = "first" in request.GET or "last" in request.GET
    form = FunnelPeriodForm(request.GET if chosen else None)
    first, last = default_period()
    if chosen and form.is_valid():
        first, last = form.cleaned_data["first"], form.cleaned_data["last"]
    context = {
        "metric": metric,
        "form": form,
        "first": first,
        "last": last,
        "period": period_words(first, last),
        "default_months": FUNNEL_MONTHS,
        "max_months": MAX_FUNNEL_MONTHS,
        "period_chosen": chosen and form.is_valid(),
        "reads_everything": roles_of(request.user).reads_everything,
        "min_hubs": MIN_HUBS,
    }
    if not metric.is_percentage:
        context["no_funnel_because"] = NO_FUNNEL_BECAUSE[metric.kind]
        return render(request, "evaluation/funnel.html", context)

    totals = hub_totals(request.user, metric=metric, first=first, last=last)
    context.update(awaiting=totals.awaiting, hub_count=len(totals.hubs))
    if len(totals.hubs) >= MIN_HUBS:
        funnel = hub_funnel(
            metric,
            totals,
            first=first,
            last=last,
            viewer=request.user,
            labels_are_names=len(totals.hubs) <= NAMED_LABELS_UP_TO,
        )
        context["funnel"] = funnel
        # Every hub at 0% (or at 100%) leaves nothing to compare; a withheld average hides the centre line.
        context["all_the_same"] = funnel.result.target in (0, 1)
        if funnel.target_shown and funnel.shown_rows and not context["all_the_same"]:
            context["chart"] = funnel_chart(funnel, denominator_words=DENOMINATOR_WORDS)
            context["chart_description"] = describe(funnel, denominator_words=DENOMINATOR_WORDS)
            context["chart_title"] = f"Funnel plot of {metric.name} across hubs, {context['period']}"
    return render(request, "evaluation/funnel.html", context)
