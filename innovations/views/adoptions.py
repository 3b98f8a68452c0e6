from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hubs.access import get_changeable_or_403, get_visible_or_404
from hubs.forms import submit

from ..forms import StageMoveForm
from ..models import Adoption
from ..services import adoption_move


def adoption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_visible_or_404(
        Adoption.objects.select_related("hub", "innovation", "lead"), request.user, pk=pk
    )
    transitions = adoption.transitions.select_related("moved_by").order_by("-date", "-recorded_at")
    indicators = adoption.indicators.select_related("metric").order_by("metric__dimension", "metric__name")
    notes = adoption.notes.current().select_related("author")
    can_change = Adoption.objects.changeable_by(request.user).filter(pk=adoption.pk).exists()
    return render(
        request,
        "innovations/adoption_detail.html",
        {
            "adoption": adoption,
            "transitions": transitions,
            "indicators": indicators,
            "notes": notes,
            "can_change": can_change,
        },
    )


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
