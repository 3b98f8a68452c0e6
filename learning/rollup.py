"""The nightly cross-hub roll-up: what each section holds, and how it is built from SQL aggregates.

A report for day D describes the end of D (Europe/London): stage moves dated up to D,
figures approved by then (``Measurement.reviewed_at``), notes written by then. It
compares with the previous report (the latest one before D), so "since the previous
report" means since that report's day.

``RollupReport.content`` is JSON of this shape (every list sorted, so the same data
always gives the same content and the same ``content_hash``):

    {
      "day": "2026-11-24",
      "previous_day": "2026-11-23" | null,
      "headline": {
        "adoptions_by_stage": {"<stage value>": n, ...},      # current (non-archived) adoptions
        "total_reach": n,                                     # approved "people-enrolled"-style reach
                                                              # count totals of the latest month, all hubs
        "indicators_by_variation": {"<reading>": n, ...},   # a variation with its direction
                                                              # (evaluation.mdc.variation_reading)
        "indicators_by_assurance": {"<Assurance value>": n, ...},
        "indicators_too_few": n                               # with approved figures, but fewer than
      },                                                      # their programme's minimum for limits
                                                              # (since the latest rebase): no reading
      "innovations": [                                         # by innovation name, then hub name
        {"innovation": "...", "slug": "...",
         "hubs": [{"hub": "...", "hub_slug": "...", "adoption_id": n, "stage": "<value>",
                   "stage_label": "...", "since": "YYYY-MM-DD", "days_in_stage": n,
                   "moves_since_previous": n}]}
      ],
      "signals": [                                             # indicators whose reading changed
        {"indicator_id": n, "hub": "...", "innovation": "...", "metric": "...",
         "variation": "<reading>" | null, "previous_variation": "<reading>" | null,
         "assurance": "<Assurance>" | null, "previous_assurance": "<Assurance>" | null,
         "points": n, "previous_points": n | null, "min_points": n,   # figures since the latest
                                                              # rebase, and the programme's minimum:
                                                              # below it, no variation or assurance
         "change": "new improvement" | "new concern" | "lost assurance" | "..."}
      ],
      "equity": [                                              # reach metrics' groups, every breakdown
        {"hub": "...", "innovation": "...", "metric": "...", "dimension": "<name>", "group": "<label>",
         "people": n, "base": n, "share": 0.123,             # people in the group, of base people
         "population": 0.2 | null,                            # its local population share then (entered)
         "previous_share": 0.1 | null, "change_points": 2.3 | null,
         "people_previous": n | null, "base_previous": n | null}  # the counts behind previous_share
      ],                                                       # (raw: pages disclose them through
                                                               # learning.reports, core.disclosure).
                                                               # Reports before breakdowns: IMD quintile 1
                                                               # only, as "q1", "all", "q1_previous", ...
      "learning": {
        "new_notes": [{"note_id": n, "title": "...", "hub": "...", "innovation": "...",
                       "kind": "<value>", "cfir_domain": "<value>", "created": "YYYY-MM-DD"}],
        "by_domain_and_kind": [{"cfir_domain": "<value>", "kind": "<value>", "count": n}],
        "recurring_themes": [{"cfir_domain": "<value>", "kind": "barrier", "hubs": ["...", "..."]}]
      },
      "completeness": [{"hub": "...", "due": n, "reported": n, "percent": n}],  # approved months
      "revised": [                                             # approved again since the previous
        {"hub": "...", "innovation": "...", "metric": "...",   # report after being reopened
         "indicator_id": n, "period": "YYYY-MM-DD", "group": "<dimension: label>" | null,  # null: all
         "kind": "<Metric.Kind>",                              # people (before breakdowns: "imd_quintile")
         "value": n | null, "numerator": n | null, "denominator": n | null,            # now (raw)
         "previous": "...",                                    # as it was approved before (text)
         "previous_value": n | null, "previous_numerator": n | null, "previous_denominator": n | null}
      ],                                                       # (raw: pages disclose them)
      "spend": [                                               # by hub name: hubs whose award had
        {"hub": "...", "hub_slug": "...",                      # begun by the day; money as exact
         "award": "475000.00", "spent": "123.45",              # pounds and pence in strings; spent and
         "in_kind": "0.00", "forecast": "...",                 # in kind from quarters approved by the
         "percent_spent": n | null, "percent_time": n,         # end of the day (value.spend), award and
         "quarters_approved": n,                               # dates as the hub holds them now
         "forecast_over_award": bool, "lags_behind_time": bool}
      ],
      "complexity": {                                          # NASSS checks dated up to the day and
        "by_domain": [{"domain": "<field>", "label": "...",    # recorded by its end; adoptions as in
                       "simple": n, "complicated": n, "complex": n}],  # "innovations" (domain order):
        "adoptions": [                                         # how many latest profiles rate it so
          {"hub": "...", "innovation": "...", "adoption_id": n,  # by hub name, then innovation name
           "checked_on": "YYYY-MM-DD" | null, "checks": n,     # null: not checked by then
           "ratings": {"<domain>": "<Rating>", ...},           # the latest check's ({} when none)
           "summary": "2 complex, 3 complicated, 2 simple" | "",
           "more_complex": n, "simpler": n,                    # domains moved since the check before
           "due_on": "YYYY-MM-DD" | null, "overdue": bool}     # null: paused or ended by then
        ]
      },
      "benefits": [                                            # each hub's benefits by kind and unit,
        {"hub": "...", "hub_slug": "...", "kind": "<Benefit.Kind>", "unit": "<Benefit.Unit>",
         "benefits": n, "expected": "1234.50", "realised": "...", "signed_off": "..."}
      ],                          # as of the day (value.benefits.expected_vs_realised); amounts exact
      "engagement": [                                          # by hub name: partnerships in force on
        {"hub": "...", "hub_slug": "...", "partners": n,       # the day and events held by then, each
         "partners_with_other_hubs": n,                        # as its history held it at the end of
         "events": n, "reached": n, "trained": n,              # the day (hubs.engagement): to date,
         "events_this_quarter": n, "reached_this_quarter": n,  # in the day's calendar quarter, and
         "trained_this_quarter": n,                            # per quarter that had events
         "quarters": [{"quarter": "YYYY-MM-DD", "events": n, "reached": n, "trained": n}]}
      ]
    }
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from itertools import groupby
from operator import itemgetter

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone

from core.months import last_complete_month, months_from_to
from evaluation import mdc
from evaluation.models import Indicator, Measurement, Metric, PopulationShare, RebasePoint
from evaluation.spc import Assurance, PointType, xmr
from evaluation.summaries import rebase_indexes
from hubs.engagement import hub_engagement
from hubs.models import Hub
from innovations import complexity as nasss
from innovations.models import Adoption, ComplexityCheck, StageTransition
from innovations.stages import EXIT_STAGES, Stage
from value.benefits import expected_vs_realised
from value.spend import hub_spends

from .models import LearningNote, RollupReport

SECTIONS = (
    "headline",
    "innovations",
    "signals",
    "equity",
    "learning",
    "completeness",
    "revised",
    "spend",
    "complexity",
    "benefits",
    "engagement",
)

PLACES = 4


def end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the portal's time zone (Europe/London)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def previous_report(day: datetime.date) -> RollupReport | None:
    # Only its day: the sections compare with what was true then, recomputed as of that day,
    # so the previous content (megabytes at national scale) need not be read.
    return RollupReport.objects.filter(day__lt=day).order_by("-day").only("day").first()


def approved_by(day: datetime.date | None) -> Q:
    """Measurements approved by the end of ``day`` (none when there is no day)."""
    if day is None:
        return Q(pk__in=[])
    return Q(status=Measurement.Status.APPROVED, reviewed_at__lt=end_of(day), period__lte=day)


def _stage_as_of(day: datetime.date, field: str = "to_stage"):
    latest = StageTransition.objects.filter(adoption=OuterRef("pk"), date__lte=day).order_by(
        "-date", "-recorded_at", "-pk"
    )
    return Subquery(latest.values(field)[:1])


def _adoptions_as_of(day: datetime.date):
    """Current (non-archived) adoptions that had a stage by the end of ``day``, with that stage."""
    return (
        Adoption.objects.filter(archived=False)
        .annotate(stage_then=_stage_as_of(day), since=_stage_as_of(day, "date"))
        .filter(stage_then__isnull=False)
    )


# --------------------------------------------------------------------------------------
# SPC readings as of a day: one query for every indicator's approved monthly totals
# --------------------------------------------------------------------------------------


def spc_readings(day: datetime.date, previous_day: datetime.date | None = None) -> dict[int, dict]:
    """Each current indicator's reading as of ``day`` (and as of ``previous_day``): ``{"now", "before"}``.

    Each is an ``evaluation.mdc.Reading``: the XmR chart read with the metric's direction and
    the programme's minimum for limits, as the indicator page and the summary read it. One
    query fetches every approved monthly total up to ``day`` with when it was approved; the
    series as of the previous day is the same rows approved by then. The loop is over
    indicators (one ``xmr`` each), never a query per row. Archived adoptions' indicators are
    left out, as the summary leaves them out.
    """
    # The figure (a value, or a percentage from numerator and denominator, as
    # ``figure_value`` computes it) and whether it was already approved by the previous day.
    figure = Case(
        When(value__isnull=False, then=Cast("value", FloatField())),
        default=Value(100.0) * Cast("numerator", FloatField()) / Cast("denominator", FloatField()),
        output_field=FloatField(),
    )
    known_then = (
        Case(
            When(Q(reviewed_at__lt=end_of(previous_day), period__lte=previous_day), then=Value(True)),
            default=Value(False),
        )
        if previous_day
        else Value(False)
    )
    rows = (
        Measurement.objects.filter(approved_by(day), group__isnull=True)
        .annotate(figure=figure, known_then=known_then)
        .order_by("indicator", "period")
        .values_list("indicator", "period", "figure", "known_then")
    )
    rebases: dict[int, list[datetime.date]] = defaultdict(list)
    for indicator_id, period in RebasePoint.objects.values_list("indicator", "period"):
        rebases[indicator_id].append(period)
    options = {
        pk: (improvement, target, baseline, min_points)
        for pk, improvement, target, baseline, min_points in Indicator.objects.filter(
            adoption__archived=False
        )
        .values_list(
            "pk",
            "metric__improvement",
            "target",
            "baseline_length",
            "adoption__hub__programme__min_points_for_limits",
        )
        .iterator(chunk_size=10000)
    }

    def reading(pk: int, figures: list[tuple]) -> mdc.Reading:
        improvement, target, baseline, min_points = options[pk]
        rebase_at: list[int] = []
        if pk in rebases:  # rare: only then are the periods needed
            periods = [_as_date(f[1]) for f in figures]
            rebase_at = rebase_indexes(periods, rebases[pk])
        result = xmr(
            [f[2] for f in figures],
            improvement=improvement,
            target=target,
            baseline=baseline,
            rebase_at=rebase_at,
        )
        return mdc.read(result, improvement=improvement, rebase_at=rebase_at, min_points=min_points)

    readings = {}
    for pk, group in groupby(_stream(rows), key=itemgetter(0)):
        if pk not in options:  # an archived adoption's
            continue
        figures = list(group)
        now = reading(pk, figures)
        before = None
        if previous_day:
            then = [f for f in figures if f[3]]
            # Most series are the same as on the previous day: the same reading, no second chart.
            before = now if len(then) == len(figures) else reading(pk, then)
        readings[pk] = {"now": now, "before": before}
    return readings


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------


def headline(day: datetime.date, readings: dict[int, dict] | None = None) -> dict:
    if readings is None:
        readings = spc_readings(day)
    by_stage = dict(
        _adoptions_as_of(day)
        .order_by()
        .values("stage_then")
        .annotate(n=Count("pk"))
        .values_list("stage_then", "n")
    )
    reach = Measurement.objects.filter(
        approved_by(day),
        group__isnull=True,
        indicator__metric__dimension=Metric.Dimension.REACH,
        indicator__metric__kind=Metric.Kind.COUNT,
        indicator__adoption__archived=False,
    )
    latest = reach.aggregate(latest=Max("period"))["latest"]
    total = reach.filter(period=latest).aggregate(total=Sum("value"))["total"] if latest else None
    variation: dict[str, int] = defaultdict(int)
    assurance: dict[str, int] = defaultdict(int)
    too_few = 0
    for reading in (readings_of["now"] for readings_of in readings.values()):
        too_few += reading.too_few
        if reading.variation:
            variation[reading.variation] += 1
        if reading.assurance:
            assurance[reading.assurance] += 1
    return {
        "adoptions_by_stage": {stage: by_stage[stage] for stage in sorted(by_stage)},
        "total_reach": _number(total or 0),
        "indicators_by_variation": dict(sorted(variation.items())),
        "indicators_by_assurance": dict(sorted(assurance.items())),
        "indicators_too_few": too_few,
    }


def innovations(day: datetime.date, previous: dict | None = None) -> list[dict]:
    previous_day = _previous_day(previous)
    moves = StageTransition.objects.filter(adoption=OuterRef("pk"), date__lte=day).exclude(from_stage="")
    if previous_day:
        moves = moves.filter(date__gt=previous_day)
    move_count = moves.order_by().values("adoption").annotate(n=Count("pk")).values("n")
    rows = (
        _adoptions_as_of(day)
        .annotate(moves=Coalesce(Subquery(move_count, output_field=IntegerField()), Value(0)))
        .order_by("innovation__name", "hub__name")
        .values(
            "pk",
            "innovation__name",
            "innovation__slug",
            "hub__name",
            "hub__slug",
            "stage_then",
            "since",
            "moves",
        )
    )
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        since = row["since"]
        if isinstance(since, str):  # SQLite returns a subquery's date as text
            since = datetime.date.fromisoformat(since)
        grouped.setdefault((row["innovation__name"], row["innovation__slug"]), []).append(
            {
                "hub": row["hub__name"],
                "hub_slug": row["hub__slug"],
                "adoption_id": row["pk"],
                "stage": row["stage_then"],
                "stage_label": str(Stage(row["stage_then"]).label),
                "since": since.isoformat(),
                "days_in_stage": (day - since).days,
                "moves_since_previous": row["moves"],
            }
        )
    return [{"innovation": name, "slug": slug, "hubs": hubs} for (name, slug), hubs in grouped.items()]


def _change(now: mdc.Reading, before: mdc.Reading | None) -> str | None:
    had_signal = bool(before and (before.is_improvement or before.is_concern))
    if now.is_concern and not (before and before.is_concern):
        return "new concern"
    if now.is_improvement and not (before and before.is_improvement):
        return "new improvement"
    if (
        before
        and before.assurance == Assurance.CONSISTENT_PASS
        and now.assurance != Assurance.CONSISTENT_PASS
    ):
        return "lost assurance"
    if had_signal and now.variation == PointType.COMMON_CAUSE:
        return "back to common cause"
    # No "back to too few": both days are read with today's rebases and minimum, and the later day
    # has the earlier day's figures (unless one was reopened, and then the reading waits for it).
    return None


def _as_read(now: mdc.Reading, before: mdc.Reading | None) -> dict:
    """A reading as the report stores it: each variation with its direction, the figures it counted."""
    return {
        "variation": now.variation,
        "previous_variation": before.variation if before else None,
        "assurance": now.assurance,
        "previous_assurance": before.assurance if before else None,
        "points": now.points,
        "previous_points": before.points if before else None,
        "min_points": now.min_points,
    }


def signals(
    day: datetime.date, previous: dict | None = None, readings: dict[int, dict] | None = None
) -> list[dict]:
    """Indicators whose reading changed since the previous report's day (as of each day)."""
    if readings is None:
        readings = spc_readings(day, _previous_day(previous))
    changed = {
        pk: change for pk, read in readings.items() if (change := _change(read["now"], read["before"]))
    }
    names = Indicator.objects.filter(pk__in=list(changed), adoption__archived=False).values_list(
        "pk", "adoption__hub__name", "adoption__innovation__name", "metric__name"
    )
    result = [
        {
            "indicator_id": pk,
            "hub": hub,
            "innovation": innovation,
            "metric": metric,
            **_as_read(readings[pk]["now"], readings[pk]["before"]),
            "change": changed[pk],
        }
        for pk, hub, innovation, metric in names
    ]
    return sorted(result, key=lambda s: (s["hub"], s["innovation"], s["metric"], s["indicator_id"]))


def _population_as_of(day: datetime.date) -> dict[tuple[int, int], Decimal]:
    """(hub id, group id) → the local population share (%) as entered by the end of ``day``.

    From the shares' history, so a report rebuilt later reads the shares as they were then,
    not as entered (or removed) since. One query.
    """
    latest: dict[int, tuple] = {}
    records = PopulationShare.history.filter(history_date__lt=end_of(day)).order_by(
        "id", "history_date", "history_id"
    )
    for pk, hub_id, group_id, share, kind in records.values_list(
        "id", "hub", "group", "share", "history_type"
    ):
        latest[pk] = (hub_id, group_id, share, kind)
    return {(hub_id, group_id): share for hub_id, group_id, share, kind in latest.values() if kind != "-"}


def equity(day: datetime.date, previous: dict | None = None) -> list[dict]:
    """Each group's share of the people reached, every breakdown, all approved months to date (sum/sum).

    Per adoption, metric and group: the people in the group, of the people it is a share of
    (in all the breakdown's groups, for a breakdown that splits people; everyone reached in
    the months the hub gave the breakdown's figures for, for PLUS groups, which overlap), the
    group's share of the hub's local population as entered by the end of the day, and the
    share as of the previous report's day. Three queries and the population's history.
    """
    previous_day = _previous_day(previous)
    amount = Coalesce("value", "numerator", output_field=DecimalField(max_digits=14, decimal_places=4))
    then = approved_by(previous_day) if previous_day else None
    reach = Measurement.objects.filter(
        approved_by(day),
        indicator__metric__dimension=Metric.Dimension.REACH,
        indicator__adoption__archived=False,
    )
    group_rows = (
        reach.filter(group__isnull=False)
        .order_by()
        .values(
            "indicator",
            "indicator__adoption__hub",
            "indicator__adoption__hub__name",
            "indicator__adoption__innovation__name",
            "indicator__metric__name",
            "group",
            "group__label",
            "group__position",
            "group__dimension",
            "group__dimension__name",
            "group__dimension__position",
            "group__dimension__partitions",
        )
        .annotate(people=Sum(amount), **({"people_then": Sum(amount, filter=then)} if then else {}))
    )
    rows = [row for row in group_rows if row["people"] is not None]
    # The bases: each breakdown's groups added up, or (PLUS) the totals of its months.
    bases: dict[tuple[int, int], list] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row["group__dimension__partitions"]:
            base = bases[row["indicator"], row["group__dimension"]]
            base[0] += row["people"]
            base[1] += row.get("people_then") or 0
    overlapping = {row["group__dimension"] for row in rows if not row["group__dimension__partitions"]}
    for dimension in overlapping:
        given = reach.filter(
            indicator=OuterRef("indicator"), period=OuterRef("period"), group__dimension=dimension
        )
        totals = (
            reach.filter(group__isnull=True)
            .filter(Exists(given))
            .order_by()
            .values("indicator")
            .annotate(
                people=Sum(amount),
                **({"people_then": Sum(amount, filter=then & Q(Exists(given.filter(then))))} if then else {}),
            )
        )
        for total in totals:
            bases[total["indicator"], dimension] = [total["people"] or 0, total.get("people_then") or 0]
    population = _population_as_of(day)
    found = []
    for row in rows:
        base, base_then = bases[row["indicator"], row["group__dimension"]]
        if not base:
            continue
        people, people_then = row["people"], row.get("people_then") or 0
        share = float(people) / float(base)
        previous_share = float(people_then) / float(base_then) if then is not None and base_then else None
        local = population.get((row["indicator__adoption__hub"], row["group"]))
        found.append(
            (
                (row["group__dimension__position"], row["group__dimension"], row["group__position"]),
                {
                    "hub": row["indicator__adoption__hub__name"],
                    "innovation": row["indicator__adoption__innovation__name"],
                    "metric": row["indicator__metric__name"],
                    "dimension": row["group__dimension__name"],
                    "group": row["group__label"],
                    "people": _number(people),
                    "base": _number(base),
                    "share": round(share, PLACES),
                    "population": None if local is None else round(float(local) / 100, PLACES),
                    "previous_share": None if previous_share is None else round(previous_share, PLACES),
                    # The counts behind the previous share: a page may show that share only if
                    # neither is small (core.disclosure).
                    "people_previous": None if previous_share is None else _number(people_then),
                    "base_previous": None if previous_share is None else _number(base_then),
                    "change_points": None
                    if previous_share is None
                    else round(100 * (share - previous_share), PLACES),
                },
            )
        )
    found.sort(
        key=lambda item: (
            item[1]["hub"],
            item[1]["innovation"],
            item[1]["metric"],
            *item[0],
            item[1]["group"],
        )
    )
    return [row for _, row in found]


def learning(day: datetime.date, previous: dict | None = None) -> dict:
    """Notes written since the previous report's day, and barriers that recur across hubs (to date)."""
    previous_day = _previous_day(previous)
    written = LearningNote.objects.filter(archived=False, created_at__lt=end_of(day))
    new = written.filter(created_at__gte=end_of(previous_day)) if previous_day else written
    new_notes = [
        {
            "note_id": pk,
            "title": title,
            "hub": hub,
            "innovation": innovation,
            "kind": kind,
            "cfir_domain": domain,
            "created": timezone.localtime(created).date().isoformat(),
        }
        for pk, title, hub, innovation, kind, domain, created in new.order_by("created_at", "pk").values_list(
            "pk",
            "title",
            "adoption__hub__name",
            "adoption__innovation__name",
            "kind",
            "cfir_domain",
            "created_at",
        )
    ]
    by_domain_and_kind = [
        {"cfir_domain": domain, "kind": kind, "count": n}
        for domain, kind, n in new.order_by("cfir_domain", "kind")
        .values("cfir_domain", "kind")
        .annotate(n=Count("pk"))
        .values_list("cfir_domain", "kind", "n")
    ]
    barriers = written.filter(kind=LearningNote.Kind.BARRIER).order_by()
    recurring = set(
        barriers.values("cfir_domain")
        .annotate(hubs=Count("adoption__hub", distinct=True))
        .filter(hubs__gte=2)
        .values_list("cfir_domain", flat=True)
    )
    hubs: dict[str, list[str]] = defaultdict(list)
    for domain, hub in (
        barriers.filter(cfir_domain__in=recurring)
        .values_list("cfir_domain", "adoption__hub__name")
        .distinct()
        .order_by("cfir_domain", "adoption__hub__name")
    ):
        hubs[domain].append(hub)
    return {
        "new_notes": new_notes,
        "by_domain_and_kind": by_domain_and_kind,
        "recurring_themes": [
            {"cfir_domain": domain, "kind": LearningNote.Kind.BARRIER.value, "hubs": hubs[domain]}
            for domain in sorted(hubs)
        ],
    }


def completeness(day: datetime.date) -> list[dict]:
    """Per hub: approved monthly totals against the months due, first month to the last complete one."""
    last_month = last_complete_month(day)
    indicators = Indicator.objects.filter(adoption__archived=False, adoption__started_on__lte=day)
    due: dict[str, int] = defaultdict(int)
    for hub, started_on, n in (
        indicators.order_by()
        .values("adoption__hub__name", "adoption__started_on")
        .annotate(n=Count("pk"))
        .values_list("adoption__hub__name", "adoption__started_on", "n")
    ):
        due[hub] += n * months_from_to(started_on, last_month)
    reported = dict(
        Measurement.objects.filter(
            approved_by(day),
            group__isnull=True,
            period__lte=last_month,
            period__gte=TruncMonth("indicator__adoption__started_on"),
            indicator__in=indicators,
        )
        .order_by()
        .values("indicator__adoption__hub__name")
        .annotate(n=Count("pk"))
        .values_list("indicator__adoption__hub__name", "n")
    )
    # Hubs without indicators have nothing due, so are not listed.
    return [
        {
            "hub": hub,
            "due": due[hub],
            "reported": reported.get(hub, 0),
            "percent": round(100 * reported.get(hub, 0) / due[hub]) if due[hub] else 0,
        }
        for hub in sorted(due)
    ]


def revised(day: datetime.date, previous_day: datetime.date | None = None) -> list[dict]:
    """Figures approved again since the previous report after an evaluator reopened them, with what they replaced.

    ``Measurement.revised_from`` holds the figure as approved before the reopening; the
    figure now is its approval by the end of ``day``, after the previous report's day.
    """
    rows = Measurement.objects.filter(approved_by(day)).exclude(revised_from="")
    if previous_day is not None:
        rows = rows.filter(reviewed_at__gte=end_of(previous_day))
    found = [
        (
            (position, group_position),
            {
                "hub": hub,
                "innovation": innovation,
                "metric": metric,
                "indicator_id": indicator_id,
                "period": period.isoformat(),
                "group": f"{dimension}: {label}" if label is not None else None,
                "kind": kind,
                "value": _number(value) if value is not None else None,
                "numerator": numerator,
                "denominator": denominator,
                "previous": previous,
                **_figure_parts(previous),
            },
        )
        for (
            hub,
            innovation,
            metric,
            indicator_id,
            period,
            dimension,
            label,
            position,
            group_position,
            kind,
            value,
            numerator,
            denominator,
            previous,
        ) in rows.order_by().values_list(
            "indicator__adoption__hub__name",
            "indicator__adoption__innovation__name",
            "indicator__metric__name",
            "indicator",
            "period",
            "group__dimension__name",
            "group__label",
            "group__dimension__position",
            "group__position",
            "indicator__metric__kind",
            "value",
            "numerator",
            "denominator",
            "revised_from",
        )
    ]
    # The total first, then each dimension's groups in order (as the pages list a month's figures).
    found.sort(
        key=lambda item: (
            item[1]["hub"],
            item[1]["innovation"],
            item[1]["metric"],
            item[1]["period"],
            item[1]["group"] is not None,
            item[0][0] or 0,
            item[0][1] or 0,
            item[1]["group"] or "",
        )
    )
    return [row for _, row in found]


def spend(day: datetime.date) -> list[dict]:
    """Each hub's approved spend against its award as of ``day``, with the forecast and warnings (``value.spend``)."""
    hubs = Hub.objects.filter(start_date__lte=day).order_by("name")
    return [
        {
            "hub": summary.hub.name,
            "hub_slug": summary.hub.slug,
            "award": str(summary.award),
            "spent": str(summary.spent),
            "in_kind": str(summary.in_kind),
            "forecast": str(summary.forecast),
            "percent_spent": None if summary.share_spent is None else round(summary.share_spent),
            "percent_time": round(summary.share_of_time),
            "quarters_approved": len(summary.quarters),
            "forecast_over_award": summary.forecast_over_award,
            "lags_behind_time": summary.lags_behind_time,
        }
        for summary in hub_spends(hubs, as_of=day, approved_only=True)
    ]


def complexity(day: datetime.date) -> dict:
    """Each adoption's latest NASSS complexity profile as of ``day``, how it moved, and when the next is due."""
    domains = [domain for domain, _ in nasss.DOMAINS]
    checks: dict[int, list[tuple]] = defaultdict(list)  # the latest two, and how many
    counted: dict[int, int] = defaultdict(int)
    rows = (
        ComplexityCheck.objects.as_of(day, end_of(day))
        .order_by("adoption_id", "checked_on", "pk")
        .values_list("adoption_id", "checked_on", *domains)
    )
    for adoption_id, checked_on, *ratings in rows:
        checks[adoption_id] = [*checks[adoption_id][-1:], (checked_on, ratings)]
        counted[adoption_id] += 1
    adoptions = _adoptions_as_of(day).values_list(
        "pk", "hub__name", "innovation__name", "started_on", "stage_then"
    )
    by_domain = {domain: dict.fromkeys(nasss.Rating.values, 0) for domain in domains}
    found = []
    for pk, hub, innovation, started_on, stage in adoptions:
        latest = checks[pk][-1] if checks.get(pk) else None
        before = checks[pk][-2] if len(checks.get(pk, [])) > 1 else None
        due_on = None if stage in EXIT_STAGES else nasss.next_check_due(started_on, latest and latest[0])
        moves = [nasss.direction(b, n) for b, n in zip(before[1], latest[1], strict=True)] if before else []
        if latest:
            for domain, rating in zip(domains, latest[1], strict=True):
                by_domain[domain][rating] += 1
        found.append(
            {
                "hub": hub,
                "innovation": innovation,
                "adoption_id": pk,
                "checked_on": latest[0].isoformat() if latest else None,
                "checks": counted.get(pk, 0),
                "ratings": dict(zip(domains, latest[1], strict=True)) if latest else {},
                "summary": nasss.profile_summary(latest[1]) if latest else "",
                "more_complex": moves.count(1),
                "simpler": moves.count(-1),
                "due_on": due_on.isoformat() if due_on else None,
                "overdue": bool(due_on and due_on < day),
            }
        )
    found.sort(key=itemgetter("hub", "innovation", "adoption_id"))
    return {
        "by_domain": [
            {"domain": domain, "label": label, **by_domain[domain]} for domain, label in nasss.DOMAINS
        ],
        "adoptions": found,
    }


def engagement(day: datetime.date) -> list[dict]:
    """Each hub's partners and engagement as of ``day``, from the rows as they stood at its end (``hubs.engagement``)."""
    hubs = list(Hub.objects.filter(start_date__lte=day).order_by("name"))
    return hub_engagement(hubs, day, stood_at=end_of(day))


FRACTION = re.compile(r"\((\d[\d,]*)/(\d[\d,]*)\)")


def _figure_parts(text: str) -> dict:
    """A figure's parts back from its text (``core.numbers.figure_text``), so pages can disclose them."""
    parts = {"previous_value": None, "previous_numerator": None, "previous_denominator": None}
    if fraction := FRACTION.search(text):
        parts["previous_numerator"], parts["previous_denominator"] = (
            int(number.replace(",", "")) for number in fraction.groups()
        )
        return parts
    with contextlib.suppress(InvalidOperation):  # not a number: the page shows the text as it is
        parts["previous_value"] = _number(Decimal(text.replace(",", "")))
    return parts


# --------------------------------------------------------------------------------------
# The whole report
# --------------------------------------------------------------------------------------


def build_content(day: datetime.date, *, on_section: Callable[[str], None] | None = None) -> dict:
    """The report's content for ``day``; ``on_section(name)`` is called before each section."""
    on_section = on_section or (lambda name: None)
    before = previous_report(day)
    previous = {"day": before.day.isoformat()} if before else None
    previous_day = before.day if before else None
    readings: dict[int, dict] | None = None

    def readings_once() -> dict[int, dict]:
        nonlocal readings
        if readings is None:
            readings = spc_readings(day, previous_day)
        return readings

    builders = {
        "headline": lambda: headline(day, readings_once()),
        "innovations": lambda: innovations(day, previous),
        "signals": lambda: signals(day, previous, readings_once()),
        "equity": lambda: equity(day, previous),
        "learning": lambda: learning(day, previous),
        "completeness": lambda: completeness(day),
        "revised": lambda: revised(day, previous_day),
        "spend": lambda: spend(day),
        "complexity": lambda: complexity(day),
        "benefits": lambda: expected_vs_realised(end_of(day)),
        "engagement": lambda: engagement(day),
    }
    content: dict = {
        "day": day.isoformat(),
        "previous_day": previous_day.isoformat() if previous_day else None,
    }
    for name in SECTIONS:
        on_section(name)
        content[name] = builders[name]()
    return content


def _stream(queryset, chunk_size: int = 20000):
    """A values_list queryset's rows straight from the database cursor, a chunk at a time.

    Skips Django's per-row converters, which cost more than the query on the
    hundreds of thousands of monthly totals: callers convert the few values they need.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def _as_date(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _previous_day(previous: dict | None) -> datetime.date | None:
    return datetime.date.fromisoformat(previous["day"]) if previous else None


def _number(amount) -> int | float:
    """A Decimal or float sum as JSON: an int when whole, else rounded to four places."""
    number = float(amount)
    return int(number) if number.is_integer() else round(number, PLACES)
