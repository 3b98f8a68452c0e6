"""Pages that span the apps: the home page per role, and the health check."""

from collections import defaultdict

from axes.utils import reset as axes_reset
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from core.todo import remember_count
from evaluation.calendar import next_due_date
from evaluation.models import Measurement
from hubs.access import global_readers_only, roles_of
from hubs.models import Hub, Programme
from innovations.models import Adoption
from innovations.stages import ACTIVE_STAGES, EXIT_STAGES, Stage

from .todo import todo_for

STAGES_IN_ORDER = (*ACTIVE_STAGES, *EXIT_STAGES)


@login_not_required
@transaction.non_atomic_requests  # an atomic request would fail before the view could answer 503
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not: for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def home(request: HttpRequest) -> HttpResponse:
    """Everyone starts at their to-do list; hub staff see their hubs' adoptions under it."""
    roles = roles_of(request.user)
    items = todo_for(request.user)
    remember_count(request.user, len(items))
    context = {"items": items, "next_due": next_due_date(timezone.localdate())}
    if not roles.reads_everything:
        context.update(adoptions_by_stage(roles.hub_ids))
    return render(request, "home/home.html", context)


@global_readers_only
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "home/overview.html", programme_overview())


def adoptions_by_stage(hub_ids) -> dict:
    """The user's hubs' current adoptions, grouped by stage in stage order."""
    adoptions = (
        Adoption.objects.current()
        .filter(hub__in=hub_ids)
        .select_related("hub", "innovation")
        .order_by("innovation__name", "hub__name")
    )
    grouped = defaultdict(list)
    for adoption in adoptions:
        grouped[adoption.stage].append(adoption)
    stages = [{"stage": stage, "adoptions": grouped[stage]} for stage in STAGES_IN_ORDER if grouped[stage]]
    hubs = Hub.objects.filter(pk__in=hub_ids).order_by("name")
    return {"stages": stages, "hubs": hubs, "adoption_count": len(adoptions)}


def programme_overview() -> dict:
    """Each programme's hubs with their adoptions counted by stage, and figures awaiting review."""
    stage_counts = {
        stage: Count("adoptions", filter=Q(adoptions__archived=False, adoptions__stage=stage))
        for stage in STAGES_IN_ORDER
    }
    hubs = (
        Hub.objects.select_related("programme", "host_ahsn")
        .annotate(**{f"n_{stage}": count for stage, count in stage_counts.items()})
        .order_by("programme__name", "name")
    )
    awaiting_review = dict(
        Measurement.objects.filter(status=Measurement.Status.SUBMITTED)
        .values_list("indicator__adoption__hub")
        .annotate(n=Count("pk"))
        .values_list("indicator__adoption__hub", "n")
    )
    stage_labels = [Stage(stage).label for stage in STAGES_IN_ORDER]
    rows = [
        {
            "hub": hub,
            "counts": [getattr(hub, f"n_{stage}") for stage in STAGES_IN_ORDER],
            "awaiting_review": awaiting_review.get(hub.pk, 0),
        }
        for hub in hubs
    ]
    for row in rows:
        # Each count with its stage: on a narrow screen a row is a list of labelled counts.
        row["cells"] = list(zip(stage_labels, row["counts"], strict=True))
    totals = [sum(row["counts"][i] for row in rows) for i in range(len(STAGES_IN_ORDER))]
    status_counts = dict(
        Measurement.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "programmes": Programme.objects.annotate(hub_count=Count("hubs")).order_by("name"),
        "stage_labels": stage_labels,
        "rows": rows,
        "totals": totals,
        "total_cells": list(zip(stage_labels, totals, strict=True)),
        "status_counts": {label: status_counts.get(value, 0) for value, label in Measurement.Status.choices},
    }


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Setting a new password from the e-mailed link also lifts a sign-in lockout on that username.

    Whoever holds the link controls the account's e-mail: locking them out of the password
    they have just chosen would only send them to an administrator.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response
