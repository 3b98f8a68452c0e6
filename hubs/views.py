from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.csvfile import csv_response
from core.forms import submit
from core.history import HistoryEntry, field_changes

from . import engagement
from .access import get_changeable_or_403, get_visible_or_404, roles_of
from .forms import (
    EngagementEventChangeForm,
    EngagementEventForm,
    HubProfileForm,
    PartnershipChangeForm,
    PartnershipForm,
)
from .models import EngagementEvent, Hub, Membership, Partnership
from .services import (
    engagement_archive,
    engagement_log,
    engagement_update,
    hub_update,
    partnership_add,
    partnership_update,
)


def _hubs_with_profile(user):
    return (
        Hub.objects.for_user(user)
        .select_related("programme", "lead_organisation", "host_ahsn")
        .prefetch_related(
            "clinical_areas",
            Prefetch(
                "partnerships",
                # The profile lists the partners working with the hub today; former ones are on its partners page.
                queryset=Partnership.objects.current_on(timezone.localdate())
                .select_related("organisation")
                .order_by("organisation__name"),
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


def _hub(request: HttpRequest, slug: str) -> Hub:
    return get_visible_or_404(Hub.objects.select_related("programme"), request.user, slug=slug)


def partners(request: HttpRequest, slug: str) -> HttpResponse:
    """A hub's partners, current and former, with their roles and dates; its lead changes them here."""
    hub = _hub(request, slug)
    partnerships = list(
        hub.partnerships.select_related("organisation").order_by("left_on", "organisation__name")
    )
    today = timezone.localdate()
    return render(
        request,
        "hubs/partners.html",
        {
            "hub": hub,
            "current": [p for p in partnerships if p.current_on(today) or p.joined_on > today],
            "former": [p for p in partnerships if p.left_on is not None and p.left_on < today],
            "can_change": roles_of(request.user).leads(hub.pk),
        },
    )


def partner_add(request: HttpRequest, slug: str) -> HttpResponse:
    hub = _hub(request, slug)
    if not roles_of(request.user).leads(hub.pk):
        raise PermissionDenied("Only the hub's lead can add its partners.")
    form = PartnershipForm(request.POST or None, initial={"joined_on": timezone.localdate()})
    if submit(form, lambda data: partnership_add(hub=hub, by=request.user, **data)):
        messages.success(request, "The partner is added.")
        return redirect("hubs:partners", slug=hub.slug)
    return render(request, "hubs/partner_form.html", {"hub": hub, "form": form, "heading": "Add a partner"})


def partner_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    hub = _hub(request, slug)
    partnership = get_changeable_or_403(
        Partnership.objects.filter(hub=hub).select_related("organisation"), request.user, pk=pk
    )
    form = PartnershipChangeForm(request.POST or None, instance=partnership)
    if submit(form, lambda data: partnership_update(partnership=partnership, by=request.user, **data)):
        messages.success(request, "The partnership is saved. Its earlier role and dates stay in its history.")
        return redirect("hubs:partners", slug=hub.slug)
    return render(
        request,
        "hubs/partner_form.html",
        {
            "hub": hub,
            "form": form,
            "heading": f"Change {partnership.organisation}",
            "partnership": partnership,
        },
    )


def events(request: HttpRequest, slug: str) -> HttpResponse:
    """A hub's engagement log: its events, workshops and training, newest first."""
    hub = _hub(request, slug)
    log = (
        EngagementEvent.objects.for_user(request.user)
        .filter(hub=hub, archived=False)
        .select_related("hub")
        .prefetch_related("organisations")
    )
    can_change = hub.pk in roles_of(request.user).hub_ids
    return render(request, "hubs/events.html", {"hub": hub, "events": log, "can_change": can_change})


def event_add(request: HttpRequest, slug: str) -> HttpResponse:
    hub = _hub(request, slug)
    if hub.pk not in roles_of(request.user).hub_ids:
        raise PermissionDenied("Only the hub's own staff can log its events.")
    form = EngagementEventForm(request.POST or None, hub=hub)
    if event := submit(form, lambda data: engagement_log(hub=hub, by=request.user, **data)):
        messages.success(request, "The event is in the hub's engagement log.")
        return redirect(event)
    return render(request, "hubs/event_form.html", {"hub": hub, "form": form, "heading": "Log an event"})


def _event(request: HttpRequest, slug: str, pk: int, *, change: bool = False) -> EngagementEvent:
    events_of_hub = EngagementEvent.objects.filter(hub__slug=slug).select_related("hub")
    if change:
        return get_changeable_or_403(events_of_hub, request.user, pk=pk)
    return get_visible_or_404(events_of_hub, request.user, pk=pk)


def event_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, slug, pk)
    records = list(event.history.select_related("history_user").order_by("history_date", "history_id"))
    history = [
        HistoryEntry(
            record.history_date,
            record.history_user,
            what="Logged" if n == 0 else "Changed",
            why=record.history_change_reason or "",
            changes=changes,
        )
        for n, (record, changes) in enumerate(zip(records, field_changes(records), strict=True))
    ][::-1]
    # Learning notes point at the event from their side (learning sits above hubs): read through the reverse name.
    notes = event.learning_notes.filter(archived=False).order_by("-created_at")
    return render(
        request,
        "hubs/event_detail.html",
        {
            "hub": event.hub,
            "event": event,
            "organisations": event.organisations.order_by("name"),
            "notes": notes,
            "history": history,
            "can_change": EngagementEvent.objects.changeable_by(request.user).filter(pk=event.pk).exists(),
        },
    )


def event_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, slug, pk, change=True)
    form = EngagementEventChangeForm(request.POST or None, instance=event, hub=event.hub)
    if submit(form, lambda data: engagement_update(event=event, by=request.user, **data)):
        messages.success(request, "The event is saved. Its earlier details stay in its history.")
        return redirect(event)
    return render(
        request,
        "hubs/event_form.html",
        {"hub": event.hub, "form": form, "heading": "Change the event", "event": event},
    )


@require_POST
def event_archive(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _event(request, slug, pk, change=True)
    engagement_archive(event=event, by=request.user, reason="Archived from the event page")
    messages.success(
        request, "The event is archived: it has left the log and its counts, and its record stays."
    )
    return redirect("hubs:events", slug=event.hub.slug)


def network(request: HttpRequest) -> HttpResponse:
    """Across hubs: who works with whom today (a partner matrix) and engagement per quarter."""
    today = timezone.localdate()
    hubs = Hub.objects.for_user(request.user)
    matrix = engagement.partner_matrix(hubs, today)
    quarters = engagement.counts_by_quarter(matrix.hubs, today)
    return render(
        request,
        "hubs/network.html",
        {
            "matrix": matrix,
            "quarters": quarters,
            "charts": engagement.quarter_chart(matrix.hubs, quarters),
            "today": today,
        },
    )


def network_csv(request: HttpRequest, table: str) -> HttpResponse:
    today = timezone.localdate()
    hubs = Hub.objects.for_user(request.user)
    if table == "partners":
        matrix = engagement.partner_matrix(hubs, today)
        rows = [["Organisation", *(hub.name for hub in matrix.hubs)]]
        rows += [[row.organisation.name, *row.cells] for row in matrix.rows]
    elif table == "quarters":
        hub_list = list(hubs.order_by("name"))
        rows = [["Quarter", "Hub", "Events", "People reached", "People trained"]]
        for quarter in engagement.counts_by_quarter(hub_list, today):
            rows += [
                [quarter.label, hub.name, counts.events, counts.reached, counts.trained]
                for hub, counts in zip(hub_list, quarter.by_hub, strict=True)
            ]
    else:
        raise Http404
    return csv_response(f"engagement-{table}-{today:%Y-%m-%d}.csv", rows)
