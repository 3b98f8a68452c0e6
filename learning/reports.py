"""The nightly roll-up's pages: the list of reports, one report (page, CSV per table, PDF), and runs.

Every page is drawn from ``RollupReport.content`` (its shape is described in
``learning/rollup.py``), never recomputed on request. Every signed-in user reads
reports (the login middleware turns the public away); only AHSN admins start runs.

The content keeps raw counts; the report is shared with everyone, so what the page,
the PDF and the CSV show of them passes through ``headline_counts`` and
``equity_disclosed`` here: a count from 1 to 7 reads "<8", and a share worked out
from one is not shown, whoever reads (``core.disclosure``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.csvfile import csv_response
from core.disclosure import NOT_SHOWN, count_cell, count_text, share_shown
from core.disclosure import figure_text as disclosed_figure
from core.forms import submit
from evaluation import mdc
from evaluation.charts import equity_chart
from evaluation.dashboards import GroupReach
from evaluation.mdc import assurance_label, variation_label
from hubs.access import ahsn_admins_only, roles_of
from innovations import complexity as nasss
from innovations.stages import Stage
from outbox.services import item_for
from value.benefits import amount_text_disclosed, people_disclosed
from value.models import Benefit

from . import services
from .models import LearningNote, RollupReport, RollupRun
from .pdf import pdf_response
from .rollup import SECTIONS

PAGE_SIZE = 30
FINISHED = (
    RollupRun.Status.SUCCEEDED,
    RollupRun.Status.UNCHANGED,
    RollupRun.Status.SKIPPED,
    RollupRun.Status.FAILED,
    RollupRun.Status.ABANDONED,
)
SECTION_TITLES = {
    "headline": "Headline figures",
    "innovations": "Innovations across hubs",
    "signals": "Signals since the previous report",
    "equity": "Equity: whom reach reaches",
    "learning": "Learning: new notes",
    "completeness": "Data completeness by hub",
    "revised": "Revised figures",
    "spend": "Spend against award",
    "complexity": "Complexity profiles",
    "benefits": "Benefits expected vs realised",
    "engagement": "Engagement and partnerships",
}


# -- Reading the content ------------------------------------------------------------------------


def _stage_label(value: str) -> str:
    try:
        return Stage(value).label
    except ValueError:
        return value


def _domain_label(value: str) -> str:
    return dict(LearningNote.Domain.choices).get(value, value)


def _kind_label(value: str) -> str:
    return dict(LearningNote.Kind.choices).get(value, value)


def duration(milliseconds: int) -> str:
    return f"{milliseconds / 1000:.1f} s"


def _percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.1f}%"


def _points(change: float | None) -> str:
    return "" if change is None else f"{change:+.1f} points"


@dataclass(frozen=True)
class Count:
    value: str
    label: str
    count: int


def headline_counts(headline: dict) -> dict:
    """The headline's figures as labelled lists, stages in the order adoptions go through them."""
    by_stage = headline.get("adoptions_by_stage", {})
    stages = [
        Count(stage.value, stage.label, by_stage[stage.value]) for stage in Stage if stage.value in by_stage
    ]
    stages += [Count(key, key, n) for key, n in sorted(by_stage.items()) if key not in Stage.values]
    variation = headline.get("indicators_by_variation", {})
    assurance = headline.get("indicators_by_assurance", {})
    # People reached, unlike adoptions and indicators, is a count of people: "<8" when small.
    total_reach = headline.get("total_reach", 0)
    return {
        "stages": stages,
        "variation": [Count(key, variation_label(key), n) for key, n in sorted(variation.items())]
        # Below their programme's minimum for limits ("" reads "Too few figures", evaluation.mdc).
        + ([Count("", mdc.NO_VARIATION, too_few)] if (too_few := headline.get("indicators_too_few")) else []),
        "assurance": [Count(key, assurance_label(key), n) for key, n in sorted(assurance.items())],
        "total_reach": count_cell(total_reach),
        "total_reach_shown": count_text(total_reach),
    }


# A report built before breakdowns other than IMD compared quintile 1 with its 20% share of England.
OLD_EQUITY = {"dimension": "IMD quintile", "group": "1 (most deprived)", "population": 0.2}


def equity_row(row: dict) -> dict:
    """An equity row as stored, in today's shape: a report built before breakdowns kept IMD quintile 1 only."""
    if "dimension" in row:
        return row
    return {
        **row,
        **OLD_EQUITY,
        "people": row["q1"],
        "base": row["all"],
        "people_previous": row.get("q1_previous"),
        "base_previous": row.get("all_previous"),
    }


def equity_reach(row: dict) -> GroupReach:
    """The group's reach as every reader of the report sees it (``raw`` never): the dashboard's own reading."""
    population = row.get("population")
    return GroupReach(
        label=row["group"],
        people=row["people"],
        base=row["base"],
        population=None if population is None else 100 * population,
    )


def equity_disclosed(row: dict) -> dict:
    """One equity row as the page, the PDF and the CSV all show it, without its raw counts.

    The counts as cells (a number or "<8") and as text, and each share (as a fraction and
    as text) only when no count it is worked out from is small; otherwise "Not shown". The
    local population share is no count: always shown. A report built before the counts
    behind the previous share were kept cannot tell whether that share may be shown, so it is not.
    """
    row = equity_row(row)
    reach = equity_reach(row)
    share_ok = not reach.suppressed
    previous = row.get("previous_share")
    previous_ok = (
        previous is not None
        and "base_previous" in row
        and row.get("base_previous") is not None
        and share_shown(row.get("people_previous"), row.get("base_previous"))
    )
    change_ok = share_ok and previous_ok

    def either(shown: bool, value, text: str):
        # No previous report: nothing to show, rather than "Not shown".
        if previous is None:
            return None, ""
        return (value, text) if shown else (NOT_SHOWN, NOT_SHOWN)

    previous_cell, previous_text = either(previous_ok, previous, _percent(previous))
    change_cell, change_text = either(change_ok, row.get("change_points"), _points(row.get("change_points")))
    return {
        "hub": row["hub"],
        "innovation": row["innovation"],
        "metric": row["metric"],
        "dimension": row["dimension"],
        "group": row["group"],
        "suppressed": not share_ok,
        "people": count_cell(row["people"]),
        "base": count_cell(row["base"]),
        "share": row.get("share") if share_ok else NOT_SHOWN,
        "population": row.get("population"),
        "previous_share": previous_cell,
        "change_points": change_cell,
        "people_shown": count_text(row["people"]),
        "base_shown": count_text(row["base"]),
        "share_shown": _percent(row.get("share")) if share_ok else NOT_SHOWN,
        "population_shown": reach.population_shown or "Not entered",
        "gap_shown": reach.gap_shown if share_ok else "",
        "previous_shown": previous_text,
        "change_shown": change_text,
    }


def equity_charts(rows: list[dict]) -> list[dict]:
    """One chart per metric and breakdown, drawn as the equity dashboard draws it (small counts suppressed)."""
    charts = []
    rows = [equity_row(row) for row in rows]
    key = lambda row: (row["metric"], row["dimension"])  # noqa: E731
    for index, ((metric, dimension), chart_rows) in enumerate(
        groupby(sorted(rows, key=key), key=key), start=1
    ):
        bars = [
            (f"{row['innovation']}, {row['hub']}: {row['group']}", equity_reach(row)) for row in chart_rows
        ]
        charts.append(
            {
                "id": f"equity-chart-{index}",
                "title": f"{metric}: the share reached in each group ({dimension}), by hub and innovation, "
                "against its share of the local population",
                "chart": equity_chart(bars),
            }
        )
    return charts


def report_context(report: RollupReport) -> dict:
    """Everything the page and the PDF draw, with what is new since the previous report marked."""
    content = report.content
    innovations = [
        {
            **innovation,
            "new": any(hub.get("moves_since_previous", 0) > 0 for hub in innovation["hubs"]),
            "hubs": [
                {**hub, "stage_label": hub.get("stage_label") or _stage_label(hub["stage"])}
                for hub in innovation["hubs"]
            ],
        }
        for innovation in content.get("innovations", [])
    ]
    equity = [equity_disclosed(row) for row in content.get("equity", [])]
    learning = content.get("learning", {})
    groups = defaultdict(list)
    for note in learning.get("new_notes", []):
        groups[(note["cfir_domain"], note["kind"])].append(note)
    note_groups = [
        {"domain": _domain_label(domain), "kind": _kind_label(kind), "notes": notes}
        for (domain, kind), notes in sorted(groups.items())
    ]
    return {
        "report": report,
        "content": content,
        "duration": duration(report.duration_ms),
        "previous_day": _parse_day(content.get("previous_day")),
        "headline": headline_counts(content.get("headline", {})),
        "innovations": innovations,
        "signals": [
            {**signal, "reading": signal_reading(signal), "before": _before(signal)}
            for signal in content.get("signals", [])
        ],
        "equity": equity,
        "equity_charts": equity_charts(content.get("equity", [])),
        "note_groups": note_groups,
        "new_notes": learning.get("new_notes", []),
        "by_domain_and_kind": [
            {**row, "domain": _domain_label(row["cfir_domain"]), "kind_label": _kind_label(row["kind"])}
            for row in learning.get("by_domain_and_kind", [])
        ],
        "recurring_themes": [
            {**row, "domain": _domain_label(row["cfir_domain"]), "kind_label": _kind_label(row["kind"])}
            for row in learning.get("recurring_themes", [])
        ],
        "completeness": content.get("completeness", []),
        "revised": [revised_disclosed(row) for row in content.get("revised", [])],
        "spend": [
            {**row, **{key: Decimal(row[key]) for key in ("award", "spent", "in_kind", "forecast")}}
            for row in content.get("spend", [])
        ],
        "complexity": content.get("complexity", {"by_domain": [], "adoptions": []}),
        "benefits": [benefit_row(row) for row in content.get("benefits", [])],
        "engagement": content.get("engagement", []),
        "sections": [(section, SECTION_TITLES[section]) for section in SECTIONS],
    }


def benefit_row(row: dict) -> dict:
    """A hub's benefits of one kind and unit, labelled, with exact amounts (1 to 7 people as "<8")."""
    unit = row["unit"]
    return {
        **row,
        "kind_label": Benefit.Kind(row["kind"]).label,
        "unit_label": Benefit.Unit(unit).label,
        **{
            key: amount_text_disclosed(Decimal(row[key]), unit)
            for key in ("expected", "realised", "signed_off")
        },
    }


def revised_disclosed(row: dict) -> dict:
    """A revised figure as everyone may read it: the figure now and before, small counts as "<8"."""
    is_count = row.get("kind") == "count"
    return {
        **row,
        "month": datetime.date.fromisoformat(row["period"]),
        # Reports built before breakdowns named only an IMD quintile.
        "group": row.get("group")
        or (f"IMD quintile {row['imd_quintile']}" if row.get("imd_quintile") else None),
        "figure": disclosed_figure(row["value"], row["numerator"], row["denominator"], is_count=is_count),
        "previous_figure": disclosed_figure(
            row["previous_value"], row["previous_numerator"], row["previous_denominator"], is_count=is_count
        )
        if any(row.get(f"previous_{part}") is not None for part in ("value", "numerator", "denominator"))
        else row["previous"],
    }


def _in_words(label, value: str | None) -> str:
    """A stored reading in words for a CSV cell; empty when there was none."""
    return label(value) if value else ""


def signal_reading(signal: dict, *, previous: bool = False) -> mdc.Reading | None:
    """A signal's reading now (or before), as the indicator page reads it; None for no previous one.

    Reports built before the figures counted were kept have no minimum: read as enough.
    """
    prefix = "previous_" if previous else ""
    points = signal.get(f"{prefix}points")
    if previous and points is None and not signal.get("previous_variation"):
        return None
    return mdc.Reading(
        signal.get(f"{prefix}variation"),
        signal.get(f"{prefix}assurance"),
        points or 0,
        signal.get("min_points", 0),
    )


def _before(signal: dict) -> str:
    """The reading before the change, in words."""
    before = signal_reading(signal, previous=True)
    if before is None:
        return "No reading"
    if before.too_few:
        return before.too_few_label
    return "; ".join(
        [
            before.variation_label if before.variation else "No reading",
            before.assurance_label if before.assurance else "no target assessed",
        ]
    )


def _parse_day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _report_or_404(day: str) -> RollupReport:
    parsed = _parse_day(day)
    if parsed is None:
        raise Http404("No report for that day.")
    return get_object_or_404(RollupReport, day=parsed)


# -- Pages --------------------------------------------------------------------------------------


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """Every report, newest first, with the latest run's status for its day and its headline."""
    page = Paginator(
        RollupReport.objects.order_by("-day").only("day", "content", "duration_ms", "built_at"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    reports = list(page.object_list)
    latest_runs: dict[datetime.date, RollupRun] = {}
    for run in RollupRun.objects.filter(day__in=[report.day for report in reports]).order_by(
        "-queued_at", "-pk"
    ):
        latest_runs.setdefault(run.day, run)
    rows = [
        {
            "report": report,
            "run": latest_runs.get(report.day),
            "duration": duration(report.duration_ms),
            "headline": headline_counts(report.content.get("headline", {})),
        }
        for report in reports
    ]
    return render(
        request,
        "learning/report_list.html",
        {"page": page, "rows": rows, "can_start": roles_of(request.user).curates},
    )


@require_GET
def report_detail(request: HttpRequest, day: str) -> HttpResponse:
    report = _report_or_404(day)
    context = report_context(report)
    context["latest_run"] = report.runs.order_by("-queued_at", "-pk").first()
    context["can_start"] = roles_of(request.user).curates
    return render(request, "learning/report_detail.html", context)


def _csv_table(section: str, content: dict) -> tuple[list[str], list[list]]:
    """The header and rows of one section's table."""
    if section == "headline":
        headline = headline_counts(content.get("headline", {}))
        rows = [["adoptions by stage", item.label, item.count] for item in headline["stages"]]
        rows += [["total reach", "", headline["total_reach"]]]  # "<8" when small
        rows += [["indicators by variation", item.label, item.count] for item in headline["variation"]]
        rows += [["indicators by assurance", item.label, item.count] for item in headline["assurance"]]
        return ["figure", "item", "count"], rows
    if section == "innovations":
        return (
            ["innovation", "hub", "stage", "since", "days_in_stage", "moves_since_previous"],
            [
                [
                    innovation["innovation"],
                    hub["hub"],
                    hub.get("stage_label") or _stage_label(hub["stage"]),
                    hub.get("since", ""),
                    hub.get("days_in_stage", ""),
                    hub.get("moves_since_previous", 0),
                ]
                for innovation in content.get("innovations", [])
                for hub in innovation["hubs"]
            ],
        )
    if section == "signals":
        return (
            ["hub", "innovation", "metric", "change", "variation", "previous_variation", "assurance",
             "previous_assurance", "indicator_id"],
            [
                [row["hub"], row["innovation"], row["metric"], row.get("change", ""),
                 reading.variation_label,
                 _in_words(variation_label, row.get("previous_variation")),
                 reading.assurance_label if reading.too_few or row.get("assurance") else "",
                 _in_words(assurance_label, row.get("previous_assurance")),
                 row["indicator_id"]]
                for row in content.get("signals", [])
                for reading in [signal_reading(row)]
            ],
        )  # fmt: skip
    if section == "equity":
        return (
            ["hub", "innovation", "metric", "breakdown", "group", "people", "of", "share", "population_share",
             "previous_share", "change_points"],
            [
                [row["hub"], row["innovation"], row["metric"], row["dimension"], row["group"], row["people"],
                 row["base"], row["share"], row["population"], row["previous_share"], row["change_points"]]
                for row in map(equity_disclosed, content.get("equity", []))
            ],
        )  # fmt: skip
    if section == "learning":
        return (
            ["created", "hub", "innovation", "cfir_domain", "kind", "title", "note_id"],
            [
                [note["created"], note["hub"], note["innovation"], _domain_label(note["cfir_domain"]),
                 _kind_label(note["kind"]), note["title"], note["note_id"]]
                for note in content.get("learning", {}).get("new_notes", [])
            ],
        )  # fmt: skip
    if section == "benefits":
        return (
            ["hub", "kind", "unit", "benefits", "expected", "realised_to_date", "signed_off"],
            [
                [row["hub"], Benefit.Kind(row["kind"]).label, Benefit.Unit(row["unit"]).label, row["benefits"],
                 *(people_disclosed(row[key], row["unit"]) for key in ("expected", "realised", "signed_off"))]
                for row in content.get("benefits", [])
            ],
        )  # fmt: skip
    if section == "revised":
        return (
            ["hub", "innovation", "metric", "month", "group", "previous_figure", "figure", "indicator_id"],
            [
                [row["hub"], row["innovation"], row["metric"], row["period"][:7], row["group"] or "All people",
                 row["previous_figure"], row["figure"], row["indicator_id"]]
                for row in map(revised_disclosed, content.get("revised", []))
            ],
        )  # fmt: skip
    if section == "complexity":
        return (
            ["hub", "innovation", "checked_on", "checks", *[domain for domain, _ in nasss.DOMAINS],
             "profile", "more_complex", "simpler", "next_due", "overdue"],
            [
                [row["hub"], row["innovation"], row["checked_on"] or "", row["checks"],
                 *[row["ratings"].get(domain, "") for domain, _ in nasss.DOMAINS],
                 row["summary"], row["more_complex"], row["simpler"], row["due_on"] or "",
                 "yes" if row["overdue"] else "no"]
                for row in content.get("complexity", {}).get("adoptions", [])
            ],
        )  # fmt: skip
    if section == "spend":
        return (
            ["hub", "award", "spent", "percent_spent", "percent_time", "forecast", "in_kind",
             "quarters_approved", "forecast_over_award", "lags_behind_time"],
            [
                [row["hub"], row["award"], row["spent"], row["percent_spent"], row["percent_time"],
                 row["forecast"], row["in_kind"], row["quarters_approved"],
                 "yes" if row["forecast_over_award"] else "no", "yes" if row["lags_behind_time"] else "no"]
                for row in content.get("spend", [])
            ],
        )  # fmt: skip
    if section == "engagement":
        columns = ["hub", "partners", "partners_with_other_hubs", "events", "reached", "trained",
                   "events_this_quarter", "reached_this_quarter", "trained_this_quarter"]  # fmt: skip
        return columns, [[row[column] for column in columns] for row in content.get("engagement", [])]
    return (
        ["hub", "due", "reported", "percent"],
        [
            [row["hub"], row["due"], row["reported"], row["percent"]]
            for row in content.get("completeness", [])
        ],
    )


@require_GET
def report_csv(request: HttpRequest, day: str, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404("No such section.")
    report = _report_or_404(day)
    header, rows = _csv_table(section, report.content)
    return csv_response(f"rollup-{report.day.isoformat()}-{section}.csv", [header, *rows])


@require_GET
def report_pdf(request: HttpRequest, day: str) -> HttpResponse:
    report = _report_or_404(day)
    return pdf_response(
        request,
        template="learning/report_pdf.html",
        context=report_context(report),
        filename=f"rollup-{report.day.isoformat()}.pdf",
        unavailable_template="learning/report_pdf_unavailable.html",
    )


# -- Runs ---------------------------------------------------------------------------------------


class RunForm(forms.Form):
    day = forms.DateField(
        label="Day the report is for",
        help_text="The report describes the end of this day. Not in the future.",
        error_messages={"required": "Enter the day the report is for.", "invalid": "Enter a real date."},
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_day(self) -> datetime.date:
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError("The day cannot be in the future.")
        return day


@ahsn_admins_only
def run_start(request: HttpRequest) -> HttpResponse:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    form = RunForm(request.POST or None, initial={"day": yesterday})

    def start(data):
        # Queued through the outbox: if the task queue is down, the run waits for it.
        return services.rollup_run_queue(day=data["day"], by=request.user)

    if request.method == "POST" and (run := submit(form, start)):
        messages.success(request, f"The roll-up for {run.day:%-d %B %Y} is queued.")
        return redirect("learning:run", pk=run.pk)
    return render(request, "learning/run_start.html", {"form": form})


@ahsn_admins_only
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(RollupRun.objects.select_related("report", "started_by"), pk=pk)
    return render(
        request,
        "learning/run_progress.html",
        {
            "run": run,
            "finished": run.status in FINISHED,
            "section_title": SECTION_TITLES.get(run.section, run.section),
            # Whether the task queue has taken the run yet (it may be down), while it is queued.
            "queue": item_for(services.queue_key(run)) if run.status == RollupRun.Status.QUEUED else None,
            # The run that took over the day from one whose worker was lost.
            "next_run": RollupRun.objects.filter(day=run.day, pk__gt=run.pk).order_by("pk").first()
            if run.status == RollupRun.Status.ABANDONED
            else None,
        },
    )


@require_GET
@ahsn_admins_only
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What run-progress.js polls: small, and never cached."""
    run = get_object_or_404(RollupRun.objects.only("status", "section"), pk=pk)
    response = JsonResponse(
        {
            "status": run.status,
            "section": run.section,
            "section_title": SECTION_TITLES.get(run.section, run.section),
            "finished": run.status in FINISHED,
        }
    )
    response["Cache-Control"] = "no-store"
    return response
