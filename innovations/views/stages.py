"""The stages dashboard: where every hub's current adoptions stand, what moved lately, and for how long."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import dashboards
from ..models import Adoption, StageTransition


def stages(request: HttpRequest) -> HttpResponse:
    """Every hub's current adoptions by stage: stages are shared across hubs, so anyone signed in."""
    today = timezone.localdate()
    adoptions = Adoption.objects.for_user(request.user).current()
    transitions = StageTransition.objects.for_user(request.user).filter(adoption__in=adoptions)
    counts = dashboards.stage_counts(adoptions)
    return render(
        request,
        "innovations/stages.html",
        {
            "matrix": dashboards.stage_matrix(adoptions),
            "counts": counts,
            "total": sum(count for _, count in counts),
            "recent": dashboards.recent_moves(transitions, today=today),
            "recent_days": dashboards.RECENT_DAYS,
            "durations": dashboards.stage_durations(dashboards.stage_history(transitions), today=today),
            "today": today,
        },
    )
