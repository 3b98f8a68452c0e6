"""Review a hub's month a page at a time: each indicator's figures, chart position, flags and previous months.

A hub may report hundreds of indicators, so the month comes in pages of
``hub_months.INDICATORS_PER_PAGE``, with the whole month's counts by status above them.
One form approves every figure awaiting review on the page, or all but the indicators
ticked to return, each with its note, through ``measurements.hub_month_review``. The page
records the version of each figure it showed, and the review covers those figures'
indicators and no others, so a figure changed meanwhile refuses the review. Then the
evaluator goes on to the next page with figures awaiting review, or the next hub-month.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.numbers import counted
from hubs.access import evaluators_only
from hubs.models import Hub

from .. import hub_months
from ..measurements import NOTE_REQUIRED, RETURN_NOTE_MAX, hub_month_review
from ..review_notices import hub_month_url
from .review import month_from_url

APPROVE_ALL, RETURN_TICKED = "approve_all", "return_ticked"
SEEN_PATTERN = re.compile(r"^(\d{1,12}:\d{1,9})( \d{1,12}:\d{1,9})*$")
SEEN_MAX = 200_000  # characters: some ten thousand figures' ids and versions


class HubMonthReviewForm(forms.Form):
    """A tick and a note per indicator awaiting review, the figures' versions as shown, and the choice."""

    action = forms.ChoiceField(
        choices=[(APPROVE_ALL, "Approve all"), (RETURN_TICKED, "Return the ticked, approve the rest")],
        error_messages={"required": "Choose to approve all, or to return the ticked indicators."},
    )
    seen = forms.CharField(widget=forms.HiddenInput, max_length=SEEN_MAX, required=False)

    def __init__(self, *args, items: list[hub_months.IndicatorMonth], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            name = item.indicator.metric.name
            self.fields[f"return-{item.indicator.pk}"] = forms.BooleanField(
                label=f"Return {name}", required=False
            )
            self.fields[f"note-{item.indicator.pk}"] = forms.CharField(
                label=f"Note to the hub on {name}",
                required=False,
                max_length=RETURN_NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": f"Keep the note to {RETURN_NOTE_MAX:,} characters or fewer."},
            )

    def rows(self, shown: list[hub_months.IndicatorMonth]) -> list[tuple]:
        """Each indicator shown with its tick and note fields (None for one not awaiting review)."""
        return [
            (item, self[f"return-{item.indicator.pk}"], self[f"note-{item.indicator.pk}"])
            if f"return-{item.indicator.pk}" in self.fields
            else (item, None, None)
            for item in shown
        ]

    def clean_seen(self) -> dict[int, int]:
        text = self.cleaned_data["seen"].strip()
        if text and not SEEN_PATTERN.match(text):
            raise forms.ValidationError("This page was out of date: open it again, then review.")
        return {int(pk): int(version) for pk, version in (pair.split(":") for pair in text.split())}

    def clean(self):
        data = super().clean()
        returns = {}
        for item in self.items:
            pk = item.indicator.pk
            if data.get(f"return-{pk}"):
                note = (data.get(f"note-{pk}") or "").strip()
                if note:
                    returns[pk] = note
                elif f"note-{pk}" not in self.errors:
                    self.add_error(f"note-{pk}", NOTE_REQUIRED)
        ticked = sum(bool(data.get(f"return-{item.indicator.pk}")) for item in self.items)
        if data.get("action") == APPROVE_ALL and ticked:
            raise forms.ValidationError(
                f"You ticked {counted(ticked, 'indicator')} to return: choose "
                "“Return the ticked, approve the rest”, or untick them to approve all."
            )
        if data.get("action") == RETURN_TICKED and not ticked:
            raise forms.ValidationError("Tick the indicators to return, or choose “Approve all”.")
        data["returns"] = returns
        return data


@evaluators_only
@require_http_methods(["GET", "POST"])
def review_hub_month(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    period = month_from_url(month)
    hub = get_object_or_404(Hub, slug=slug)
    page = request.GET.get("page")
    month_of_hub = hub_months.hub_month(hub, period, page)
    if month_of_hub is None:
        raise Http404(f"{hub.name} has no figures for {period:%B %Y}.")
    form = HubMonthReviewForm(request.POST if request.method == "POST" else None, items=month_of_hub.awaiting)
    if form.is_bound and form.is_valid():
        try:
            reviewed = hub_month_review(
                hub=hub,
                period=period,
                by=request.user,
                seen=form.cleaned_data["seen"],
                returns=form.cleaned_data["returns"],
            )
        except forms.ValidationError as exc:
            # Show the page as it is now, keeping the ticks and notes: reviewing again is a choice.
            month_of_hub = hub_months.hub_month(hub, period, page) or month_of_hub
            form = HubMonthReviewForm(request.POST, items=month_of_hub.awaiting)
            form.is_valid()
            form.add_error(None, exc)
        else:
            _say_what_was_done(request, hub, period, reviewed)
            url, number = hub_months.after_review(hub, period, month_of_hub.page.number)
            return redirect(f"{url}?page={number}" if number and number > 1 else url)
    following = hub_months.next_hub_month(hub, period)
    paged = month_of_hub.page.paginator.num_pages > 1
    return render(
        request,
        "evaluation/review_hub_month.html",
        {
            "hub": hub,
            "period": period,
            "month": month_of_hub,
            "page": month_of_hub.page,
            "paged": paged,
            "approve_label": "Approve all on this page" if paged else "Approve all",
            "form": form,
            "rows": form.rows(month_of_hub.indicators),
            "seen": " ".join(f"{pk}:{version}" for pk, version in sorted(month_of_hub.seen.items())),
            "next": {
                "url": hub_month_url(following[0], following[1]),
                "hub": following[2],
                "period": following[1],
            }
            if following
            else None,
            "status_counts": month_of_hub.status_counts,
        },
    )


def _say_what_was_done(request, hub: Hub, period, reviewed) -> None:
    when = f"{period:%B %Y}"
    if not reviewed.approved and not reviewed.returned:
        messages.warning(request, f"Nothing changed: no figure of {hub.name} for {when} was awaiting review.")
        return
    parts = []
    if reviewed.approved:
        parts.append(f"{counted(len(reviewed.approved), 'figure')} approved")
    if reviewed.returned:
        parts.append(f"{counted(len(reviewed.returned), 'figure')} returned to {hub.name} with your notes")
    messages.success(request, f"{' and '.join(parts).capitalize()} for {when}.")
