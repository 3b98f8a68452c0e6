"""A hub's breakdowns: its own PLUS groups (added and archived by its lead) and its local population shares.

The page is the hub's own: its staff, and those who read every hub (evaluators, AHSN admins),
see it; another hub's staff get a 404, as they never see a hub's own groups.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import submit
from hubs.access import roles_of
from hubs.models import Hub

from .. import breakdowns
from ..models import BreakdownGroup


def hub_of_breakdowns(request: HttpRequest, slug: str) -> Hub:
    """The hub, if the user sees its own groups: its staff and global readers; 404 for anyone else."""
    roles = roles_of(request.user)
    hubs = Hub.objects.all() if roles.reads_everything else Hub.objects.of_member(request.user)
    return get_object_or_404(hubs, slug=slug)


class GroupAddForm(forms.Form):
    label = forms.CharField(
        label="Name of the group",
        help_text="Who the group is, as your figures will name them: for example, people experiencing homelessness.",
        max_length=breakdowns.LABEL_MAX,
        error_messages={
            "required": "Enter the group's name.",
            "max_length": f"The name must be {breakdowns.LABEL_MAX} characters or fewer.",
        },
    )


def hub_breakdowns(request: HttpRequest, slug: str) -> HttpResponse:
    hub = hub_of_breakdowns(request, slug)
    leads = roles_of(request.user).leads(hub.pk)
    if request.method == "POST" and not leads:
        raise PermissionDenied("Only the hub's lead can add its groups.")
    form = GroupAddForm(request.POST or None)
    if added := submit(form, lambda data: breakdowns.group_add(hub=hub, by=request.user, **data)):
        messages.success(
            request, f"“{added.label}” is added: its figures can be given from now on (code {added.code})."
        )
        return redirect("evaluation:hub_breakdowns", slug=hub.slug)
    groups = list(
        BreakdownGroup.objects.filter(hub=hub)
        .select_related("dimension")
        .order_by("archived", "position", "label")
    )
    return render(
        request,
        "evaluation/hub_breakdowns.html",
        {"hub": hub, "groups": groups, "form": form if leads else None, "leads": leads},
    )


@require_POST
def group_archive(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    hub = hub_of_breakdowns(request, slug)
    group = get_object_or_404(BreakdownGroup.objects.for_user(request.user).filter(hub=hub), pk=pk)
    archive = request.POST.get("archived") == "1"
    changed = breakdowns.group_archive(group=group, by=request.user, archived=archive)
    if archive:
        messages.success(
            request, f"“{changed.label}” is archived: it takes no new figures, and its figures stay."
        )
    else:
        messages.success(request, f"“{changed.label}” is restored: it takes figures again.")
    return redirect("evaluation:hub_breakdowns", slug=hub.slug)
