"""The innovation catalogue: search and filters, the cross-hub page of each entry, proposals and curation.

Everyone signed in reads the approved catalogue; hub staff propose entries; AHSN
admins approve, edit and merge them. Every page costs the same few queries
however many entries or adoptions there are.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.forms import submit
from hubs.access import get_changeable_or_403, hub_staff_only, roles_of
from hubs.models import ClinicalArea

from ..forms import InnovationEditForm, InnovationForm, InnovationMergeForm
from ..models import Adoption, ComplexityCheck, Innovation
from ..services import innovation_approve, innovation_merge, innovation_propose, innovation_update
from ..stages import EXIT_STAGES

PAGE_SIZE = 25
MERGED = Innovation.Status.MERGED


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label="Search the catalogue",
        required=False,
        max_length=200,
        help_text="Words from its name or summary, for example “blood pressure”.",
    )
    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *Innovation.Category.choices]
    )
    evidence = forms.ChoiceField(
        label="Evidence", required=False, choices=[("", "Any evidence"), *Innovation.Evidence.choices]
    )
    area = forms.ModelChoiceField(
        label="Core20PLUS5 clinical area",
        queryset=ClinicalArea.objects.all(),
        required=False,
        empty_label="Any clinical area",
    )
    mine = forms.BooleanField(label="Adopted by my hubs", required=False)

    def __init__(self, *args, hub_ids: frozenset[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.hub_ids = hub_ids
        if not hub_ids:  # evaluators and admins belong to no hub
            del self.fields["mine"]

    def filter(self, innovations):
        data = self.cleaned_data if self.is_valid() else {}
        # Ranked when searching; by name otherwise (Meta.ordering is dropped once counts are annotated).
        innovations = innovations.search(data["q"]) if data.get("q") else innovations.order_by("name")
        if data.get("category"):
            innovations = innovations.filter(category=data["category"])
        if data.get("evidence"):
            innovations = innovations.filter(evidence_level=data["evidence"])
        if data.get("area"):
            innovations = innovations.filter(clinical_areas=data["area"])
        if data.get("mine"):
            # A subquery, not a join, so the adoption count below still counts every hub.
            mine = Adoption.objects.current().filter(hub_id__in=self.hub_ids).values("innovation_id")
            innovations = innovations.filter(pk__in=mine)
        return innovations


def catalogue(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    form = CatalogueFilterForm(request.GET or None, hub_ids=roles.hub_ids)
    innovations = (
        form.filter(Innovation.objects.for_user(request.user).exclude(status=MERGED))
        .annotate(
            hubs_adopting=Count(
                "adoptions",
                filter=Q(adoptions__archived=False) & ~Q(adoptions__stage__in=EXIT_STAGES),
                distinct=True,
            )
        )
        .prefetch_related("clinical_areas", _adopting(request.user))
    )
    page = Paginator(innovations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "innovations/catalogue.html",
        {
            "form": form,
            "page": page,
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "can_propose": roles.is_hub_staff,
        },
    )


def _adopting(user) -> Prefetch:
    """Each entry's hubs adopting it (as counted in ``hubs_adopting``), with their latest complexity check."""
    return Prefetch(
        "adoptions",
        queryset=Adoption.objects.for_user(user)
        .current()
        .exclude(stage__in=EXIT_STAGES)
        .select_related("hub")
        .prefetch_related(ComplexityCheck.objects.latest_prefetch())
        .order_by("hub__name"),
        to_attr="adopting",
    )


def innovation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """What the innovation is, and every hub's current adoption of it: stage, since when, started."""
    visible = Innovation.objects.for_user(request.user)
    if roles_of(request.user).authenticated:
        # A merged entry is only a pointer now: anyone signed in follows it to where it went.
        visible = visible | Innovation.objects.filter(status=MERGED)
    innovation = get_object_or_404(
        visible.select_related("merged_into", "proposed_by").prefetch_related("clinical_areas"), slug=slug
    )
    if innovation.status == MERGED:
        messages.info(request, f"“{innovation.name}” was merged into “{innovation.merged_into.name}”.")
        return redirect("innovations:innovation", slug=innovation.merged_into.slug)
    adoptions = (
        Adoption.objects.for_user(request.user)
        .current()
        .filter(innovation=innovation)
        .select_related("hub")
        .prefetch_related(ComplexityCheck.objects.latest_prefetch())
        .order_by("hub__name")
    )
    can_curate = Innovation.objects.changeable_by(request.user).filter(pk=innovation.pk).exists()
    return render(
        request,
        "innovations/innovation_detail.html",
        {"innovation": innovation, "adoptions": adoptions, "can_curate": can_curate},
    )


@hub_staff_only
def innovation_propose_view(request: HttpRequest) -> HttpResponse:
    """Hub staff propose an entry; it is listed to everyone once an AHSN admin approves it."""
    form = InnovationForm(request.POST or None)
    if proposed := submit(form, lambda data: innovation_propose(by=request.user, **data)):
        messages.success(
            request,
            "Thank you: your proposal is saved. An AHSN admin will check it before it is listed for everyone.",
        )
        return redirect("innovations:innovation", slug=proposed.slug)
    return render(
        request,
        "innovations/innovation_form.html",
        {
            "form": form,
            "heading": "Propose an innovation",
            "intro": "Suggest an innovation the catalogue does not have yet. An AHSN admin will check it "
            "before it is listed for everyone.",
            "button": "Propose the innovation",
            "parent_url": reverse("innovations:catalogue"),
            "parent_label": "Innovations",
        },
    )


def _curatable(request: HttpRequest, slug: str) -> Innovation:
    """An entry this user may curate: 404 if they cannot see it, 403 if they may only read it."""
    return get_changeable_or_403(
        Innovation.objects.exclude(status=MERGED).prefetch_related("clinical_areas"), request.user, slug=slug
    )


def innovation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    innovation = _curatable(request, slug)
    name = innovation.name  # the form writes its values onto the instance as it validates
    form = InnovationEditForm(request.POST or None, instance=innovation)
    if submit(form, lambda data: innovation_update(innovation=innovation, by=request.user, **data)):
        messages.success(request, "The entry is saved. Its earlier version stays in its history.")
        return redirect("innovations:innovation", slug=innovation.slug)
    detail_url = reverse("innovations:innovation", args=[slug])
    return render(
        request,
        "innovations/innovation_form.html",
        {
            "form": form,
            "heading": f"Edit “{name}”",
            "button": "Save the entry",
            "parent_url": detail_url,
            "parent_label": name,
        },
    )


@require_POST
def innovation_approve_view(request: HttpRequest, slug: str) -> HttpResponse:
    innovation = _curatable(request, slug)
    form = forms.Form(request.POST)
    if submit(form, lambda data: innovation_approve(innovation=innovation, by=request.user)):
        messages.success(request, f"“{innovation.name}” is approved and listed for everyone.")
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect("innovations:innovation", slug=innovation.slug)


def innovation_merge_view(request: HttpRequest, slug: str) -> HttpResponse:
    source = _curatable(request, slug)
    form = InnovationMergeForm(request.POST or None, source=source)

    def merge(data):
        return innovation_merge(source=source, target=data["target"], by=request.user, reason=data["reason"])

    if target := submit(form, merge):
        messages.success(request, f"“{source.name}” is merged into “{target.name}”, with its adoptions.")
        return redirect("innovations:innovation", slug=target.slug)
    adopting_hubs = Adoption.objects.filter(innovation=source).select_related("hub").order_by("hub__name")
    return render(
        request,
        "innovations/innovation_merge.html",
        {"innovation": source, "form": form, "adoptions": adopting_hubs},
    )
