"""Asking to reopen an approved month (hub staff), and deciding (evaluators).

Hub staff ask from the indicator page or the figures grid, for their own hubs' indicators
only (another hub's is a 404); evaluators decide from the review queue (anyone else: 403).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.concurrency import VersionField
from core.forms import submit
from hubs.access import evaluators_only

from ..breakdowns import in_group_order
from ..measurements import figure_text_of, month_rows
from ..models import Indicator, Measurement, ReopenRequest
from ..reopening import NOTE_MAX, REASON_MAX, reopen_request
from ..reopening import reopen_decide as decide
from .review import month_from_url

REOPEN, DECLINE = "reopen", "decline"


def month_figures(indicator: Indicator, period) -> list[tuple[Measurement, str]]:
    """The month's figures, the total for all people first, each with its text."""
    rows = in_group_order(month_rows(indicator, period).select_related("group__dimension"))
    return [(row, figure_text_of(row)) for row in rows]


class ReopenAskForm(forms.Form):
    reason = forms.CharField(
        label="Why should these approved figures be reopened?",
        help_text="Say what is wrong with them and what you will correct. The evaluators see this.",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say why the approved figures should be reopened.",
            "max_length": f"Keep the reason to {REASON_MAX:,} characters or fewer.",
        },
    )


class ReopenDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (REOPEN, "Reopen: return the figures to the hub to correct"),
            (DECLINE, "Decline: keep them approved"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to reopen or to decline."},
    )
    note = forms.CharField(
        label="Note to the hub",
        help_text="Needed to decline. When you reopen, the hub's reason is used if you leave it blank.",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"Keep the note to {NOTE_MAX:,} characters or fewer."},
    )
    version = VersionField()


@require_http_methods(["GET", "POST"])
def reopen_ask(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    """Ask to reopen an approved month of one of the user's own hubs' indicators."""
    period = month_from_url(month)
    indicator = get_object_or_404(
        Indicator.objects.changeable_by(request.user).select_related(
            "metric", "adoption__hub", "adoption__innovation"
        ),
        pk=pk,
    )
    rows = month_figures(indicator, period)
    if not any(row.status == Measurement.Status.APPROVED for row, _ in rows):
        raise Http404("This month has no approved figures to reopen.")
    pending = (
        ReopenRequest.objects.filter(indicator=indicator, period=period, status=ReopenRequest.Status.PENDING)
        .select_related("requested_by")
        .first()
    )
    form = ReopenAskForm(request.POST if request.method == "POST" else None)
    if submit(
        form,
        lambda data: reopen_request(
            indicator=indicator, period=period, reason=data["reason"], by=request.user
        ),
    ):
        messages.success(request, f"Your request to reopen {period:%B %Y} is sent to the evaluators.")
        return redirect(indicator)
    return render(
        request,
        "evaluation/reopen_ask.html",
        {
            "indicator": indicator,
            "period": period,
            "rows": rows,
            "pending": pending,
            "form": form,
        },
    )


@evaluators_only
@require_http_methods(["GET", "POST"])
def reopen_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen or decline a request: the page shows the request, the month's figures, and the form."""
    reopen = get_object_or_404(
        ReopenRequest.objects.select_related(
            "requested_by",
            "decided_by",
            "indicator__metric",
            "indicator__adoption__hub",
            "indicator__adoption__innovation",
        ),
        pk=pk,
    )
    data = request.POST if request.method == "POST" else None
    form = ReopenDecideForm(data, initial={"version": reopen.version})
    decided = submit(
        form,
        lambda data: decide(
            request=reopen,
            by=request.user,
            reopen=data["decision"] == REOPEN,
            note=data["note"],
            version=data["version"],
        ),
    )
    if decided:
        what = f"{reopen.indicator.metric.name}, {reopen.period:%B %Y}"
        if decided.status == ReopenRequest.Status.REOPENED:
            messages.success(request, f"Reopened {what}: the figures are back with the hub.")
        else:
            messages.success(request, f"Declined to reopen {what}: the figures stay approved.")
        return redirect("evaluation:review_queue")
    return render(
        request,
        "evaluation/reopen_decide.html",
        {
            "reopen": reopen,
            "rows": month_figures(reopen.indicator, reopen.period),
            "form": form,
            "history": reopen.history.select_related("history_user").order_by("history_date"),
        },
    )
