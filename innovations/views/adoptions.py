"""Adoptions: start, read, edit, move through the stages, archive and restore, and the list across hubs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from core.forms import submit
from core.history import HistoryEntry, field_changes
from hubs.access import get_changeable_or_403, get_visible_or_404, hub_staff_only, may_change, roles_of

from ..complexity import due_state, history_rows, needs_checks, next_check_due
from ..forms import (
    AdoptionArchiveForm,
    AdoptionEditForm,
    AdoptionFilterForm,
    AdoptionStartForm,
    ComplexityCheckForm,
    StageMoveForm,
)
from ..models import Adoption, ComplexityCheck, Innovation
from ..services import (
    adoption_archive,
    adoption_move,
    adoption_restore,
    adoption_start,
    adoption_update,
    complexity_check_add,
)

PAGE_SIZE = 50


def adoption_list(request: HttpRequest) -> HttpResponse:
    """Every hub's adoptions (hub staff learn from each other), filtered; the user's hubs first by default."""
    form = AdoptionFilterForm(request.GET or None, user=request.user)
    adoptions = form.filter(
        Adoption.objects.for_user(request.user)
        .select_related("hub", "innovation", "lead")
        .prefetch_related(ComplexityCheck.objects.latest_prefetch())
        .order_by("innovation__name", "hub__name", "pk")
    )
    page = Paginator(adoptions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "innovations/adoption_list.html",
        {
            "form": form,
            "page": page,
            "can_start": roles_of(request.user).is_hub_staff,
        },
    )


@hub_staff_only
def adoption_start_view(request: HttpRequest) -> HttpResponse:
    """Hub staff start an adoption for one of their hubs, at "Identified"."""
    initial = {}
    if slug := request.GET.get("innovation"):
        initial["innovation"] = (
            Innovation.objects.approved().filter(slug=slug).values_list("pk", flat=True).first()
        )
    form = AdoptionStartForm(request.POST or None, user=request.user, initial=initial)

    def start(data):
        try:
            return adoption_start(
                hub=data["hub"],
                innovation=data["innovation"],
                started_on=data["started_on"],
                aims=data["aims"],
                target_population=data["target_population"],
                by=request.user,
            )
        except ValidationError:
            existing = Adoption.objects.filter(hub=data["hub"], innovation=data["innovation"]).first()
            if existing is None:
                raise
            # The duplicate matters more than any other refusal: point to the adoption there is.
            raise ValidationError(
                {
                    "innovation": format_html(
                        '{} already adopts {}: <a href="{}">open the existing adoption</a>.',
                        existing.hub.name,
                        existing.innovation.name,
                        existing.get_absolute_url(),
                    )
                }
            ) from None

    if started := submit(form, start):
        messages.success(request, "The adoption is started, at “Identified”.")
        return redirect(started)
    return render(request, "innovations/adoption_start.html", {"form": form})


def adoption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_visible_or_404(
        Adoption.objects.select_related("hub", "innovation", "lead").prefetch_related("clinical_areas"),
        request.user,
        pk=pk,
    )
    transitions = adoption.transitions.select_related("moved_by").order_by("-date", "-recorded_at")
    can_change = may_change(Adoption.objects, request.user, adoption)
    return render(
        request,
        "innovations/adoption_detail.html",
        {
            "adoption": adoption,
            "transitions": transitions,
            "can_change": can_change,
            "history": adoption_history(adoption),
            "complexity": complexity_context(adoption, request.user),
        },
    )


def complexity_context(adoption: Adoption, user) -> dict:
    """The adoption's complexity checks: the latest in full, how the ratings moved, and the next due."""
    checks = list(
        ComplexityCheck.objects.for_user(user).filter(adoption=adoption).select_related("checked_by")
    )
    latest = checks[-1] if checks else None
    due_on = next_check_due(adoption.started_on, latest.checked_on if latest else None)
    return {
        "checks": checks,
        "latest": latest,
        "rows": history_rows(checks),
        "needs_checks": needs_checks(adoption),
        "due_on": due_on,
        "due": due_state(due_on, timezone.localdate()),
    }


def complexity_check_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The hub's own staff rate the adoption's seven NASSS domains, each with a reason."""
    adoption = get_changeable_or_403(
        Adoption.objects.select_related("hub", "innovation"), request.user, pk=pk
    )
    form = ComplexityCheckForm(request.POST or None)
    if submit(form, lambda data: complexity_check_add(adoption=adoption, by=request.user, **data)):
        messages.success(request, "The complexity check is saved.")
        return redirect(f"{adoption.get_absolute_url()}#complexity-heading")
    return render(request, "innovations/complexity_check_add.html", {"adoption": adoption, "form": form})


def adoption_edit(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_changeable_or_403(
        Adoption.objects.select_related("hub", "innovation"), request.user, pk=pk
    )
    form = AdoptionEditForm(request.POST or None, instance=adoption)
    if submit(form, lambda data: adoption_update(adoption=adoption, by=request.user, **data)):
        messages.success(request, "The adoption is saved.")
        return redirect(adoption)
    return render(request, "innovations/adoption_edit.html", {"adoption": adoption, "form": form})


def adoption_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_changeable_or_403(
        Adoption.objects.select_related("hub", "innovation"), request.user, pk=pk
    )
    form = StageMoveForm(request.POST or None, adoption=adoption)

    def move(data):
        return adoption_move(
            adoption=adoption,
            to_stage=data["to_stage"],
            on=data["date"],
            reason=data["reason"],
            by=request.user,
            version=data["version"],
        )

    if submit(form, move):
        messages.success(request, f"Moved to “{adoption.get_stage_display()}”.")
        return redirect(adoption)
    return render(request, "innovations/adoption_move.html", {"adoption": adoption, "form": form})


def adoption_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_changeable_or_403(
        Adoption.objects.select_related("hub", "innovation"), request.user, pk=pk
    )
    if adoption.archived:
        messages.info(request, "This adoption is already archived.")
        return redirect(adoption)
    form = AdoptionArchiveForm(request.POST or None)
    if submit(form, lambda data: adoption_archive(adoption=adoption, reason=data["reason"], by=request.user)):
        messages.success(request, "The adoption is archived: lists no longer show it unless asked to.")
        return redirect(adoption)
    return render(request, "innovations/adoption_archive.html", {"adoption": adoption, "form": form})


@require_POST
def adoption_restore_view(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_changeable_or_403(Adoption.objects.all(), request.user, pk=pk)
    if adoption.archived:
        adoption_restore(adoption=adoption, by=request.user)
        messages.success(request, "The adoption is restored.")
    return redirect(adoption)


# History --------------------------------------------------------------------------------------


def adoption_history(adoption: Adoption) -> list[HistoryEntry]:
    """Who changed what and when, newest first, from the adoption's history records.

    Field by field with ``core.history.field_changes``; the clinical areas (a
    many-to-many field, which ``diff_against`` would read with two queries per
    record) are compared from one prefetch. The page runs the same queries however
    long the history. The reason a service stamped ("Edited", "Moved to Paused", a
    merge and why) says what happened.
    """
    area_rows = Adoption.history.model._meta.get_field("historicaladoption_clinical_areas")
    records = list(
        adoption.history.select_related("history_user")
        .prefetch_related(
            Prefetch(
                area_rows.get_accessor_name(),
                queryset=area_rows.related_model.objects.select_related("clinicalarea").order_by(
                    "clinicalarea_id"
                ),
                to_attr="area_rows",
            )
        )
        .order_by("history_date", "history_id")
    )
    changes = field_changes(records, excluded_fields=["clinical_areas"], extra=_area_change)
    entries = []
    for index, (record, changed) in enumerate(zip(records, changes, strict=True)):
        reason = record.history_change_reason or ""
        if index == 0:
            entries.append(HistoryEntry(record.history_date, record.history_user, what="Created"))
        elif changed or reason:
            entries.append(
                HistoryEntry(
                    record.history_date, record.history_user, what=reason or "Changed", changes=changed
                )
            )
    return entries[::-1]


def _area_change(previous, record) -> list:
    old, new = _areas_text(previous), _areas_text(record)
    return [] if old == new else [(Adoption._meta.get_field("clinical_areas"), old, new)]


def _areas_text(record) -> str:
    return ", ".join(str(row.clinicalarea) for row in record.area_rows) or "(none)"
