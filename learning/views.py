from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hubs.access import get_changeable_or_403, get_visible_or_404

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
    if request.method == "POST" and form.is_valid():
        try:
            note_update(note=note, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The note is saved.")
            return redirect("learning:note", pk=note.pk)
    return render(request, "learning/note_edit.html", {"note": note, "form": form})
