"""Synthetic data at scale for load tests: ``manage.py generate_scale_data --scale N``.

At scale N the generator makes, in its own "Scale test programme":

- ``ceil(50 N)`` hubs ("Scale hub 17"), each with a lead organisation and a host AHSN;
- ``ceil(500 N)`` innovations ("Scale innovation 17");
- ``min(round(5,000 N), hubs × innovations)`` adoptions, spread over every stage, each
  with its stage history;
- 5 indicators per adoption, one per RE-AIM dimension, on the shared metric set
  (``demo/data/metrics.toml``, reused by code when they exist);
- 36 monthly totals per indicator, ending with the last complete month, and for each
  reach indicator that counts people, IMD quintile rows 1–5 and a row for its hub's own PLUS
  group every month as well, and in one adoption in five, rows for the five ethnic groups;
- for each hub, one PLUS group of its own ("Scale PLUS group") and its local population
  shares by IMD quintile, ethnic group and PLUS group (synthetic, marked so);
- for the charts' events: 0 to 4 learning notes per adoption (any kind, dated in its
  months) and a rebase point on about one indicator in ten;
- each hub's quarterly spend since its award began (``demo.spend``: seven lines a quarter,
  the latest quarter submitted, the rest approved), at a pace that differs from hub to hub;
- two or three benefits for two in three adoptions (``demo.benefits``), with up to three
  realised values each, and a history record per benefit dated when it was added.

Innovations with an even position count the people they reach (with the IMD breakdown);
odd ones report reach as the share of people from IMD quintile 1 (a percentage). So at
N = 1 there are 25,000 indicators and 25,000 × 36 + 2,500 × 36 × (5 + 1) + 500 × 36 × 5
= 1,530,000 measurements. ``expected_counts(scale)`` gives every figure. The tables the generator
draws from (which metrics fill each indicator slot, how the adoptions spread over the
stages, the exits' reasons) are data, in ``demo/data/scale.toml``.

Every measurement is stored with ``is_synthetic=True`` and every other row has a name
that says it is made up. Rows are written with bulk inserts (COPY on PostgreSQL for the
measurements) inside one transaction, from a fixed random seed, so the same scale on the
same day gives the same figures. Bulk inserts skip django-simple-history on purpose:
history rows for a million synthetic figures would double the load time and record no
one's change. The population shares (a few hundred) are the exception: the nightly report
reads them from their history, as they were on its day.
"""

from __future__ import annotations

import datetime
import io
import math
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from core.months import add_months
from evaluation import summaries, vocabulary
from evaluation.awaiting import awaiting_refresh_all
from evaluation.models import (
    BreakdownDimension,
    BreakdownGroup,
    Indicator,
    IndicatorSummary,
    Measurement,
    Metric,
    PopulationShare,
    RebasePoint,
)
from hubs.models import EngagementEvent, Hub, Membership, Organisation, Partnership, Programme
from innovations.models import Adoption, ComplexityCheck, Innovation, StageTransition
from innovations.stages import ACTIVE_STAGES, Stage
from learning.models import LearningNote
from value.models import Benefit, RealisedValue, SpendLine, SpendQuarter

from .benefits import benefit_plan, write_benefits
from .complexity import check_plan
from .datafiles import read_metrics, read_scale_tables
from .engagement import SYNTHETIC_NOTE, event_plan, write_events
from .figures import ETHNIC_GROUP_CODES, IMD1_SHARE
from .spend import spend_plan, write_spend

SEED = 1_000_003
PROGRAMME_SLUG = "scale-test-programme"
PROGRAMME_NAME = "Scale test programme"
ORGANISATION_PREFIX = "Scale test "
INNOVATION_SLUG_PREFIX = "scale-innovation-"
HUBS = 50
INNOVATIONS = 500
ADOPTIONS = 5000
MONTHS = 36
PENDING_MONTHS = 2  # the latest months are submitted, not yet approved
QUINTILES = (1, 2, 3, 4, 5)
ETHNIC_EVERY = 5  # one adoption in five breaks its reach count down by ethnic group
PLUS_LABEL = "Scale PLUS group"
POPULATION_SOURCE = "Synthetic shares for load tests: not official statistics"
POPULATION_DATE = datetime.date(2021, 3, 21)
HUBS_PER_AHSN = 5
BATCH = 5000
COPY_ADOPTIONS = 250  # adoptions' figures per COPY chunk (about 70,000 rows)
REBASED_SHARE = 0.1  # of indicators with a rebase point
SYNTHETIC = "Synthetic"  # how the generator's notes and rebases begin, written by no one

_TABLES = read_scale_tables()
# One metric per RE-AIM dimension; where there are two, the innovation's position picks.
SLOTS: tuple[tuple[str, ...], ...] = _TABLES.indicator_slots
# The first slot's first metric counts the people reached, with an IMD quintile breakdown.
REACH_COUNT = SLOTS[0][0]
INDICATORS_PER_ADOPTION = len(SLOTS)
# Where the adoptions stand today: (stage, weight). Exits are reached from an active stage.
STAGE_WEIGHTS: tuple[tuple[Stage, int], ...] = _TABLES.stage_weights
EXIT_REASONS: dict[Stage, str] = _TABLES.exit_reasons

CATEGORIES = list(Innovation.Category.values)
EVIDENCE = list(Innovation.Evidence.values)

ANALYZED_MODELS = [
    Programme,
    Organisation,
    Hub,
    Partnership,
    Innovation,
    Adoption,
    StageTransition,
    Indicator,
    Measurement,
    IndicatorSummary,
    LearningNote,
    RebasePoint,
    SpendQuarter,
    Benefit,
    RealisedValue,
    SpendLine,
]
MEASUREMENT_COLUMNS = [
    "indicator_id",
    "period",
    "group_id",
    "value",
    "numerator",
    "denominator",
    "status",
    "review_note",
    "is_synthetic",
    "submitted_by_id",
    "submitted_at",
    "reviewed_by_id",
    "reviewed_at",
]


class ScaleDataError(Exception):
    """The scale data cannot be loaded as asked; the message says why and what to do."""


@dataclass(frozen=True)
class ExpectedCounts:
    """The rows a load at one scale makes."""

    scale: float
    hubs: int
    innovations: int
    adoptions: int
    indicators: int
    imd_indicators: int
    ethnic_indicators: int
    measurements: int


def adoption_plan(hubs: int, innovations: int, adoptions: int) -> list[tuple[int, int]]:
    """(hub position, innovation position) of each adoption: distinct pairs, spread evenly.

    Adoption k goes to hub k mod H and takes that hub's (k div H)-th innovation, counted
    from an offset that differs per hub, so every innovation is adopted by a few hubs.
    """
    stride = max(1, innovations // hubs)
    return [(k % hubs, (k % hubs * stride + k // hubs) % innovations) for k in range(adoptions)]


def expected_counts(scale: float) -> ExpectedCounts:
    if not scale > 0:
        raise ScaleDataError("The scale must be more than zero.")
    hubs = math.ceil(HUBS * scale)
    innovations = math.ceil(INNOVATIONS * scale)
    # A hub adopts an innovation at most once, so tiny scales have fewer adoptions.
    adoptions = min(max(1, round(ADOPTIONS * scale)), hubs * innovations)
    plan = adoption_plan(hubs, innovations, adoptions)
    imd_indicators = sum(1 for _, innovation in plan if reach_metric(innovation) == REACH_COUNT)
    ethnic_indicators = sum(
        1
        for adoption, (_, innovation) in enumerate(plan)
        if reach_metric(innovation) == REACH_COUNT and by_ethnic_group(adoption)
    )
    indicators = adoptions * INDICATORS_PER_ADOPTION
    return ExpectedCounts(
        scale=scale,
        hubs=hubs,
        innovations=innovations,
        adoptions=adoptions,
        indicators=indicators,
        imd_indicators=imd_indicators,
        ethnic_indicators=ethnic_indicators,
        measurements=indicators * MONTHS
        + imd_indicators * MONTHS * (len(QUINTILES) + 1)  # the quintiles and the hub's PLUS group
        + ethnic_indicators * MONTHS * len(ETHNIC_GROUP_CODES),
    )


def by_ethnic_group(adoption: int) -> bool:
    """Whether an adoption's reach count is broken down by ethnic group too: one in five."""
    return adoption % ETHNIC_EVERY == 0


def slot_metrics(innovation: int) -> list[str]:
    """The metric codes of an adoption's five indicators, chosen by its innovation's position."""
    return [choices[(innovation // (2**slot)) % len(choices)] for slot, choices in enumerate(SLOTS)]


def reach_metric(innovation: int) -> str:
    return slot_metrics(innovation)[0]


def describe_scale(scale: float) -> str:
    return f"Synthetic data for load tests, made by generate_scale_data at scale {scale:g}."


def loaded_scale(programme: Programme) -> float | None:
    match = re.search(r"at scale ([0-9.e+-]+)\.", programme.description)
    return float(match.group(1)) if match else None


def scale_programme() -> Programme | None:
    return Programme.objects.filter(slug=PROGRAMME_SLUG).first()


# --------------------------------------------------------------------------------------
# Series: pure functions of a random stream
# --------------------------------------------------------------------------------------


def series(rng: random.Random, level: float, sd: float) -> list[float]:
    """36 months around ``level`` with noise ``sd``, and now and then a planted signal.

    About half the series are stable; the rest carry a shift, a trend over the last
    months, a single outlier or a slow drift, so SPC readings vary across indicators.
    """
    values = [level + rng.gauss(0, sd) for _ in range(MONTHS)]
    pick = rng.random()
    direction = 1 if rng.random() < 0.5 else -1
    if pick < 0.20:  # a shift: a step of 2-3 sd from a month in the middle
        start, size = rng.randint(10, 28), direction * sd * rng.uniform(2.0, 3.0)
        for i in range(start, MONTHS):
            values[i] += size
    elif pick < 0.35:  # a trend: the last 7-10 months each move the same way
        length = rng.randint(7, 10)
        base = values[MONTHS - length - 1]
        for i in range(MONTHS - length, MONTHS):
            base += direction * sd * rng.uniform(0.6, 1.2)
            values[i] = base
    elif pick < 0.45:  # one month far outside the limits
        values[rng.randint(0, MONTHS - 1)] += direction * sd * rng.uniform(4.0, 6.0)
    elif pick < 0.55:  # a slow drift over the three years
        slope = direction * sd * rng.uniform(0.05, 0.12)
        values = [value + slope * i for i, value in enumerate(values)]
    return values


def split_by_quintile(total: int, weights: tuple[float, ...], rng: random.Random) -> list[int]:
    """A month's count over IMD quintiles 1..5; a few people have no known quintile."""
    jittered = [w * (0.9 + 0.2 * rng.random()) for w in weights]
    scale = sum(jittered)
    known = total - round(total * 0.03 * rng.random())
    counts = [int(known * w / scale) for w in jittered]
    counts[0] += known - sum(counts)
    return counts


def indicator_rows(
    kind: str, code: str, rng: random.Random, weights: tuple[float, ...]
) -> Iterator[tuple[int, int | None, str | None, int | None, int | None]]:
    """(month index, quintile, value, numerator, denominator) for one indicator's 36 months."""
    if kind == Metric.Kind.PERCENTAGE:
        if code == IMD1_SHARE:
            level, sd = 100 * weights[0], 2.0
        else:
            level, sd = rng.uniform(35, 85), rng.uniform(2.0, 5.0)
        denominator_level = rng.uniform(40, 900)
        for i, share in enumerate(series(rng, level, sd)):
            denominator = max(1, round(denominator_level * (0.9 + 0.2 * rng.random())))
            share = min(max(share, 1.0), 99.0)
            yield i, None, None, min(denominator, round(denominator * share / 100)), denominator
    elif kind == Metric.Kind.COUNT:
        level = rng.uniform(20, 400) if code == REACH_COUNT else rng.uniform(3, 40)
        for i, raw in enumerate(series(rng, level, level * rng.uniform(0.05, 0.12))):
            total = max(0, round(raw))
            yield i, None, str(total), None, None
            if code == REACH_COUNT:
                for quintile, count in enumerate(split_by_quintile(total, weights, rng), start=1):
                    yield i, quintile, str(count), None, None
    else:  # rates per 1,000 (one decimal place) and amounts in pounds (two)
        places = 1 if kind == Metric.Kind.RATE else 2
        level = rng.uniform(5, 60) if kind == Metric.Kind.RATE else rng.uniform(20, 400)
        for i, raw in enumerate(series(rng, level, level * rng.uniform(0.05, 0.12))):
            yield i, None, f"{max(raw, 0.0):.{places}f}", None, None


# --------------------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------------------


@dataclass
class LoadReport:
    scale: float
    already_loaded: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class ScaleLoader:
    """Writes one scale's rows in bulk; every step reports its count and time through ``log``."""

    def __init__(self, scale: float, *, today: datetime.date | None = None, log: Callable[[str], None]):
        self.counts = expected_counts(scale)
        self.scale = scale
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.log = log
        self.rng = random.Random(SEED)
        # The breakdowns beyond IMD draw from their own stream: the figures and IMD rows stay as they were.
        self.group_rng = random.Random(SEED + 1)
        self.report = LoadReport(scale=scale)
        last_month = add_months(self.today, -1)
        self.months = [add_months(last_month, i - MONTHS + 1) for i in range(MONTHS)]

    def step(self, label: str, work: Callable[[], int], unit: str = "rows") -> None:
        started = time.perf_counter()
        made = work()
        elapsed = time.perf_counter() - started
        self.report.seconds[label] = round(elapsed, 2)
        self.report.counts[label] = made
        self.log(f"  {label}: {made:,} {unit} in {elapsed:.1f} s")

    def run(self) -> LoadReport:
        c = self.counts
        self.log(
            f"Loading scale {self.scale:g}: {c.hubs:,} hubs, {c.innovations:,} innovations, "
            f"{c.adoptions:,} adoptions, {c.indicators:,} indicators, {c.measurements:,} measurements."
        )
        self.step("programme, organisations and hubs", self.make_hubs)
        self.step("innovations", self.make_innovations)
        self.step("metrics", self.make_metrics)
        self.step("adoptions", self.make_adoptions)
        self.step("stage transitions", self.make_transitions)
        self.step("indicators", self.make_indicators)
        self.step("PLUS groups and local population shares", self.make_breakdowns)
        self.step("measurements", self.make_measurements)
        self.step("learning notes", self.make_notes)
        self.step("rebase points", self.make_rebases)
        self.step("spend quarters and lines", self.make_spend)
        self.step("complexity checks", self.make_complexity)
        self.step("benefits and realised values", self.make_benefits)
        self.step("engagement events", self.make_events)
        # Bulk inserts skip the services, so bring the dashboard summaries and the review queue's counts up to date here.
        self.step(
            "indicator summaries",
            lambda: summaries.refresh_all(Indicator.objects.filter(adoption__hub__programme=self.programme)),
        )
        self.step("figures awaiting review, counted per adoption-month", awaiting_refresh_all)
        return self.report

    # -- rows ------------------------------------------------------------------------------

    def make_hubs(self) -> int:
        # bulk_create even for one row: like every row here, no history for synthetic data.
        [self.programme] = Programme.objects.bulk_create(
            [
                Programme(
                    slug=PROGRAMME_SLUG,
                    name=PROGRAMME_NAME,
                    funder="Synthetic funder (load tests)",
                    award_cap=Decimal("475000"),
                    duration_months=MONTHS,
                    description=describe_scale(self.scale),
                )
            ]
        )
        ahsns = Organisation.objects.bulk_create(
            Organisation(
                name=f"{ORGANISATION_PREFIX}AHSN {n + 1}",
                kind=Organisation.Kind.AHSN,
                region=f"Scale region {n + 1}",
            )
            for n in range(math.ceil(self.counts.hubs / HUBS_PER_AHSN))
        )
        leads = Organisation.objects.bulk_create(
            Organisation(
                name=f"{ORGANISATION_PREFIX}ICB {n + 1}",
                kind=Organisation.Kind.ICB,
                region=f"Scale region {n // HUBS_PER_AHSN + 1}",
            )
            for n in range(self.counts.hubs)
        )
        start = self.months[0]
        self.hubs = Hub.objects.bulk_create(
            Hub(
                programme=self.programme,
                name=f"Scale hub {n + 1}",
                slug=f"scale-hub-{n + 1}",
                region=f"Scale region {n // HUBS_PER_AHSN + 1}",
                lead_organisation=leads[n],
                host_ahsn=ahsns[n // HUBS_PER_AHSN],
                award=Decimal(400000 + 1000 * (n % 75)),
                start_date=start,
                end_date=add_months(start, MONTHS + 12),
                priorities="Synthetic hub for load tests.",
            )
            for n in range(self.counts.hubs)
        )
        partnerships = [
            partnership
            for n, hub in enumerate(self.hubs)
            for partnership in (
                Partnership(
                    hub=hub,
                    organisation=ahsns[n // HUBS_PER_AHSN],
                    role=Partnership.Role.HOST,
                    joined_on=hub.start_date,
                ),
                Partnership(
                    hub=hub, organisation=leads[n], role=Partnership.Role.LEAD, joined_on=hub.start_date
                ),
            )
        ]
        # With history from the day each joined: the nightly report reads partnerships as their history holds them.
        joined = timezone.make_aware(datetime.datetime.combine(start, datetime.time(9)))
        bulk_create_with_history(
            partnerships, Partnership, default_date=joined, default_change_reason=SYNTHETIC
        )
        # Each hub's population by IMD quintile, from deprived to affluent areas.
        self.quintile_weights = []
        for _ in self.hubs:
            tilt = self.rng.uniform(-1.5, 2.5)  # above 0: more people in deprived areas
            raw = [max(0.02, 0.2 + tilt * (0.1 - 0.05 * q)) for q in range(5)]
            self.quintile_weights.append(tuple(w / sum(raw) for w in raw))
        return 1 + len(ahsns) + len(leads) + len(self.hubs)

    def make_innovations(self) -> int:
        self.innovations = Innovation.objects.bulk_create(
            (
                Innovation(
                    name=f"Scale innovation {n + 1}",
                    slug=f"{INNOVATION_SLUG_PREFIX}{n + 1}",
                    summary="Synthetic innovation for load tests.",
                    category=CATEGORIES[n % len(CATEGORIES)],
                    evidence_level=EVIDENCE[n % len(EVIDENCE)],
                    origin="Synthetic (generate_scale_data)",
                    status=Innovation.Status.APPROVED,
                )
                for n in range(self.counts.innovations)
            ),
            batch_size=BATCH,
        )
        return len(self.innovations)

    def make_metrics(self) -> int:
        """The shared metric set (``metrics.toml``, as the demo makes it), created only where missing."""
        specs = read_metrics()
        found = {
            metric.code: metric for metric in Metric.objects.filter(code__in=[spec.code for spec in specs])
        }
        missing = [Metric(**asdict(spec)) for spec in specs if spec.code not in found]
        for metric in Metric.objects.bulk_create(missing):
            found[metric.code] = metric
        self.metrics = found
        return len(missing)

    def make_adoptions(self) -> int:
        first_month = self.months[0]
        self.plan = adoption_plan(self.counts.hubs, self.counts.innovations, self.counts.adoptions)
        self.histories: list[list[tuple[str, Stage, datetime.date, str]]] = []
        stages, weights = zip(*STAGE_WEIGHTS, strict=True)
        adoptions = []
        for hub, innovation in self.plan:
            started_on = first_month + datetime.timedelta(days=self.rng.randint(0, 20))
            history = self.stage_history(self.rng.choices(stages, weights)[0], started_on)
            self.histories.append(history)
            adoptions.append(
                Adoption(
                    hub=self.hubs[hub],
                    innovation=self.innovations[innovation],
                    stage=history[-1][1],
                    stage_since=history[-1][2],
                    started_on=started_on,
                    aims="Synthetic adoption for load tests.",
                )
            )
        self.adoptions = Adoption.objects.bulk_create(adoptions, batch_size=BATCH)
        return len(self.adoptions)

    def stage_history(
        self, final: Stage, started_on: datetime.date
    ) -> list[tuple[str, Stage, datetime.date, str]]:
        """(from stage, to stage, date, reason) moves from "Identified" to ``final``, in date order."""
        if final in EXIT_REASONS:
            path_end = self.rng.randint(0, ACTIVE_STAGES.index(Stage.IMPLEMENTED))
        else:
            path_end = ACTIVE_STAGES.index(final)
        # Forward moves may skip stages: keep each intermediate one with a 3-in-4 chance.
        path = [ACTIVE_STAGES[0]] + [
            stage
            for stage in ACTIVE_STAGES[1 : path_end + 1]
            if stage == ACTIVE_STAGES[path_end] or self.rng.random() < 0.75
        ]
        if final in EXIT_REASONS:
            path.append(final)
        span = max(1, (self.today - started_on).days - 1)
        days = sorted(self.rng.sample(range(1, span + 1), min(span, len(path) - 1)))
        history = [("", path[0], started_on, "")]
        for previous, stage, day in zip(path, path[1:], days, strict=False):
            history.append(
                (previous, stage, started_on + datetime.timedelta(days=day), EXIT_REASONS.get(stage, ""))
            )
        return history

    def make_transitions(self) -> int:
        transitions = [
            StageTransition(
                adoption=adoption,
                from_stage=from_stage,
                to_stage=to_stage,
                date=day,
                reason=reason,
                recorded_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
            )
            for adoption, history in zip(self.adoptions, self.histories, strict=True)
            for from_stage, to_stage, day, reason in history
        ]
        StageTransition.objects.bulk_create(transitions, batch_size=BATCH)
        return len(transitions)

    def make_indicators(self) -> int:
        indicators = []
        for adoption, (_, innovation) in zip(self.adoptions, self.plan, strict=True):
            for code in slot_metrics(innovation):
                metric = self.metrics[code]
                target = None
                if self.rng.random() < 0.4:  # some indicators have a target, so assurance varies
                    target = Decimal(self.rng.randint(50, 90)) if metric.is_percentage else None
                indicators.append(
                    Indicator(
                        adoption=adoption,
                        metric=metric,
                        target=target,
                        baseline_length=12 if self.rng.random() < 0.2 else None,
                    )
                )
        self.indicators = Indicator.objects.bulk_create(indicators, batch_size=BATCH)
        return len(self.indicators)

    # -- what the charts mark: notes and rebases, from their own random stream so the figures stay as they were

    def make_spend(self) -> int:
        # Paces from 0.5 to 1.4 of an even spread: some hubs lag, some head past their award.
        plans = {
            hub: spend_plan(hub, today=self.today, pace=0.5 + (n % 10) / 10, rng=self.rng)
            for n, hub in enumerate(self.hubs)
        }
        return write_spend(plans, lead_of={}, evaluator=None, history=False, now=self.now)

    def make_complexity(self) -> int:
        """Two synthetic NASSS checks per adoption (``demo.complexity``), each reason marked synthetic."""
        adoptions = Adoption.objects.filter(hub__programme=self.programme).order_by("pk")
        checks = [
            check
            for index, adoption in enumerate(adoptions.only("pk", "started_on", "lead_id"))
            for check in check_plan(
                adoption, index=index, today=self.today, rng=self.rng, prefix=f"{SYNTHETIC}: "
            )
        ]
        ComplexityCheck.objects.bulk_create(checks, batch_size=BATCH)
        return len(checks)

    def make_benefits(self) -> int:
        rng = random.Random(SEED + 7)  # its own stream, so the figures stay as they were
        plans = []
        for index, adoption in enumerate(self.adoptions):
            if index % 3 != 2:
                plans += benefit_plan(adoption, rng=rng, today=self.today, now=self.now)
        return write_benefits(plans)

    def make_events(self) -> int:
        """An engagement log per hub (``demo.engagement``), its host and lead taking part; with history, as the
        nightly report reads events as their history holds them."""
        partners: dict[int, list[Organisation]] = {}
        for partnership in Partnership.objects.filter(hub__in=self.hubs).select_related("organisation"):
            partners.setdefault(partnership.hub_id, []).append(partnership.organisation)
        rng = random.Random(SEED + 11)  # its own stream, so the other steps' figures stay as they were
        plans = [
            plan
            for hub in self.hubs
            for plan in event_plan(hub, partners.get(hub.pk, []), today=self.today, now=self.now, rng=rng)
        ]
        return write_events(plans, batch_size=BATCH)

    def make_notes(self) -> int:
        rng = random.Random(SEED + 1)
        kinds, domains = LearningNote.Kind.values, LearningNote.Domain.values
        notes = []
        for adoption in self.adoptions:
            days = max(1, (self.today - adoption.started_on).days)
            for _ in range(rng.randint(0, 4)):
                kind = rng.choice(kinds)
                day = adoption.started_on + datetime.timedelta(days=rng.randrange(days))
                notes.append(
                    LearningNote(
                        adoption=adoption,
                        kind=kind,
                        cfir_domain=rng.choice(domains),
                        title=f"{SYNTHETIC} {kind} {len(notes) + 1}",
                        text="Synthetic note for load tests.",
                        created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(11))),
                    )
                )
        LearningNote.objects.bulk_create(notes, batch_size=BATCH)
        return len(notes)

    def make_rebases(self) -> int:
        rng = random.Random(SEED + 2)
        rebases = [
            RebasePoint(
                indicator=indicator,
                period=self.months[rng.randint(12, MONTHS - 7)],
                reason=f"{SYNTHETIC} rebase: the service changed",
            )
            for indicator in self.indicators
            if rng.random() < REBASED_SHARE
        ]
        RebasePoint.objects.bulk_create(rebases, batch_size=BATCH)
        return len(rebases)

    # -- measurements ----------------------------------------------------------------------

    def measurement_rows(self, first: int, last: int) -> Iterator[tuple]:
        """Rows (in MEASUREMENT_COLUMNS order) for the figures of adoptions ``first``..``last - 1``."""
        submit_times, review_lags = self.submission_times()
        pending_from = MONTHS - PENDING_MONTHS
        rng = self.rng
        for a in range(first, last):
            hub, _ = self.plan[a]
            weights = self.quintile_weights[hub]
            for indicator in self.indicators[a * INDICATORS_PER_ADOPTION : (a + 1) * INDICATORS_PER_ADOPTION]:
                metric = self.metrics_by_id[indicator.metric_id]
                submitted_at = reviewed_at = None
                for i, quintile, value, numerator, denominator in indicator_rows(
                    metric.kind, metric.code, rng, weights
                ):
                    if quintile is None:  # the quintile rows go in with their month's total
                        submitted_at = submit_times[i][int(rng.random() * len(submit_times[i]))]
                        reviewed_at = (
                            None if i >= pending_from else submitted_at + review_lags[int(rng.random() * 11)]
                        )
                    status = (
                        Measurement.Status.SUBMITTED if i >= pending_from else Measurement.Status.APPROVED
                    )
                    submission = (status, "", True, None, submitted_at, None, reviewed_at)
                    group = self.imd_group_ids[quintile] if quintile else None
                    yield (indicator.pk, self.months[i], group, value, numerator, denominator, *submission)
                    if quintile is None and metric.code == REACH_COUNT:
                        for group, count in self.group_rows(a, hub, int(value)):
                            yield (indicator.pk, self.months[i], group, count, None, None, *submission)

    def submission_times(self):
        """Per month, the moments a figure may have been sent (the 4th-15th of the next month)."""
        if not hasattr(self, "_submission_times"):
            times = []
            for month in self.months:
                sent = add_months(month, 1)
                moments = [
                    min(
                        self.now,
                        timezone.make_aware(datetime.datetime(sent.year, sent.month, day, 9 + day % 7)),
                    )
                    for day in range(4, 16)
                ]
                times.append(moments)
            lags = [datetime.timedelta(days=days) for days in range(2, 13)]
            self._submission_times = (times, lags)
        return self._submission_times

    def make_breakdowns(self) -> int:
        """A PLUS group per hub, and each hub's local population by IMD quintile, ethnic group and PLUS group."""
        rng = self.group_rng
        national = {
            (dimension, code): pk
            for pk, dimension, code in BreakdownGroup.objects.filter(hub__isnull=True).values_list(
                "pk", "dimension__code", "code"
            )
        }
        self.imd_group_ids = {quintile: national[vocabulary.IMD, str(quintile)] for quintile in QUINTILES}
        self.ethnic_group_ids = [national[vocabulary.ETHNIC_GROUP, code] for code in ETHNIC_GROUP_CODES]
        plus = BreakdownDimension.objects.get(code=vocabulary.PLUS)
        self.plus_groups = BreakdownGroup.objects.bulk_create(
            BreakdownGroup(dimension=plus, hub=hub, label=PLUS_LABEL, code=slugify(PLUS_LABEL), position=1)
            for hub in self.hubs
        )
        self.ethnic_weights, self.plus_shares, shares = [], [], []
        for n, hub in enumerate(self.hubs):
            # The population by IMD quintile about as the hub reaches it; a mostly white population whose
            # other groups vary from hub to hub; the PLUS group a small share of it.
            imd = [weight * rng.uniform(0.85, 1.15) for weight in self.quintile_weights[n]]
            white = rng.uniform(0.55, 0.95)
            others = [rng.uniform(0.2, 1.0) for _ in range(len(ETHNIC_GROUP_CODES) - 1)]
            ethnic = [(1 - white) * other / sum(others) for other in others]
            ethnic.insert(ETHNIC_GROUP_CODES.index("white"), white)
            self.ethnic_weights.append(tuple(ethnic))
            self.plus_shares.append(rng.uniform(0.005, 0.05))
            populations = [
                *zip(self.imd_group_ids.values(), (w / sum(imd) for w in imd), strict=True),
                *zip(self.ethnic_group_ids, ethnic, strict=True),
                (self.plus_groups[n].pk, self.plus_shares[n]),
            ]
            shares += [
                PopulationShare(
                    hub=hub,
                    group_id=group_id,
                    share=(Decimal(share) * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN),
                    source=POPULATION_SOURCE,
                    source_date=POPULATION_DATE,
                    is_synthetic=True,
                )
                for group_id, share in populations
            ]
        # With their history, dated at the first month: the nightly report reads the shares as of its day.
        bulk_create_with_history(
            shares,
            PopulationShare,
            batch_size=BATCH,
            default_change_reason=SYNTHETIC,
            default_date=timezone.make_aware(datetime.datetime.combine(self.months[0], datetime.time())),
        )
        return len(self.plus_groups) + len(shares)

    def group_rows(self, adoption: int, hub: int, total: int) -> Iterator[tuple[int, str]]:
        """(group id, count) of a month's reach total: the hub's PLUS group, and one adoption in five by ethnic group."""
        rng = self.group_rng
        yield (
            self.plus_groups[hub].pk,
            str(min(total, round(total * self.plus_shares[hub] * rng.uniform(1.0, 2.0)))),
        )
        if by_ethnic_group(adoption):
            counts = split_by_quintile(total, self.ethnic_weights[hub], rng)
            yield from zip(self.ethnic_group_ids, (str(count) for count in counts), strict=True)

    def make_measurements(self) -> int:
        self.metrics_by_id = {metric.pk: metric for metric in self.metrics.values()}
        written = 0
        for first in range(0, len(self.adoptions), COPY_ADOPTIONS):
            rows = self.measurement_rows(first, min(first + COPY_ADOPTIONS, len(self.adoptions)))
            written += (
                self.copy_measurements(rows)
                if connection.vendor == "postgresql"
                else self.insert_measurements(rows)
            )
            if first and first % (COPY_ADOPTIONS * 4) == 0:
                self.log(f"    {written:,} measurements so far")
        return written

    @staticmethod
    def insert_measurements(rows: Iterator[tuple]) -> int:
        """The portable path (SQLite in tests): bulk_create in large batches."""
        objects = []
        for row in rows:
            values = dict(zip(MEASUREMENT_COLUMNS, row, strict=True))
            if values["value"] is not None:
                values["value"] = Decimal(values["value"])
            objects.append(Measurement(**values))
        Measurement.objects.bulk_create(objects, batch_size=BATCH)
        return len(objects)

    @staticmethod
    def copy_measurements(rows: Iterator[tuple]) -> int:
        """The PostgreSQL path: one COPY per chunk, several times faster than INSERTs."""
        buffer = io.StringIO()
        count = 0
        for row in rows:
            buffer.write("\t".join(r"\N" if cell is None else _copy_text(cell) for cell in row))
            buffer.write("\n")
            count += 1
        buffer.seek(0)
        columns = ", ".join(MEASUREMENT_COLUMNS)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {Measurement._meta.db_table} ({columns}) FROM STDIN", buffer)
        return count

    def analyze(self) -> int:
        """Fresh statistics (and, outside a transaction, a vacuum) so the first queries get good plans.

        A VACUUM also sets the visibility map, so the first page views after a load
        do not pay for it; it cannot run inside a transaction, so there (tests) it is
        only an ANALYZE.
        """
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in ANALYZED_MODELS:
                cursor.execute(f"{command} {model._meta.db_table}")
        return len(ANALYZED_MODELS)


def _copy_text(cell) -> str:
    if cell is True:
        return "t"
    if isinstance(cell, datetime.datetime):
        return cell.isoformat()
    return str(cell)


# --------------------------------------------------------------------------------------
# Removing a load (``--replace``)
# --------------------------------------------------------------------------------------


def user_entered_rows(programme: Programme) -> dict[str, int]:
    """Rows people added to the scale data through the portal: ``--replace`` will not delete these."""
    adoptions = Adoption.objects.filter(hub__programme=programme)
    found = {
        "figures not marked synthetic": Measurement.objects.filter(
            indicator__adoption__in=adoptions, is_synthetic=False
        ).count(),
        "learning notes": LearningNote.objects.filter(adoption__in=adoptions)
        .exclude(author=None, title__startswith=SYNTHETIC)
        .count(),
        "rebase points": RebasePoint.objects.filter(indicator__adoption__in=adoptions)
        .exclude(created_by=None, reason__startswith=SYNTHETIC)
        .count(),
        "hub memberships": Membership.objects.filter(hub__programme=programme).count(),
        "engagement events not marked synthetic": EngagementEvent.objects.filter(hub__programme=programme)
        .exclude(notes=SYNTHETIC_NOTE)
        .count(),
        "complexity checks not marked synthetic": ComplexityCheck.objects.filter(
            adoption__in=adoptions, is_synthetic=False
        ).count(),
        "benefits not marked synthetic": Benefit.objects.filter(
            adoption__in=adoptions, is_synthetic=False
        ).count(),
        "realised values not marked synthetic": RealisedValue.objects.filter(
            benefit__adoption__in=adoptions, is_synthetic=False
        ).count(),
        "PLUS groups people added": BreakdownGroup.objects.filter(hub__programme=programme)
        .exclude(label=PLUS_LABEL, created_by=None)
        .count(),
        "population shares people entered": PopulationShare.objects.filter(
            hub__programme=programme, is_synthetic=False
        ).count(),
        "spend quarters not marked synthetic": SpendQuarter.objects.filter(
            hub__programme=programme, is_synthetic=False
        ).count(),
        "stage moves made by people": StageTransition.objects.filter(
            adoption__in=adoptions, moved_by__isnull=False
        ).count(),
        # Rows outside the programme that use its innovations or organisations: the
        # reload would need those names again.
        "other hubs' adoptions of scale innovations": Adoption.objects.filter(
            innovation__slug__startswith=INNOVATION_SLUG_PREFIX
        )
        .exclude(hub__programme=programme)
        .count(),
        "partnerships people added": Partnership.objects.filter(
            Q(hub__programme=programme) ^ Q(organisation__name__startswith=ORGANISATION_PREFIX)
        ).count(),
    }
    return {label: count for label, count in found.items() if count}


def _raw_delete(queryset) -> int:
    # One DELETE statement per table. Django's collector would load every row (a
    # million measurements) to send simple-history's per-row signals; these rows are
    # synthetic and have no history, so there is nothing for those signals to record.
    return queryset._raw_delete(queryset.db)


@transaction.atomic
def remove_scale_data(programme: Programme, *, log: Callable[[str], None]) -> int:
    """Delete the scale programme and every row the generator made for it; nothing else."""
    user_rows = user_entered_rows(programme)
    if user_rows:
        listed = ", ".join(f"{count:,} {label}" for label, count in user_rows.items())
        raise ScaleDataError(
            f"The scale test programme holds rows that people entered ({listed}); "
            "not replacing it. Remove those rows first."
        )
    started = time.perf_counter()
    adoptions = Adoption.objects.filter(hub__programme=programme)
    hubs = Hub.objects.filter(programme=programme)
    deleted = 0
    deleted += _raw_delete(Measurement.objects.filter(indicator__adoption__in=adoptions, is_synthetic=True))
    deleted += _raw_delete(IndicatorSummary.objects.filter(indicator__adoption__in=adoptions))
    # Only the generator's own notes and rebases are left by now (user_entered_rows refused the others).
    deleted += _raw_delete(RebasePoint.objects.filter(indicator__adoption__in=adoptions))
    deleted += _raw_delete(LearningNote.objects.filter(adoption__in=adoptions))
    deleted += _raw_delete(Indicator.objects.filter(adoption__in=adoptions))
    deleted += _raw_delete(StageTransition.objects.filter(adoption__in=adoptions))
    deleted += _raw_delete(ComplexityCheck.objects.filter(adoption__in=adoptions))
    deleted += _raw_delete(RealisedValue.objects.filter(benefit__adoption__in=adoptions))
    deleted += _raw_delete(Benefit.history.model.objects.filter(adoption__in=adoptions))
    deleted += _raw_delete(Benefit.objects.filter(adoption__in=adoptions))
    deleted += _raw_delete(adoptions)
    deleted += _raw_delete(SpendLine.objects.filter(quarter__hub__in=hubs))
    deleted += _raw_delete(SpendQuarter.objects.filter(hub__in=hubs))
    events = EngagementEvent.objects.filter(hub__in=hubs)
    deleted += _raw_delete(EngagementEvent.organisations.through.objects.filter(engagementevent__in=events))
    deleted += _raw_delete(
        EngagementEvent.history.model.organisations.model.objects.filter(history__hub__in=hubs)
    )
    deleted += _raw_delete(EngagementEvent.history.filter(hub__in=hubs))
    deleted += _raw_delete(events)
    deleted += _raw_delete(Partnership.history.filter(hub__in=hubs))
    deleted += _raw_delete(PopulationShare.history.filter(hub__in=hubs))
    deleted += _raw_delete(PopulationShare.objects.filter(hub__in=hubs))
    deleted += _raw_delete(BreakdownGroup.objects.filter(hub__in=hubs))
    deleted += _raw_delete(Partnership.objects.filter(hub__in=hubs))
    deleted += _raw_delete(Hub.clinical_areas.through.objects.filter(hub__in=hubs))
    deleted += _raw_delete(hubs)
    deleted += _raw_delete(
        Organisation.objects.filter(
            name__startswith=ORGANISATION_PREFIX, led_hubs=None, hosted_hubs=None, partnerships=None
        )
    )
    deleted += _raw_delete(
        Innovation.objects.filter(
            slug__startswith=INNOVATION_SLUG_PREFIX, adoptions=None, clinical_areas=None
        )
    )
    deleted += _raw_delete(Programme.objects.filter(pk=programme.pk))
    log(f"  removed {deleted:,} rows of earlier scale data in {time.perf_counter() - started:.1f} s")
    return deleted


def generate_scale_data(
    *,
    scale: float,
    replace: bool = False,
    today: datetime.date | None = None,
    log: Callable[[str], None] = print,
) -> LoadReport:
    """Load synthetic data at ``scale``; if it is already there at that scale, do nothing.

    Refuses (ScaleDataError) when scale data of another size is there, unless ``replace``
    says to drop it first.
    """
    expected_counts(scale)  # checks the scale before anything is touched
    existing = scale_programme()
    if existing is not None:
        previous = loaded_scale(existing)
        if not replace:
            if previous == scale:
                log(f"Scale data at scale {scale:g} is already loaded; nothing to do.")
                return LoadReport(scale=scale, already_loaded=True)
            raise ScaleDataError(
                f"Scale data at scale {previous:g} is already loaded. Run again with --replace "
                f"to delete it and load scale {scale:g}."
                if previous is not None
                else "A programme named “Scale test programme” already exists; run with --replace to reload it."
            )
    with transaction.atomic():
        if existing is not None:
            remove_scale_data(existing, log=log)
        loader = ScaleLoader(scale, today=today, log=log)
        report = loader.run()
    if connection.vendor == "postgresql":
        loader.step("vacuum and analyze", loader.analyze, unit="tables")
    return report
