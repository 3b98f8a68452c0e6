from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.forms import submit

from .access import get_changeable_or_403, get_visible_or_404, roles_of
from .forms import HubProfileForm
from .models import Hub, Membership, Partnership
from .services import hub_update


def _hubs_with_profile(user):
    return (
        Hub.objects.for_user(user)
        .select_related("programme", "lead_organisation", "host_ahsn")
        .prefetch_related(
            "clinical_areas",
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.select_related("organisation").order_by("organisation__name"),
            ),
        )
    )


def directory(request: HttpRequest) -> HttpResponse:
    # Each hub's count of adoptions comes from innovations' panel tag (hubs never reads adoptions).
    return render(request, "hubs/directory.html", {"hubs": _hubs_with_profile(request.user)})


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    hub = get_visible_or_404(_hubs_with_profile(request.user), request.user, slug=slug)
    # The hub's adoptions come from innovations' panel tag (hubs never reads adoptions).
    members = Membership.objects.filter(hub=hub).select_related("user").order_by("-role", "user__last_name")
    can_change = Hub.objects.changeable_by(request.user).filter(pk=hub.pk).exists()
    roles = roles_of(request.user)
    # The hub's own breakdown groups and population shares are for its staff and global readers.
    sees_breakdowns = roles.reads_everything or hub.pk in roles.hub_ids
    return render(
        request,
        "hubs/detail.html",
        {"hub": hub, "members": members, "can_change": can_change, "sees_breakdowns": sees_breakdowns},
    )


def edit(request: HttpRequest, slug: str) -> HttpResponse:
    hub = get_changeable_or_403(Hub.objects.all(), request.user, slug=slug)
    form = HubProfileForm(request.POST or None, instance=hub)
    if submit(form, lambda data: hub_update(hub=hub, by=request.user, **data)):
        messages.success(request, "The hub's profile is saved.")
        return redirect(hub)
    return render(request, "hubs/edit.html", {"hub": hub, "form": form})
