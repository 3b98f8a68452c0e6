"""Comparing hubs on one metric: each hub's pooled figures, its place on the funnel, and the reading in words.

A funnel plot (``evaluation.funnel``) needs, per hub, a count of people with an outcome
out of a count of people it could have happened to: only percentage metrics have them.
One query reads every hub's approved monthly totals for the metric over the period,
summed per hub (sum over sum, never an average of monthly percentages), through the
viewer's scoped queryset, so what someone may not see never enters the plot.

Approved figures only: a submitted figure may still be returned and corrected, and a hub
should not be called an outlier on a figure nobody has checked (DESIGN: only approved
figures feed the cross-hub reports). Every hub's staff may read other hubs' approved
figures, so everyone who opens the page compares the same hubs on the same figures;
what differs is disclosure (``core.disclosure``): a hub's pooled count from 1 to 7 reads
"<8" to anyone but the hub's staff and evaluators, and its point, percentage, z-score
and place against the limits are not shown to them.

The sums are kept in the shared cache: with 5,000 adoptions using a metric they take a
PostgreSQL query reading 60,000 figures a year. Each metric has a generation that every
write of its figures moves on once committed (``figures_changed``, from
``summaries.refresh``, which every such write calls), and all funnels one that any
adoption saved moves on (archiving takes an adoption off the plot); a sum is cached under
both, so a figure approved shows on the next view. Ten minutes is the backstop for what
moves neither (a hub renamed; with the embedded single-process cache, a worker's import).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum

from core.disclosure import count_text, share_shown
from core.generations import generations, move_on
from core.months import add_months, last_complete_month
from core.numbers import counted
from hubs.access import roles_of

from .charts import format_number, long_month
from .funnel import FLAG_HIGH_95, FLAG_HIGH_998, FLAG_LOW_95, FLAG_LOW_998, FunnelResult, funnel
from .models import Indicator, Measurement, Metric

FUNNEL_MONTHS = 12  # the period shown unless another is chosen
MAX_FUNNEL_MONTHS = 60  # the longest period that may be chosen
EARLIEST_MONTH = datetime.date(2000, 1, 1)
MIN_HUBS = 2  # a funnel compares at least two hubs
TOTALS_TTL = 600  # seconds: a backstop; writes move the generations on
ALL_FUNNELS = "funnel:generation"
TOTALS_LAYOUT = 1  # part of the cache key: change it with HubTotals' fields, so no old pickle is read

# Where a hub falls, in words: the table, the chart's tooltips and the reading all use these.
FLAG_WORDS = {
    None: "Within the limits",
    FLAG_HIGH_95: "Above the 95% limit",
    FLAG_HIGH_998: "Above the 99.8% limit",
    FLAG_LOW_95: "Below the 95% limit",
    FLAG_LOW_998: "Below the 99.8% limit",
}
NOT_SHOWN_BECAUSE = "Not shown: fewer than 8 people counted"

# Why a metric that is not a percentage has no funnel, by kind.
NO_FUNNEL_BECAUSE = {
    Metric.Kind.COUNT: (
        "This metric counts people or things, with nothing to count them out of: a hub with a larger "
        "population reaches more people whether or not it does better, so hubs' counts cannot be put "
        "on a funnel fairly."
    ),
    Metric.Kind.RATE: (
        "This metric is a rate, and the portal keeps only the rate, not the events and the population "
        "behind it: a funnel needs both to know how much each hub's rate could vary by chance."
    ),
    Metric.Kind.AMOUNT: (
        "This metric is an amount of money, not a count of events out of a number of people, so there "
        "are no limits of chance to draw around it."
    ),
}


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The latest 12 complete months."""
    last = last_complete_month(today)
    return add_months(last, 1 - FUNNEL_MONTHS), last


def period_words(first: datetime.date, last: datetime.date) -> str:
    return long_month(first) if first == last else f"{long_month(first)} to {long_month(last)}"


@dataclass(frozen=True)
class HubFigures:
    """One hub's approved monthly totals for the metric over the period, summed."""

    hub_id: int
    hub: str
    numerator: int
    denominator: int
    figures: int  # approved monthly figures added up: one per month per adoption using the metric
    synthetic: bool


@dataclass(frozen=True)
class HubTotals:
    hubs: list[HubFigures]
    awaiting: int  # figures in the period submitted and not yet approved (that the viewer may see)


def _metric_generation(metric_id: int) -> str:
    return f"funnel:generation:metric:{metric_id}"


def figures_changed(metric_ids) -> None:
    """These metrics' figures changed: their funnels' cached sums go stale once the change is committed.

    After the commit, not before: a view reading in between would cache the old figures
    under the new generation.
    """
    keys = [_metric_generation(pk) for pk in set(metric_ids)]
    transaction.on_commit(lambda: [move_on(key) for key in keys])


def adoptions_changed(**_signal) -> None:
    """An adoption was saved or deleted (archived, perhaps): every funnel's cached sums go stale."""
    transaction.on_commit(lambda: move_on(ALL_FUNNELS))


def _scope(viewer) -> str:
    """Whose figures, beyond every hub's approved ones, this viewer's queryset holds (``for_user``)."""
    roles = roles_of(viewer)
    if roles.reads_everything:
        return "all"
    return "hubs:" + ",".join(str(pk) for pk in sorted(roles.hub_ids))


def hub_totals(viewer, *, metric: Metric, first: datetime.date, last: datetime.date) -> HubTotals:
    """``read_hub_totals`` of what ``viewer`` may see, from the cache while nothing has changed.

    Everyone signed in reads every hub's approved figures; the figures awaiting review
    that they may see differ, so the cached sums are kept per scope (``_scope``).
    """
    metric_generation, all_generation = generations(_metric_generation(metric.pk), ALL_FUNNELS)
    key = (
        f"funnel:totals:{TOTALS_LAYOUT}:{metric.pk}:{first:%Y-%m}:{last:%Y-%m}:{_scope(viewer)}"
        f":{metric_generation}:{all_generation}"
    )
    return cache.get_or_set(
        key,
        lambda: read_hub_totals(Measurement.objects.for_user(viewer), metric=metric, first=first, last=last),
        TOTALS_TTL,
    )


def read_hub_totals(measurements, *, metric: Metric, first: datetime.date, last: datetime.date) -> HubTotals:
    """Each hub's approved numerators and denominators for ``metric`` over the months, summed: one query.

    ``measurements`` is already scoped to the viewer (``for_user``). Monthly totals only
    (no IMD rows); archived adoptions are left out; a hub with several adoptions using the
    metric pools them all, as its point on the funnel.
    """
    approved = Q(status=Measurement.Status.APPROVED)
    rows = (
        measurements.filter(
            # The metric's indicators named in a subquery, not joined on the metric: PostgreSQL then
            # reads each one's months through the (indicator, period) index, where a join had it scan
            # every figure of every metric (twice as slow with 5,000 adoptions using the metric).
            indicator__in=Indicator.objects.filter(metric=metric).values("pk"),
            indicator__adoption__archived=False,
            group__isnull=True,
            period__gte=first,
            period__lte=last,
        )
        .exclude(status=Measurement.Status.RETURNED)
        .order_by()
        .values_list("indicator__adoption__hub", "indicator__adoption__hub__name")
        .annotate(
            numerator=Sum("numerator", filter=approved),
            denominator=Sum("denominator", filter=approved),
            figures=Count("pk", filter=approved),
            synthetic=Count("pk", filter=approved & Q(is_synthetic=True)),
            awaiting=Count("pk", filter=Q(status=Measurement.Status.SUBMITTED)),
        )
    )
    hubs, awaiting = [], 0
    for hub_id, hub, numerator, denominator, figures, synthetic, waiting in rows:
        awaiting += waiting
        if denominator:
            hubs.append(HubFigures(hub_id, hub, int(numerator), int(denominator), figures, bool(synthetic)))
    return HubTotals(sorted(hubs, key=lambda figures: (figures.hub, figures.hub_id)), awaiting)


@dataclass(frozen=True)
class FunnelRow:
    """A hub on the funnel as this viewer may see it: its counts, its percentage, z-score and place."""

    figures: HubFigures
    key: str  # the label beside its point on the chart
    raw: bool  # whether the viewer sees this hub's figures as entered
    value: float  # percentage
    z: float
    flag: str | None
    lower_95: float  # limits at its denominator, as percentages
    upper_95: float
    lower_998: float
    upper_998: float

    @property
    def shown(self) -> bool:
        """False when a count is small and the viewer may not see it: no point, percentage or place then."""
        return share_shown(self.figures.numerator, self.figures.denominator, raw=self.raw)

    @property
    def numerator_text(self) -> str:
        return count_text(self.figures.numerator, raw=self.raw)

    @property
    def denominator_text(self) -> str:
        return count_text(self.figures.denominator, raw=self.raw)

    @property
    def value_text(self) -> str:
        return f"{format_number(self.value, 1)}%"

    @property
    def z_text(self) -> str:
        return format_number(self.z, 2).replace("-", "−")

    @property
    def place(self) -> str:
        return FLAG_WORDS[self.flag] if self.shown else NOT_SHOWN_BECAUSE

    def limits_text(self, lower: float, upper: float) -> str:
        return f"{format_number(lower, 1)}–{format_number(upper, 1)}%"

    @property
    def limits_95_text(self) -> str:
        return self.limits_text(self.lower_95, self.upper_95)

    @property
    def limits_998_text(self) -> str:
        return self.limits_text(self.lower_998, self.upper_998)


@dataclass(frozen=True)
class HubFunnel:
    """The funnel of one metric across hubs, for one viewer."""

    metric: Metric
    first: datetime.date
    last: datetime.date
    result: FunnelResult
    rows: list[FunnelRow]
    target_shown: bool
    numbered: bool  # points are labelled with their row's number, not the hub's name

    @property
    def target_percent(self) -> float:
        return 100 * self.result.target

    @property
    def target_text(self) -> str:
        return f"{format_number(self.target_percent, 1)}%"

    @property
    def shown_rows(self) -> list[FunnelRow]:
        return [row for row in self.rows if row.shown]

    @property
    def hidden_count(self) -> int:
        return len(self.rows) - len(self.shown_rows)

    def count(self, *flags: str | None) -> int:
        return sum(1 for row in self.shown_rows if row.flag in flags)

    @property
    def overdispersion(self) -> str:
        """What φ says, in a sentence."""
        phi = format_number(self.result.phi, 2)
        if self.result.draw_adjusted:
            return (
                f"φ = {phi}: the hubs vary more than chance alone would explain, so the limits are widened "
                f"by the between-hub variance τ² = {format_number(self.result.tau2, 6)} (on the arcsine "
                "square-root scale)."
            )
        return f"φ = {phi}: no more variation between hubs than chance would give, so the limits are not widened."

    @property
    def reading(self) -> list[str]:
        """The plot in plain English: where the hubs fall, sentence by sentence."""
        hubs = len(self.rows)
        sentences = [
            f"{counted(hubs, 'hub')} with approved figures from {period_words(self.first, self.last)}."
        ]
        if self.target_shown:
            sentences.append(f"Pooled, the average of all hubs is {self.target_text}.")
        if self.hidden_count:
            sentences.append(
                f"{counted(self.hidden_count, 'hub')} with fewer than 8 people counted "
                f"{'is' if self.hidden_count == 1 else 'are'} not shown."
            )
        places = [
            (FLAG_HIGH_998, "above the 99.8% limit"),
            (FLAG_HIGH_95, "above the 95% limit but within the 99.8% limit"),
            (FLAG_LOW_95, "below the 95% limit but within the 99.8% limit"),
            (FLAG_LOW_998, "below the 99.8% limit"),
        ]
        outside = [
            f"{counted(self.count(flag), 'hub')} {words} ({names})"
            for flag, words in places
            if (names := ", ".join(row.figures.hub for row in self.shown_rows if row.flag == flag))
        ]
        within = self.count(None)
        if outside:
            sentences.append(f"{'; '.join(outside)}.")
            sentences.append(f"{counted(within, 'hub')} within the limits.")
        else:
            sentences.append(f"All {counted(within, 'hub')} shown are within the limits: no hub stands out.")
        direction = self.metric.improvement
        if outside and direction != Metric.Improvement.NEUTRAL:
            better = "above" if direction == Metric.Improvement.INCREASE else "below"
            sentences.append(
                f"{self.metric.get_improvement_display()} for this metric: a hub {better} the limits does "
                "better than chance alone would explain."
            )
        return sentences


def hub_funnel(
    metric: Metric, totals: HubTotals, *, first, last, viewer, labels_are_names: bool
) -> HubFunnel:
    """The funnel of these hubs' pooled figures (at least ``MIN_HUBS`` of them), as ``viewer`` may see it."""
    hubs = totals.hubs
    result = funnel([hub.numerator for hub in hubs], [hub.denominator for hub in hubs], data_type="PR")
    roles = roles_of(viewer)
    rows = [
        FunnelRow(
            figures=hub,
            key=hub.hub if labels_are_names else str(number),
            raw=roles.sees_raw_figures_of(hub.hub_id),
            value=100 * point.value,
            z=point.z,
            flag=point.flag,
            **{name: 100 * limit for name, limit in point.limits._asdict().items()},
        )
        for number, (hub, point) in enumerate(zip(hubs, result.points, strict=True), start=1)
    ]
    total_numerator = sum(hub.numerator for hub in hubs)
    total_denominator = sum(hub.denominator for hub in hubs)
    return HubFunnel(
        metric=metric,
        first=first,
        last=last,
        result=result,
        rows=rows,
        target_shown=share_shown(total_numerator, total_denominator, raw=roles.reviews_figures),
        numbered=not labels_are_names,
    )
