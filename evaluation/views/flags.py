"""Data-quality flags: hub staff explain them, evaluators mark them checked.

Both pages reach a flag through ``DataQualityFlag.objects.for_user`` (404 for a flag on
figures the user may not see) and leave who may act to the services (403 for a flag
the user may see but not explain, or not check).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.concurrency import EditConflict, VersionField
from core.forms import submit
from hubs.access import get_changeable_or_403, get_visible_or_404

from ..flags import EXPLANATION_MAX_LENGTH, flag_check, flag_explain
from ..models import DataQualityFlag
from .entry import month_url
from .review import review_url

FLAG_RELATED = ("indicator__metric", "indicator__adoption__hub", "indicator__adoption__innovation")


class FlagExplainForm(forms.Form):
    explanation = forms.CharField(
        label="Explanation",
        help_text="Say why the figure is right (a new clinic opened, say), or what you will correct. "
        "Evaluators read it when they review the month.",
        max_length=EXPLANATION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter an explanation: why the figure is right, or what you will correct.",
            "max_length": f"The explanation must be {EXPLANATION_MAX_LENGTH:,} characters or fewer.",
        },
    )
    version = VersionField()


def _back(request: HttpRequest, default: str) -> str:
    """Where the person came from (``next``, if it is this site's), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def grid_url(flag: DataQualityFlag) -> str:
    return month_url(flag.indicator.adoption, flag.period)


@require_http_methods(["GET", "POST"])
def flag_explain_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A small page to explain one flag: the hub's own staff only."""
    flag = get_changeable_or_403(DataQualityFlag.objects.select_related(*FLAG_RELATED), request.user, pk=pk)
    form = FlagExplainForm(
        request.POST or None, initial={"explanation": flag.explanation, "version": flag.version}
    )
    back = _back(request, grid_url(flag))
    if submit(form, lambda data: flag_explain(flag=flag, by=request.user, **data)):
        messages.success(request, f"Your explanation of the flag on {flag.period:%B %Y} is saved.")
        return redirect(back)
    return render(request, "evaluation/flag_explain.html", {"flag": flag, "form": form, "back": back})


@require_POST
def flag_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one flag checked: evaluators only (the service refuses anyone else)."""
    flag = get_visible_or_404(DataQualityFlag.objects.select_related(*FLAG_RELATED), request.user, pk=pk)
    version = request.POST.get("version", "")
    back = _back(request, review_url(flag.indicator_id, flag.period))
    try:
        flag_check(flag=flag, by=request.user, version=int(version) if version.isdigit() else 0)
    except EditConflict as conflict:
        messages.error(
            request, " ".join(conflict.messages[:1] + conflict.changes) + " Look again, then mark it checked."
        )
    else:
        messages.success(
            request, f"The flag “{flag.get_kind_display()}” on {flag.period:%B %Y} is marked checked."
        )
    return redirect(back)
