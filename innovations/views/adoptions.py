"""Adoptions: start, read, edit, move through the stages, archive and restore, and the list across hubs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from core.forms import submit
from core.people import display_name
from hubs.access import get_changeable_or_403, get_visible_or_404, hub_staff_only, may_change, roles_of
from hubs.models import Hub

from ..forms import (
    AdoptionArchiveForm,
    AdoptionEditForm,
    AdoptionFilterForm,
    AdoptionStartForm,
    StageMoveForm,
)
from ..models import Adoption, Innovation
from ..services import adoption_archive, adoption_move, adoption_restore, adoption_start, adoption_update

PAGE_SIZE = 50


def adoption_list(request: HttpRequest) -> HttpResponse:
    """Every hub's adoptions (hub staff learn from each other), filtered; the user's hubs first by default."""
    form = AdoptionFilterForm(request.GET or None, user=request.user)
    adoptions = form.filter(
        Adoption.objects.for_user(request.user)
        .select_related("hub", "innovation", "lead")
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
        },
    )


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


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: object
    reason: str
    created: bool
    changes: list[FieldChange] = field(default_factory=list)


def _value_text(adoption_field, value, names: dict) -> str:
    """A recorded value as people read it: labels for choices, names for people and places."""
    if value is None or value == "":
        return "(empty)"
    if adoption_field.choices:
        return str(dict(adoption_field.flatchoices).get(value, value))
    if adoption_field.is_relation:
        return names.get((adoption_field.name, value), "(since removed)")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    return str(value)


def adoption_history(adoption: Adoption) -> list[HistoryEntry]:
    """Who changed what and when, newest first, from the adoption's history records.

    Field by field with ``diff_against``; the clinical areas (a many-to-many field,
    which ``diff_against`` would read with two queries per record) are compared from
    one prefetch. Names of people, hubs and innovations come in one query each,
    so the page runs the same queries however long the history.
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
    deltas = [
        record.diff_against(previous, excluded_fields=["clinical_areas"])
        for previous, record in zip(records, records[1:], strict=False)
    ]
    names = _related_names(deltas)
    opts = Adoption._meta
    entries = (
        [
            HistoryEntry(
                when=records[0].history_date,
                who=records[0].history_user,
                reason=records[0].history_change_reason or "",
                created=True,
            )
        ]
        if records
        else []
    )
    for previous, record, delta in zip(records, records[1:], deltas, strict=False):
        changed = [
            (
                opts.get_field(change.field),
                _value_text(opts.get_field(change.field), change.old, names),
                _value_text(opts.get_field(change.field), change.new, names),
            )
            for change in delta.changes
        ]
        old_areas, new_areas = _areas_text(previous), _areas_text(record)
        if old_areas != new_areas:
            changed.append((opts.get_field("clinical_areas"), old_areas, new_areas))
        # In the order the form asks, not diff_against's alphabetical one.
        changed.sort(key=lambda item: item[0].creation_counter)
        changes = [FieldChange(capfirst(f.verbose_name), old, new) for f, old, new in changed]
        reason = record.history_change_reason or ""
        if changes or reason:
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=record.history_user,
                    reason=reason,
                    created=False,
                    changes=changes,
                )
            )
    entries.reverse()
    return entries


def _areas_text(record) -> str:
    return ", ".join(str(row.clinicalarea) for row in record.area_rows) or "(none)"


def _related_names(deltas) -> dict:
    """(field name, id) → name, for every person, hub and innovation the history mentions."""
    ids: dict[str, set] = {"lead": set(), "hub": set(), "innovation": set()}
    for delta in deltas:
        for change in delta.changes:
            if change.field in ids:
                ids[change.field].update(value for value in (change.old, change.new) if value is not None)
    names = {}
    if ids["lead"]:
        for user in get_user_model().objects.filter(pk__in=ids["lead"]):
            names[("lead", user.pk)] = display_name(user)
    if ids["hub"]:
        names.update(
            {
                ("hub", pk): name
                for pk, name in Hub.objects.filter(pk__in=ids["hub"]).values_list("pk", "name")
            }
        )
    if ids["innovation"]:
        names.update(
            {
                ("innovation", pk): name
                for pk, name in Innovation.objects.filter(pk__in=ids["innovation"]).values_list("pk", "name")
            }
        )
    return names
