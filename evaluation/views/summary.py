"""The cross-hub summary: one row per indicator with its Making Data Count icons.

Rows come from ``IndicatorSummary`` (kept up to date on every write), so a page
of any size costs the same few queries and no SPC is computed on request.

Evaluators see every latest figure as it is; anyone else who opens the page (an
AHSN admin) sees a small count as "<8" and no percentage worked out from one,
except for their own hubs (``core.disclosure``).
"""

from dataclasses import dataclass
from itertools import chain

from django import forms
from django.core.paginator import Paginator
from django.db.models import F
from django.db.models.functions import NullIf
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.csvfile import csv_streaming_response
from core.disclosure import NOT_SHOWN, SMALL_COUNT, is_small_count, share_shown
from hubs.access import Roles, global_readers_only, roles_of
from hubs.models import Hub

from ..charts import format_number
from ..mdc import assurance_label, variation_label, variation_reading
from ..models import IndicatorSummary, Metric

PAGE_SIZE = 50

SIGNALS = {
    "improvement": ("Special cause: improvement", {"variation": IndicatorSummary.Variation.IMPROVEMENT}),
    "concern": ("Special cause: concern", {"variation": IndicatorSummary.Variation.CONCERN}),
    "neutral": (
        "Special cause: neither better nor worse",
        {
            "variation__in": [
                IndicatorSummary.Variation.NEUTRAL_HIGH,
                IndicatorSummary.Variation.NEUTRAL_LOW,
            ]
        },
    ),
    "common": ("Common cause only", {"variation": IndicatorSummary.Variation.COMMON_CAUSE}),
    "failing": ("Consistently missing the target", {"assurance": IndicatorSummary.Assurance.FAIL}),
    "no-data": ("No figures yet", {"points": 0}),
}

# Sort key → (column heading, ordering). The default puts the newest concerns first.
SORTS = {
    "hub": ("Hub", ["indicator__adoption__hub__name", "indicator__adoption__innovation__name"]),
    "innovation": ("Innovation", ["indicator__adoption__innovation__name", "indicator__adoption__hub__name"]),
    "metric": ("Metric", ["indicator__metric__name", "indicator__adoption__hub__name"]),
    "dimension": ("RE-AIM dimension", ["indicator__metric__dimension", "indicator__metric__name"]),
    "latest": ("Latest figure", [F("latest_period").desc(nulls_last=True), "indicator_id"]),
    "variation": ("Variation", ["variation", "indicator__adoption__hub__name"]),
    "assurance": ("Assurance", ["assurance", "indicator__adoption__hub__name"]),
    "completeness": ("Data completeness", [F("completeness_ratio").asc(nulls_last=True), "indicator_id"]),
}
DEFAULT_SORT = "hub"


class SummaryFilterForm(forms.Form):
    hub = forms.ModelChoiceField(queryset=Hub.objects.none(), required=False, empty_label="All hubs")
    # A search box, not a list: a national catalogue has hundreds of innovations.
    innovation = forms.CharField(
        required=False, max_length=200, help_text="Part of its name, for example “virtual wards”."
    )
    dimension = forms.ChoiceField(
        label="RE-AIM dimension", required=False, choices=[("", "All dimensions"), *Metric.Dimension.choices]
    )
    signal = forms.ChoiceField(
        required=False, choices=[("", "Any signal"), *((key, label) for key, (label, _) in SIGNALS.items())]
    )
    sort = forms.ChoiceField(required=False, choices=[(key, label) for key, (label, _) in SORTS.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = Hub.objects.order_by("name")
        self.fields["sort"].widget = forms.HiddenInput()

    def filter(self, summaries):
        """The summaries that match the chosen filters, in the chosen order."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("hub"):
            summaries = summaries.filter(indicator__adoption__hub=data["hub"])
        if data.get("innovation"):
            summaries = summaries.filter(indicator__adoption__innovation__name__icontains=data["innovation"])
        if data.get("dimension"):
            summaries = summaries.filter(indicator__metric__dimension=data["dimension"])
        if data.get("signal"):
            summaries = summaries.filter(**SIGNALS[data["signal"]][1])
        if self.sort_key == "completeness":
            summaries = summaries.annotate(completeness_ratio=F("points") * 1.0 / NullIf(F("months_due"), 0))
        return summaries.order_by(*SORTS[self.sort_key][1])

    @property
    def sort_key(self) -> str:
        key = self.data.get("sort", DEFAULT_SORT)
        return key if key in SORTS else DEFAULT_SORT


def summaries_for(request: HttpRequest) -> tuple[SummaryFilterForm, object]:
    form = SummaryFilterForm(request.GET or None)
    summaries = (
        IndicatorSummary.objects.for_user(request.user)
        .current()
        .select_related("indicator__metric", "indicator__adoption__hub", "indicator__adoption__innovation")
    )
    if not roles_of(request.user).reviews_figures:
        # Not an evaluator: some latest figures may be withheld, and these counts decide which.
        summaries = summaries.with_latest_fraction()
    return form, form.filter(summaries)


def latest_withheld(summary: IndicatorSummary, roles: Roles) -> str | None:
    """What stands in for the latest figure if this viewer may not see it ("<8", "Not shown"), else None."""
    value = summary.latest_value
    if value is None or roles.sees_raw_figures_of(summary.indicator.adoption.hub_id):
        return None
    metric = summary.indicator.metric
    if metric.kind == Metric.Kind.COUNT and is_small_count(value):
        return SMALL_COUNT
    if metric.is_percentage and not share_shown(summary.latest_numerator, summary.latest_denominator):
        return NOT_SHOWN
    return None


@dataclass(frozen=True)
class SummaryLine:
    """A row of the page: the summary, and its latest figure as this viewer may see it."""

    summary: IndicatorSummary
    latest: str


def summary_line(summary: IndicatorSummary, roles: Roles) -> SummaryLine:
    withheld = latest_withheld(summary, roles)
    if withheld is not None or summary.latest_value is None:
        return SummaryLine(summary, withheld or "")
    unit = "%" if summary.indicator.metric.is_percentage else ""
    return SummaryLine(summary, f"{format_number(summary.latest_value, 1)}{unit}")


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string minus some parameters, for links that change only those."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@global_readers_only
def summary(request: HttpRequest) -> HttpResponse:
    form, summaries = summaries_for(request)
    page = Paginator(summaries, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = roles_of(request.user)
    return render(
        request,
        "evaluation/summary.html",
        {
            "form": form,
            "page": page,
            "lines": [summary_line(summary, roles) for summary in page],
            "sort": form.sort_key,
            "columns": [(key, label) for key, (label, _) in SORTS.items()],
            "query_without_sort": query_without(request, "sort", "page"),
            "query_without_page": query_without(request, "page"),
        },
    )


CSV_COLUMNS = [
    "Hub",
    "Innovation",
    "Metric",
    "RE-AIM dimension",
    "Unit",
    "Latest month",
    "Latest value",
    "Latest value approved",
    "Variation",
    "Assurance",
    "Months with figures",
    "Months due",
    "Data completeness (%)",
    "Includes submitted figures",
]


def csv_row(summary: IndicatorSummary, roles: Roles) -> list:
    indicator = summary.indicator
    withheld = latest_withheld(summary, roles)
    return [
        indicator.adoption.hub.name,
        indicator.adoption.innovation.name,
        indicator.metric.name,
        indicator.metric.get_dimension_display(),
        indicator.metric.unit,
        summary.latest_period.strftime("%Y-%m") if summary.latest_period else "",
        withheld or ("" if summary.latest_value is None else round(summary.latest_value, 4)),
        "yes" if summary.latest_is_approved else "no",
        variation_label(variation_reading(summary.variation, indicator.metric.improvement)),
        assurance_label(summary.assurance),
        summary.points,
        summary.months_due,
        "" if summary.completeness is None else summary.completeness,
        "yes" if summary.includes_submitted else "no",
    ]


@global_readers_only
def summary_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered summary as CSV, streamed so a national export never sits in memory."""
    _, summaries = summaries_for(request)
    roles = roles_of(request.user)
    rows = (csv_row(summary, roles) for summary in summaries.iterator(chunk_size=2000))
    return csv_streaming_response(
        f"indicator-summary-{timezone.localdate():%Y-%m-%d}.csv", chain([CSV_COLUMNS], rows)
    )
