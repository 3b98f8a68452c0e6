"""Evaluators review submitted figures (reporting status: ``views.reporting``).

The queue lists hub-months with figures awaiting review (each reviewed at once on
``hub_month.review_hub_month``), then the indicator-months (one aggregate query per
page) and the requests to reopen approved months; the review page of one
indicator-month approves or returns its figures, all at once or one by one, through
``measurements_review``.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Min
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse

from core.months import parse_month
from core.numbers import counted, figure_text
from hubs.access import evaluators_only, get_visible_or_404
from hubs.models import Hub

from ..breakdowns import in_group_order
from ..flags import flags_for
from ..forms import ReturnForm
from ..hub_months import hub_months_awaiting_review
from ..measurements import measurements_review, month_rows
from ..models import Indicator, Measurement
from ..reopening import pending_requests

PAGE_SIZE = 50
PREVIOUS_MONTHS_SHOWN = 12


def month_from_url(text: str) -> datetime.date:
    """The first day of a month written YYYY-MM; 404 for anything else."""
    period = parse_month(text)
    if period is None:
        raise Http404("Give the month as YYYY-MM.")
    return period


def review_url(indicator_id: int, period: datetime.date) -> str:
    return reverse("evaluation:review_month", args=[indicator_id, f"{period:%Y-%m}"])


# The review queue -------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    hub = forms.ModelChoiceField(queryset=Hub.objects.none(), required=False, empty_label="All hubs")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = Hub.objects.order_by("name")

    @property
    def chosen_hub(self) -> Hub | None:
        return self.cleaned_data.get("hub") if self.is_valid() else None


def months_awaiting_review(hub: Hub | None = None):
    """One row per indicator-month with figures awaiting review, oldest month first.

    Grouped in the database (indicator, month), so a page of the queue costs one
    query however many figures wait.
    """
    awaiting = Measurement.objects.filter(status=Measurement.Status.SUBMITTED)
    if hub is not None:
        awaiting = awaiting.filter(indicator__adoption__hub=hub)
    return (
        awaiting.values(
            "indicator",
            "period",
            hub_name=F("indicator__adoption__hub__name"),
            innovation=F("indicator__adoption__innovation__name"),
            metric=F("indicator__metric__name"),
        )
        .annotate(awaiting=Count("pk"), first_submitted=Min("submitted_at"))
        .order_by("period", "first_submitted", "indicator")
    )


def with_totals(rows: list[dict]) -> list[dict]:
    """The rows of a queue page, each with its month's total figure (whatever its status) and link.

    One query for the whole page: the totals of these indicators in these months.
    """
    if not rows:
        return []
    totals = {
        (indicator_id, period): figure_text(value, numerator, denominator)
        for indicator_id, period, value, numerator, denominator in Measurement.objects.filter(
            group__isnull=True,
            indicator__in={row["indicator"] for row in rows},
            period__in={row["period"] for row in rows},
        )
        .order_by()
        .values_list("indicator", "period", "value", "numerator", "denominator")
    }
    return [
        {
            **row,
            "total": totals.get((row["indicator"], row["period"]), "No total"),
            "url": review_url(row["indicator"], row["period"]),
            "indicator_url": reverse("evaluation:indicator", args=[row["indicator"]]),
        }
        for row in rows
    ]


@evaluators_only
def review_queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    page = Paginator(months_awaiting_review(form.chosen_hub), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_totals(list(page.object_list))
    hub = form.chosen_hub
    return render(
        request,
        "evaluation/review_queue.html",
        {
            "form": form,
            "page": page,
            "hub_months": hub_months_awaiting_review([hub.pk] if hub else None),
            "reopen_requests": pending_requests().filter(indicator__adoption__hub=hub)
            if hub
            else pending_requests(),
        },
    )


# One indicator-month ----------------------------------------------------------------------------


def _chosen_figure(request: HttpRequest, rows) -> Measurement | None:
    """The one figure an action is about (``measurement`` in the request), or None for the whole month."""
    chosen = request.POST.get("measurement") if request.method == "POST" else request.GET.get("measurement")
    if not chosen:
        return None
    if not chosen.isdigit():
        raise Http404("No such figure in this month.")
    figure = next((row for row in rows if row.pk == int(chosen)), None)
    if figure is None:
        raise Http404("No such figure in this month.")
    return figure


@evaluators_only
def review_month(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    """Approve or return an indicator-month's figures: all at once, or one by one."""
    period = month_from_url(month)
    indicator = get_visible_or_404(
        Indicator.objects.select_related("metric", "adoption__hub", "adoption__innovation"),
        request.user,
        pk=pk,
    )
    in_month = month_rows(indicator, period)
    rows = in_group_order(in_month.select_related("submitted_by", "reviewed_by", "group__dimension"))
    if not rows:
        raise Http404("This indicator has no figures for that month.")
    chosen = _chosen_figure(request, rows)
    scope = in_month.filter(pk=chosen.pk) if chosen else in_month
    what = f"the figure for {chosen.group_label}" if chosen else "this month’s figures"
    form = ReturnForm()

    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("approve", "return"):
            return HttpResponseBadRequest("Choose to approve or to return.")
        if action == "return":
            form = ReturnForm(request.POST)
        if action == "approve" or form.is_valid():
            note = form.cleaned_data["note"] if action == "return" else ""
            try:
                reviewed = measurements_review(
                    measurements=scope, by=request.user, approve=action == "approve", note=note
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                _say_what_was_done(request, action, len(reviewed), indicator, period)
                return redirect(review_url(indicator.pk, period))

    previous = (
        Measurement.objects.approved()
        .filter(indicator=indicator, group__isnull=True, period__lt=period)
        .order_by("-period")[:PREVIOUS_MONTHS_SHOWN]
    )
    return render(
        request,
        "evaluation/review_month.html",
        {
            "indicator": indicator,
            "period": period,
            "rows": rows,
            "awaiting": sum(row.status == Measurement.Status.SUBMITTED for row in rows),
            "chosen": chosen if chosen and chosen.status == Measurement.Status.SUBMITTED else None,
            "what": what,
            "previous": previous,
            "form": form,
            "flags": flags_for([indicator.pk], [period], user=request.user)[indicator.pk, period],
        },
    )


def _say_what_was_done(request, action: str, count: int, indicator: Indicator, period: datetime.date) -> None:
    when = f"{period:%B %Y}"
    if count == 0:
        messages.warning(request, f"Nothing changed: no figure for {when} was awaiting review.")
    elif action == "approve":
        messages.success(request, f"{counted(count, 'figure')} approved for {when}.")
    else:
        hub = indicator.adoption.hub.name
        messages.success(request, f"{counted(count, 'figure')} returned to {hub} for {when}, with your note.")
