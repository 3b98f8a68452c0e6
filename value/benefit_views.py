"""Pages of the benefits register: an adoption's benefits, one benefit, its changes, and a hub's summary."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.forms import submit
from hubs.access import get_changeable_or_403, get_visible_or_404, may_change
from hubs.models import Hub
from innovations.models import Adoption

from .benefit_forms import ArchiveForm, BenefitEditForm, BenefitForm, RealisedForm, SignOffForm
from .benefits import returns_of, spend_to_date, totals_by_kind, with_realised
from .models import Benefit
from .returns import CAVEATS
from .services import (
    benefit_add,
    benefit_archive,
    benefit_record_realised,
    benefit_sign_off,
    benefit_update,
    may_sign_off,
)

ADOPTION_PARTS = ("hub", "innovation")
BENEFIT_PARTS = ("adoption__hub", "adoption__innovation", "indicator__metric")


def _benefits_of(user, **lookup):
    return with_realised(Benefit.objects.for_user(user).filter(**lookup)).select_related("indicator__metric")


def adoption_benefits(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_visible_or_404(Adoption.objects.select_related(*ADOPTION_PARTS), request.user, pk=pk)
    benefits = list(_benefits_of(request.user, adoption=adoption).order_by("archived", "kind", "title"))
    current = [b for b in benefits if not b.archived]
    totals = totals_by_kind(current)
    spend = spend_to_date(adoption=adoption)
    return render(
        request,
        "value/benefits/adoption.html",
        {
            "adoption": adoption,
            "benefits": current,
            "archived": [b for b in benefits if b.archived],
            "totals": totals,
            "returns": returns_of(totals, spend),
            "spend": spend,
            "caveats": CAVEATS,
            "totals_hub_id": adoption.hub_id,
            "can_change": may_change(Adoption.objects, request.user, adoption) and not adoption.archived,
        },
    )


@require_http_methods(["GET", "POST"])
def benefit_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    adoption = get_changeable_or_403(Adoption.objects.select_related(*ADOPTION_PARTS), request.user, pk=pk)
    form = BenefitForm(request.POST or None, adoption=adoption)
    if benefit := submit(form, lambda data: benefit_add(adoption=adoption, by=request.user, **data)):
        messages.success(request, f"The benefit “{benefit.title}” is added.")
        return redirect(benefit)
    return render(
        request,
        "value/benefits/form.html",
        {"adoption": adoption, "form": form, "heading": "Add a benefit", "button": "Add the benefit"},
    )


def benefit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    benefit = get_visible_or_404(
        with_realised(Benefit.objects.select_related(*BENEFIT_PARTS)), request.user, pk=pk
    )
    realised = benefit.realised_values.select_related("recorded_by", "signed_off_by")
    latest = realised.first()
    can_change = may_change(Benefit.objects, request.user, benefit) and not benefit.archived
    return render(
        request,
        "value/benefits/detail.html",
        {
            "benefit": benefit,
            "adoption": benefit.adoption,
            "realised": realised,
            "can_change": can_change,
            "can_sign_off": (
                latest is not None
                and not latest.is_signed_off
                and not benefit.archived
                and may_sign_off(request.user, benefit)
            ),
        },
    )


def _changeable_benefit(request: HttpRequest, pk: int) -> Benefit:
    return get_changeable_or_403(Benefit.objects.select_related(*BENEFIT_PARTS), request.user, pk=pk)


def _benefit_form_page(
    request, benefit: Benefit, form, save, *, done: str, heading: str, button: str, **extra
):
    """A one-form page changing ``benefit``: ``save(data)`` through ``submit``, then back to the benefit."""
    if submit(form, save):
        messages.success(request, done)
        return redirect(extra.pop("next", benefit))
    context = {
        "adoption": benefit.adoption,
        "benefit": benefit,
        "form": form,
        "heading": heading,
        "button": button,
    }
    return render(request, "value/benefits/form.html", {**context, **extra})


@require_http_methods(["GET", "POST"])
def benefit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    benefit = _changeable_benefit(request, pk)
    return _benefit_form_page(
        request,
        benefit,
        BenefitEditForm(request.POST or None, instance=benefit, adoption=benefit.adoption),
        lambda data: benefit_update(benefit=benefit, by=request.user, **data),
        done="The benefit is saved.",
        heading=f"Edit “{benefit.title}”",
        button="Save the benefit",
    )


@require_http_methods(["GET", "POST"])
def benefit_realised(request: HttpRequest, pk: int) -> HttpResponse:
    benefit = _changeable_benefit(request, pk)
    return _benefit_form_page(
        request,
        benefit,
        RealisedForm(request.POST or None, benefit=benefit),
        lambda data: benefit_record_realised(benefit=benefit, by=request.user, **data),
        done="The realised value is recorded.",
        heading=f"Record the realised value of “{benefit.title}”",
        button="Record the realised value",
    )


@require_http_methods(["GET", "POST"])
def benefit_sign_off_view(request: HttpRequest, pk: int) -> HttpResponse:
    benefit = get_visible_or_404(Benefit.objects.select_related(*BENEFIT_PARTS), request.user, pk=pk)
    if not may_sign_off(request.user, benefit):
        raise PermissionDenied("Only the hub's lead or an evaluator can sign off a realised value.")
    latest = benefit.realised_values.select_related("recorded_by").first()
    form = SignOffForm(request.POST or None, benefit=benefit)
    if submit(form, lambda data: benefit_sign_off(benefit=benefit, by=request.user, version=data["version"])):
        messages.success(request, "The realised value is signed off.")
        return redirect(benefit)
    return render(
        request,
        "value/benefits/sign_off.html",
        {"adoption": benefit.adoption, "benefit": benefit, "latest": latest, "form": form},
    )


@require_http_methods(["GET", "POST"])
def benefit_archive_view(request: HttpRequest, pk: int) -> HttpResponse:
    benefit = _changeable_benefit(request, pk)
    return _benefit_form_page(
        request,
        benefit,
        ArchiveForm(request.POST or None, benefit=benefit),
        lambda data: benefit_archive(benefit=benefit, by=request.user, **data),
        done="The benefit is archived.",
        heading=f"Archive “{benefit.title}”",
        button="Archive the benefit",
        intro="It leaves the totals. It and its realised values are kept, and can still be read.",
        next=reverse("value:adoption_benefits", args=[benefit.adoption_id]),
    )


def hub_benefits(request: HttpRequest, slug: str) -> HttpResponse:
    hub = get_visible_or_404(Hub.objects.all(), request.user, slug=slug)
    benefits = list(
        _benefits_of(request.user, adoption__hub=hub, archived=False)
        .select_related("adoption__innovation")
        .order_by("adoption__innovation__name", "kind", "title")
    )
    totals = totals_by_kind(benefits)
    spend = spend_to_date(hub=hub)
    return render(
        request,
        "value/benefits/hub.html",
        {
            "hub": hub,
            "benefits": benefits,
            "totals": totals,
            "returns": returns_of(totals, spend),
            "spend": spend,
            "caveats": CAVEATS,
            "totals_hub_id": hub.pk,
        },
    )
