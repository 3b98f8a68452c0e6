from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hubs.access import get_changeable_or_403, get_visible_or_404
from hubs.forms import submit

from .forms import LearningNoteForm
from .models import LearningNote
from .services import note_update


def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_visible_or_404(
        LearningNote.objects.select_related("adoption__hub", "adoption__innovation", "author"),
        request.user,
        pk=pk,
    )
    can_change = LearningNote.objects.changeable_by(request.user).filter(pk=note.pk).exists()
    return render(request, "learning/note_detail.html", {"note": note, "can_change": can_change})


def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_changeable_or_403(
        LearningNote.objects.select_related("adoption__hub", "adoption__innovation"), request.user, pk=pk
    )
    form = LearningNoteForm(request.POST or None, instance=note)
    if submit(form, lambda data: note_update(note=note, by=request.user, **data)):
        messages.success(request, "The note is saved.")
        return redirect("learning:note", pk=note.pk)
    return render(request, "learning/note_edit.html", {"note": note, "form": form})
