from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.forms import submit
from core.history import HistoryEntry, field_changes
from hubs.access import get_changeable_or_403, get_visible_or_404
from innovations.models import Adoption

from . import services
from .forms import LearningNoteEditForm, LearningNoteForm
from .models import LearningNote


def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_visible_or_404(
        LearningNote.objects.select_related("adoption__hub", "adoption__innovation", "author", "event__hub"),
        request.user,
        pk=pk,
    )
    can_change = LearningNote.objects.changeable_by(request.user).filter(pk=note.pk).exists()
    return render(
        request,
        "learning/note_detail.html",
        {"note": note, "can_change": can_change, "history": note_history(note)},
    )


def note_history(note: LearningNote) -> list[HistoryEntry]:
    """Every saved version of the note, newest first: who saved it, and what each save changed."""
    records = list(note.history.select_related("history_user").order_by("history_date", "history_id"))
    entries = [
        HistoryEntry(
            record.history_date,
            record.history_user,
            what=f"Version {number} (written)" if number == 1 else f"Version {number} (edited)",
            why=record.history_change_reason or "",
            changes=changes,
        )
        for number, (record, changes) in enumerate(zip(records, field_changes(records), strict=True), start=1)
    ]
    return entries[::-1]


def note_add(request: HttpRequest, adoption_pk: int) -> HttpResponse:
    """Hub staff record a barrier, enabler, lesson or adaptation on their own hub's adoption."""
    adoption = get_changeable_or_403(
        Adoption.objects.select_related("hub", "innovation"), request.user, pk=adoption_pk
    )
    form = LearningNoteForm(request.POST or None, hub=adoption.hub)
    if note := submit(form, lambda data: services.note_create(adoption=adoption, by=request.user, **data)):
        messages.success(request, "The note is saved and shared with every hub.")
        return redirect("learning:note", pk=note.pk)
    return render(
        request, "learning/note_form.html", {"adoption": adoption, "form": form, "heading": "Add a note"}
    )


def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_changeable_or_403(
        LearningNote.objects.select_related("adoption__hub", "adoption__innovation"), request.user, pk=pk
    )
    form = LearningNoteEditForm(request.POST or None, instance=note, hub=note.adoption.hub)
    if submit(form, lambda data: services.note_update(note=note, by=request.user, **data)):
        messages.success(request, "The note is saved. Its earlier text stays in its history.")
        return redirect("learning:note", pk=note.pk)
    return render(
        request,
        "learning/note_form.html",
        {"adoption": note.adoption, "form": form, "heading": "Edit the note", "note": note},
    )
