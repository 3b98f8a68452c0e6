"""Pages of a hub's spend: against its award, a quarter's lines and review, and all hubs side by side."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.forms import submit
from core.history import HistoryEntry, newest_first
from hubs.access import get_visible_or_404, global_readers_only, may_change, roles_of
from hubs.models import Hub

from .charts import burn_up_chart, burn_up_summary
from .forms import QuarterActionForm, QuarterOpenForm, QuarterReviewForm, SpendLineForm
from .models import SpendLine, SpendQuarter
from .services import (
    spend_line_add,
    spend_line_remove,
    spend_quarter_open,
    spend_quarter_review,
    spend_quarter_submit,
)
from .spend import FORECAST_METHOD, LAG_RULE, hub_spend, hub_spends


def hub_spend_page(request: HttpRequest, slug: str) -> HttpResponse:
    hub = get_visible_or_404(Hub.objects.select_related("programme"), request.user, slug=slug)
    summary = hub_spend(hub, as_of=timezone.localdate())
    roles = roles_of(request.user)
    return render(
        request,
        "value/hub_spend.html",
        {
            "hub": hub,
            "summary": summary,
            "chart": burn_up_chart(summary),
            "chart_summary": burn_up_summary(summary),
            "forecast_method": FORECAST_METHOD,
            "lag_rule": LAG_RULE,
            "enters_spend": hub.pk in roles.hub_ids,
        },
    )


def quarter_open(request: HttpRequest, slug: str) -> HttpResponse:
    hub = get_visible_or_404(Hub.objects.all(), request.user, slug=slug)
    if hub.pk not in roles_of(request.user).hub_ids:
        raise PermissionDenied("Only the hub's own staff can enter its spend.")
    form = QuarterOpenForm(request.POST or None)
    quarter = submit(form, lambda data: spend_quarter_open(hub=hub, start=data["start"], by=request.user))
    if quarter:
        messages.success(request, f"{quarter.label} is started: add its spend line by line.")
        return redirect("value:quarter", pk=quarter.pk)
    return render(request, "value/quarter_open.html", {"hub": hub, "form": form})


def _quarter_history(quarter: SpendQuarter) -> list[HistoryEntry]:
    return newest_first(
        HistoryEntry(record.history_date, record.history_user, what=record.history_change_reason or "Changed")
        for record in quarter.history.select_related("history_user")
    )


def quarter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quarter = get_visible_or_404(SpendQuarter.objects.select_related("hub"), request.user, pk=pk)
    return _quarter_page(request, quarter, line_form=None, review_form=None)


def _quarter_page(request, quarter, *, line_form, review_form, status=200) -> HttpResponse:
    roles = roles_of(request.user)
    can_change = may_change(SpendQuarter.objects, request.user, quarter)
    lines = quarter.lines.select_related("adoption__innovation")
    spend = sum((line.amount for line in lines if not line.in_kind), start=0)
    in_kind = sum((line.amount for line in lines if line.in_kind), start=0)
    context = {
        "quarter": quarter,
        "hub": quarter.hub,
        "lines": lines,
        "spend": spend,
        "in_kind": in_kind,
        "can_change": can_change,
        "can_submit": can_change and roles.leads(quarter.hub_id),
        "can_review": roles.reviews_figures and quarter.status == SpendQuarter.Status.SUBMITTED,
        "line_form": line_form or (SpendLineForm(quarter=quarter) if can_change else None),
        "review_form": review_form or QuarterReviewForm(initial={"version": quarter.version}),
        "history": _quarter_history(quarter),
    }
    return render(request, "value/quarter_detail.html", context, status=status)


@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    quarter = get_visible_or_404(SpendQuarter.objects.select_related("hub"), request.user, pk=pk)
    if not may_change(SpendQuarter.objects, request.user, quarter):
        raise PermissionDenied("You can read this quarter's spend but not change it.")
    form = SpendLineForm(request.POST, quarter=quarter)

    def save(data):
        version = data.pop("version")
        return spend_line_add(quarter=quarter, version=version, by=request.user, **data)

    if submit(form, save):
        messages.success(request, "The line is added.")
        return redirect("value:quarter", pk=quarter.pk)
    return _quarter_page(request, quarter, line_form=form, review_form=None, status=400)


def _quarter_action(request, quarter, action, *, done: str, failed: str) -> HttpResponse:
    """Run ``action(version)`` from a one-button form, and say on the quarter's page how it went."""
    form = QuarterActionForm(request.POST)
    if submit(form, lambda data: action(data["version"])):
        messages.success(request, done)
    else:
        messages.error(request, " ".join(form.non_field_errors()) or failed)
    return redirect("value:quarter", pk=quarter.pk)


@require_POST
def line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    quarter = get_visible_or_404(SpendQuarter.objects.select_related("hub"), request.user, pk=pk)
    line = get_object_or_404(SpendLine.objects.filter(quarter=quarter), pk=line_pk)
    if not may_change(SpendQuarter.objects, request.user, quarter):
        raise PermissionDenied("You can read this quarter's spend but not change it.")
    return _quarter_action(
        request,
        quarter,
        lambda version: spend_line_remove(line=line, version=version, by=request.user),
        done="The line is removed.",
        failed="The line was not removed.",
    )


@require_POST
def quarter_submit(request: HttpRequest, pk: int) -> HttpResponse:
    quarter = get_visible_or_404(SpendQuarter.objects.select_related("hub"), request.user, pk=pk)
    return _quarter_action(
        request,
        quarter,
        lambda version: spend_quarter_submit(quarter=quarter, version=version, by=request.user),
        done=f"{quarter.label} is submitted: evaluators will review it.",
        failed="The quarter was not submitted.",
    )


@require_POST
def quarter_review(request: HttpRequest, pk: int) -> HttpResponse:
    quarter = get_visible_or_404(SpendQuarter.objects.select_related("hub"), request.user, pk=pk)
    form = QuarterReviewForm(request.POST)

    def save(data):
        return spend_quarter_review(
            quarter=quarter,
            version=data["version"],
            by=request.user,
            approve=data["decision"] == "approve",
            note=data["note"],
        )

    reviewed = submit(form, save)
    if reviewed:
        messages.success(request, f"{quarter.label} is {reviewed.get_status_display().lower()}.")
        return redirect("value:quarter", pk=quarter.pk)
    quarter.refresh_from_db()
    return _quarter_page(request, quarter, line_form=None, review_form=form, status=400)


@global_readers_only
def overview(request: HttpRequest) -> HttpResponse:
    hubs = Hub.objects.select_related("programme").order_by("name")
    summaries = hub_spends(hubs, as_of=timezone.localdate())
    return render(
        request,
        "value/overview.html",
        {"summaries": summaries, "forecast_method": FORECAST_METHOD, "lag_rule": LAG_RULE},
    )


def hub_spend_url(hub) -> str:
    return reverse("value:hub_spend", args=[hub.slug])
