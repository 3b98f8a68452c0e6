"""A hub's breakdowns: its own PLUS groups (added and archived by its lead) and its local population shares
(entered by its lead or an AHSN admin).

The page is the hub's own: its staff, and those who read every hub (evaluators, AHSN admins),
see it; another hub's staff get a 404, as they never see a hub's own groups.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import submit
from core.numbers import as_typed
from hubs.access import roles_of
from hubs.models import Hub

from .. import breakdowns
from ..forms import NumberField
from ..models import BreakdownGroup, PopulationShare
from ..querysets import enters_population_of


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
        {
            "hub": hub,
            "groups": groups,
            "form": form if leads else None,
            "leads": leads,
            "population": breakdowns.population_of_hub(hub),
            "enters_population": enters_population_of(request.user, hub.pk),
        },
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


class PopulationForm(forms.Form):
    """A dimension's groups' shares of the hub's population (%), from one source of one date."""

    source = forms.CharField(
        label="Source",
        help_text="Where the shares come from: for example, ONS Census 2021, table TS021, for the hub's area.",
        max_length=breakdowns.SOURCE_MAX,
        error_messages={
            "required": "Say where the shares come from.",
            "max_length": f"The source must be {breakdowns.SOURCE_MAX} characters or fewer.",
        },
    )
    source_date = forms.DateField(
        label="Date of the source",
        help_text="When the source counted the population: for the 2021 Census, 21 March 2021.",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Enter the date of the source.",
            "invalid": "Enter the date as day, month and year.",
        },
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10_000)

    def __init__(self, *args, population: breakdowns.PopulationDimension, **kwargs):
        super().__init__(*args, **kwargs)
        self.population = population
        shares = population.shares
        first = next(iter(shares.values()), None)
        self.initial.setdefault("source", first.source if first else "")
        self.initial.setdefault("source_date", first.source_date if first else None)
        self.initial.setdefault("seen", population.seen)
        fields = {}
        for group in population.groups:
            saved = shares.get(group.pk)
            field = NumberField(
                label=f"{group.label} (%)",
                min_value=0,
                min_message="A share cannot be negative.",
                places=breakdowns.SHARE_PLACES,
                largest=breakdowns.SHARE_MAX,
                initial=as_typed(saved.share) if saved else None,
                help_text=f"Saved: {saved.share_text}" if saved else "Not entered: leave blank if not known.",
            )
            field.widget.attrs["class"] = "nhsuk-input--width-5"
            fields[self.share_field(group)] = field
        # The shares first, in the groups' order, then where they come from.
        self.fields = {**fields, **self.fields}

    @staticmethod
    def share_field(group) -> str:
        return f"share_{group.pk}"

    def shares(self) -> dict[int, object]:
        return {group.pk: self.cleaned_data.get(self.share_field(group)) for group in self.population.groups}


def population_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Enter a hub's local population shares for one breakdown: its lead, or an AHSN admin."""
    hub = hub_of_breakdowns(request, slug)
    if not enters_population_of(request.user, hub.pk):
        raise PermissionDenied("Only the hub's lead or an AHSN admin can enter its population shares.")
    population = next((p for p in breakdowns.population_of_hub(hub) if p.dimension.code == code), None)
    if population is None:
        raise Http404("The hub has no such breakdown.")
    form = PopulationForm(request.POST or None, population=population)

    def save(data):
        return breakdowns.population_shares_save(
            hub=hub,
            dimension=population.dimension,
            shares=form.shares(),
            source=data["source"],
            source_date=data["source_date"],
            seen=data["seen"],
            by=request.user,
        )

    if submit(form, save) is not None:
        messages.success(request, f"{hub.name}'s population shares are saved: {population.dimension.name}.")
        return redirect("evaluation:hub_breakdowns", slug=hub.slug)
    if form.is_bound and form.has_error(NON_FIELD_ERRORS, code="stale"):
        # Saving again from here is a choice made having seen the shares as they are now.
        form.data = form.data.copy()
        form.data["seen"] = breakdowns.seen_token(
            PopulationShare.objects.filter(hub=hub, group__dimension=population.dimension)
        )
    return render(
        request,
        "evaluation/population_edit.html",
        {"hub": hub, "population": population, "form": form},
    )
