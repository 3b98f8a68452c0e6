"""The cross-hub summary: one row per indicator with its Making Data Count icons.

Rows come from ``IndicatorSummary`` (kept up to date on every write), so a page
of any size costs the same few queries and no SPC is computed on request.

Evaluators see every latest figure as it is; anyone else who opens the page (an
AHSN admin) sees a small count as "<8" and no percentage worked out from one,
except for their own hubs (``core.disclosure``).
"""

from collections import defaultdict
from dataclasses import dataclass
from itertools import chain, groupby

from django import forms
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import NullIf
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.csvfile import csv_streaming_response
from core.disclosure import NOT_SHOWN, SMALL_COUNT, figure_disclosed
from core.numbers import figure_value
from hubs.access import Roles, global_readers_only, roles_of
from hubs.models import Hub

from .. import mdc
from ..charts import format_number
from ..models import Indicator, IndicatorSummary, Metric
from ..sparklines import MONTHS as SPARKLINE_MONTHS
from ..sparklines import SparkFigure, Sparkline, sparkline
from ..spc import Assurance, PointType
from ..summaries import recent_totals

PAGE_SIZE = 50

# Signal → (words, filter). Every word is evaluation.mdc's, each variation with its direction: a
# choice of both directions says so ("higher or lower values"). "Too few figures" is below the
# programme's minimum for limits, where the summary stores no reading (evaluation.summaries).
SIGNALS = {
    "improvement": (mdc.EITHER_DIRECTION[mdc.IMPROVEMENTS], {"variation__in": mdc.IMPROVEMENTS}),
    "improvement-higher": (mdc.variation_label(mdc.IMPROVEMENT_HIGH), {"variation": mdc.IMPROVEMENT_HIGH}),
    "improvement-lower": (mdc.variation_label(mdc.IMPROVEMENT_LOW), {"variation": mdc.IMPROVEMENT_LOW}),
    "concern": (mdc.EITHER_DIRECTION[mdc.CONCERNS], {"variation__in": mdc.CONCERNS}),
    "concern-higher": (mdc.variation_label(mdc.CONCERN_HIGH), {"variation": mdc.CONCERN_HIGH}),
    "concern-lower": (mdc.variation_label(mdc.CONCERN_LOW), {"variation": mdc.CONCERN_LOW}),
    "neutral": (mdc.EITHER_DIRECTION[mdc.NEUTRALS], {"variation__in": mdc.NEUTRALS}),
    "common": (mdc.variation_label(PointType.COMMON_CAUSE), {"variation": PointType.COMMON_CAUSE}),
    "too-few": (mdc.NO_VARIATION, {"variation": ""}),
    "failing": (mdc.assurance_label(Assurance.CONSISTENT_FAIL), {"assurance": Assurance.CONSISTENT_FAIL}),
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
# Group key → (label, ordering): the board lists each indicator under its hub, or under its innovation.
GROUPS = {
    "hub": ("Hub", ["indicator__adoption__hub__name", "indicator__adoption__hub_id"]),
    "innovation": (
        "Innovation",
        ["indicator__adoption__innovation__name", "indicator__adoption__innovation_id"],
    ),
}
DEFAULT_GROUP = "hub"


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
    group = forms.ChoiceField(
        label="Group by", required=False, choices=[(key, label) for key, (label, _) in GROUPS.items()]
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
        # The indicator last: a page boundary falls in the same place every time.
        return summaries.order_by(*GROUPS[self.group_key][1], *SORTS[self.sort_key][1], "indicator_id")

    @property
    def sort_key(self) -> str:
        key = self.data.get("sort", DEFAULT_SORT)
        return key if key in SORTS else DEFAULT_SORT

    @property
    def group_key(self) -> str:
        key = self.data.get("group", DEFAULT_GROUP)
        return key if key in GROUPS else DEFAULT_GROUP


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


def withheld(value, numerator, denominator, metric: Metric, *, raw: bool) -> str | None:
    """What stands in for a figure this viewer may not see ("<8", "Not shown"), else None (``core.disclosure``)."""
    if figure_disclosed(value, numerator, denominator, is_count=metric.kind == Metric.Kind.COUNT, raw=raw):
        return None
    return SMALL_COUNT if value is not None else NOT_SHOWN


def latest_withheld(summary: IndicatorSummary, roles: Roles) -> str | None:
    """What stands in for the latest figure if this viewer may not see it, else None."""
    if summary.latest_value is None or roles.sees_raw_figures_of(summary.indicator.adoption.hub_id):
        return None
    metric = summary.indicator.metric
    # A percentage is stored as its counts (``with_latest_fraction``); the summary keeps only the share.
    value = None if metric.is_percentage else summary.latest_value
    return withheld(value, summary.latest_numerator, summary.latest_denominator, metric, raw=False)


def figure_text(value: float, metric: Metric) -> str:
    """A figure as the board prints it: one decimal at most, a percentage with its sign."""
    return f"{format_number(value, 1)}{'%' if metric.is_percentage else ''}"


def sparklines_for(summaries: list[IndicatorSummary], roles: Roles) -> dict[int, Sparkline]:
    """The last 12 months up to each indicator's latest figure, as this viewer may see them: one query."""
    latest = {summary.indicator_id: summary for summary in summaries if summary.latest_period}
    figures: dict[int, dict] = defaultdict(dict)
    rows = recent_totals({pk: summary.latest_period for pk, summary in latest.items()}, SPARKLINE_MONTHS)
    for indicator_id, period, value, numerator, denominator in rows:
        indicator = latest[indicator_id].indicator
        metric = indicator.metric
        hidden = withheld(
            value, numerator, denominator, metric, raw=roles.sees_raw_figures_of(indicator.adoption.hub_id)
        )
        number = figure_value(value, numerator, denominator)
        figures[indicator_id][period] = (
            SparkFigure(hidden, None) if hidden else SparkFigure(figure_text(number, metric), number)
        )
    return {pk: sparkline(summary.latest_period, figures[pk]) for pk, summary in latest.items()}


@dataclass(frozen=True)
class SummaryLine:
    """A row of the board: the summary, and its latest figure and months as this viewer may see them."""

    summary: IndicatorSummary
    latest: str
    sparkline: Sparkline | None = None


def summary_line(summary: IndicatorSummary, roles: Roles, sparkline: Sparkline | None = None) -> SummaryLine:
    withheld_text = latest_withheld(summary, roles)
    if withheld_text is not None or summary.latest_value is None:
        return SummaryLine(summary, withheld_text or "", sparkline)
    return SummaryLine(summary, figure_text(summary.latest_value, summary.indicator.metric), sparkline)


@dataclass(frozen=True)
class SummaryGroup:
    """The rows on this page of one hub, or of one innovation."""

    name: str
    lines: list[SummaryLine]


def grouped(lines: list[SummaryLine], group_key: str) -> list[SummaryGroup]:
    """The page's rows under their hub or innovation, in the order they came (grouped first)."""

    def group_of(line: SummaryLine):
        return getattr(line.summary.indicator.adoption, group_key)

    return [SummaryGroup(group.name, list(members)) for group, members in groupby(lines, key=group_of)]


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string minus some parameters, for links that change only those."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def funnel_metrics() -> list[tuple[str, str]]:
    """(code, name) of each percentage metric some adoption uses: those with a funnel plot across hubs."""
    used = Indicator.objects.filter(metric=OuterRef("pk"))
    return list(
        Metric.objects.filter(Exists(used), kind=Metric.Kind.PERCENTAGE)
        .order_by("name")
        .values_list("code", "name")
    )


@global_readers_only
def summary(request: HttpRequest) -> HttpResponse:
    """The board: every indicator in a compact row under its hub or innovation, with its last 12 months."""
    form, summaries = summaries_for(request)
    page = Paginator(summaries, PAGE_SIZE).get_page(request.GET.get("page"))
    roles = roles_of(request.user)
    rows = list(page)
    sparklines = sparklines_for(rows, roles)
    lines = [summary_line(summary, roles, sparklines.get(summary.indicator_id)) for summary in rows]
    group_key = form.group_key
    return render(
        request,
        "evaluation/summary.html",
        {
            "form": form,
            "page": page,
            "groups": grouped(lines, group_key),
            "group_label": GROUPS[group_key][0],
            # The row names the other of hub and innovation: its group names the one.
            "other": "innovation" if group_key == "hub" else "hub",
            "sort": form.sort_key,
            "sort_label": SORTS[form.sort_key][0],
            "months": SPARKLINE_MONTHS,
            "query_without_sort": query_without(request, "sort", "page"),
            "query_without_page": query_without(request, "page"),
            "funnel_metrics": funnel_metrics(),
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
    hidden = latest_withheld(summary, roles)
    return [
        indicator.adoption.hub.name,
        indicator.adoption.innovation.name,
        indicator.metric.name,
        indicator.metric.get_dimension_display(),
        indicator.metric.unit,
        summary.latest_period.strftime("%Y-%m") if summary.latest_period else "",
        hidden or ("" if summary.latest_value is None else round(summary.latest_value, 4)),
        "yes" if summary.latest_is_approved else "no",
        summary.reading.variation_label,
        summary.reading.assurance_label,
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
