"""The reads behind the equity dashboard: a few SQL queries, never one per row or per group.

Functions here take querysets already scoped to the user (``for_user``) and return plain
data for the views to lay out. ``GroupReach`` is how one group's reach reads against its
share of the local population, on the page and in the nightly report alike.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from core.disclosure import count_text, share_shown
from core.months import add_months, last_complete_month
from hubs.access import roles_of

from .breakdowns import group_order
from .models import BreakdownDimension, BreakdownGroup, Measurement, Metric, PopulationShare

EQUITY_MONTHS = 12


def equity_months(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """First and last month of the last 12 complete months."""
    last = last_complete_month(today)
    return add_months(last, 1 - EQUITY_MONTHS), last


@dataclass(frozen=True)
class GroupReach:
    """One group's share of the people an adoption reached, against its share of the hub's local population.

    ``people`` counted in the group, of ``base`` people (those whose group is known, for a
    breakdown that splits people; everyone reached, for PLUS groups); ``population`` the
    group's share of the local population (%), if the hub entered one. ``raw`` is whether
    the viewer sees this hub's raw figures (``core.disclosure``): if not, a count from 1 to
    7 reads "<8" and no share worked out from it is shown. The report's readers never do.
    """

    label: str
    people: int
    base: int
    population: Decimal | float | None = None
    raw: bool = False

    @property
    def share(self) -> float:
        return 100.0 * self.people / self.base if self.base else 0.0

    @property
    def suppressed(self) -> bool:
        """A small count (its share would give the count away), or no base to share: no share is shown."""
        return not self.base or not share_shown(self.people, self.base, raw=self.raw)

    @property
    def suppressed_because(self) -> str:
        if not self.base:
            return "no figure for all people in those months"
        if share_shown(self.people, raw=self.raw):
            return "fewer than 8 people in all"
        return "fewer than 8 people in the group"

    @property
    def people_shown(self) -> str:
        return count_text(self.people, raw=self.raw)

    @property
    def base_shown(self) -> str:
        return count_text(self.base, raw=self.raw)

    @property
    def share_shown(self) -> str:
        return f"{self.share:.1f}%"

    @property
    def population_shown(self) -> str:
        return "" if self.population is None else f"{float(self.population):.1f}%"

    @property
    def direction(self) -> str | None:
        """ "above", "below" or "at" the population share, as both are shown (one decimal); None without one."""
        if self.population is None:
            return None
        share, population = round(self.share, 1), round(float(self.population), 1)
        return "above" if share > population else "below" if share < population else "at"

    @property
    def gap_shown(self) -> str:
        """The gap in percentage points, with its sign, from the shares as shown."""
        if self.population is None:
            return ""
        gap = round(self.share, 1) - round(float(self.population), 1)
        sign = "+" if self.direction == "above" else "−" if self.direction == "below" else ""
        return f"{sign}{abs(gap):.1f}"

    @property
    def verdict(self) -> str:
        if self.suppressed:
            return f"not shown: {self.suppressed_because}"
        if self.direction is None:
            return "no local population share entered"
        if self.direction == "at":
            return "equal to its share of the local population"
        return f"{self.direction} its share of the local population"


@dataclass
class AdoptionReach:
    """How one adoption's reach splits by one breakdown's groups, against its hub's population."""

    metric: str
    hub: str
    innovation: str
    hub_id: int
    hub_slug: str
    groups: list[GroupReach] = field(default_factory=list)
    synthetic: bool = False  # some figures behind it are made up for the demo
    population_synthetic: bool = False  # some population shares are made up for the demo
    sources: list[str] = field(default_factory=list)  # where the hub's population shares come from

    @property
    def summary(self) -> str:
        """The adoption's chart in a sentence."""
        shown = [group for group in self.groups if not group.suppressed]
        compared = [group for group in shown if group.direction]
        above = [group.label for group in compared if group.direction == "above"]
        parts = []
        if compared:
            parts.append(
                f"{len(above)} of {len(compared)} groups reached above their share of the local population"
                + (f" ({'; '.join(above)})" if above else "")
            )
        if len(compared) < len(shown):
            parts.append(f"{len(shown) - len(compared)} with no local population share entered")
        if len(shown) < len(self.groups):
            parts.append(f"{len(self.groups) - len(shown)} with fewer than 8 people not shown as a share")
        return "; ".join(parts) + "." if parts else "No group to compare."


def population_shares(dimension: BreakdownDimension, hub_ids) -> dict[tuple[int, int], PopulationShare]:
    """(hub id, group id) → the hub's local population share of each group of ``dimension``: one query."""
    rows = PopulationShare.objects.filter(group__dimension=dimension, hub__in=list(hub_ids))
    return {(row.hub_id, row.group_id): row for row in rows}


def equity_rows(
    measurements,
    *,
    dimension: BreakdownDimension,
    first: datetime.date,
    last: datetime.date,
    viewer=None,
    hub_id: int | None = None,
) -> list[AdoptionReach]:
    """Approved reach counts by ``dimension``'s groups, summed per metric, hub, innovation and group.

    Each adoption's groups with a figure in the months, against its hub's population shares.
    Three queries, however many groups, hubs and months (the sums, the groups, the population
    shares), and for PLUS groups a fourth, for their base. Raw counts only where ``viewer`` sees that hub's raw
    figures (an evaluator, the hub's own staff); without a viewer, none does.

    A share is people in the group / the base, added up over the months: people counted,
    never an average of monthly percentages. For a breakdown that splits people, the base is
    the people in all its groups (someone whose group is not known is in neither count); PLUS
    groups may overlap and leave most people out, so theirs is everyone reached, in the months
    the hub gave PLUS figures for. Archived adoptions are left out.
    """
    reach = measurements.approved().filter(
        indicator__metric__dimension=Metric.Dimension.REACH,
        indicator__metric__kind=Metric.Kind.COUNT,
        indicator__adoption__archived=False,
        value__isnull=False,
        period__gte=first,
        period__lte=last,
    )
    if hub_id is not None:
        reach = reach.filter(indicator__adoption__hub=hub_id)
    adoption = (
        "indicator__metric",
        "indicator__metric__name",
        "indicator__adoption__hub",
        "indicator__adoption__hub__name",
        "indicator__adoption__hub__slug",
        "indicator__adoption__innovation",
        "indicator__adoption__innovation__name",
    )
    # Names ride along in the GROUP BY (one per id), so no second query is needed.
    sums = (
        reach.filter(group__dimension=dimension)
        .order_by()
        .values_list(*adoption, "group")
        .annotate(people=Sum("value"), synthetic=Count("pk", filter=Q(is_synthetic=True)))
    )
    people: dict[tuple, dict[int, int]] = defaultdict(dict)
    synthetic: set[tuple] = set()
    for *key, group_id, count, made_up in sums:
        people[tuple(key)][group_id] = int(count)
        if made_up:
            synthetic.add(tuple(key))
    if not people:
        return []
    if dimension.partitions:
        bases = {key: sum(counts.values()) for key, counts in people.items()}
    else:
        given = Measurement.objects.approved().filter(
            indicator=OuterRef("indicator"), period=OuterRef("period"), group__dimension=dimension
        )
        totals = (
            reach.filter(group__isnull=True)
            .filter(Exists(given))
            .order_by()
            .values_list(*adoption)
            .annotate(people=Sum("value"))
        )
        bases = {tuple(key): int(total) for *key, total in totals}
    groups = BreakdownGroup.objects.select_related("dimension").in_bulk(
        {group_id for counts in people.values() for group_id in counts}
    )
    shares = population_shares(dimension, {key[2] for key in people})
    roles = roles_of(viewer)
    rows = []
    for key, counts in people.items():
        _, metric, hub_id_, hub, hub_slug, _, innovation = key
        raw = roles.sees_raw_figures_of(hub_id_)
        ordered = sorted(counts, key=lambda pk: group_order(groups[pk]))
        population = [shares[hub_id_, pk] for pk in ordered if (hub_id_, pk) in shares]
        rows.append(
            AdoptionReach(
                metric=metric,
                hub=hub,
                innovation=innovation,
                hub_id=hub_id_,
                hub_slug=hub_slug,
                groups=[
                    GroupReach(
                        label=groups[pk].label,
                        people=counts[pk],
                        base=bases.get(key, 0),
                        population=shares[hub_id_, pk].share if (hub_id_, pk) in shares else None,
                        raw=raw,
                    )
                    for pk in ordered
                ],
                synthetic=key in synthetic,
                population_synthetic=any(share.is_synthetic for share in population),
                sources=sorted({f"{share.source}, {share.source_date:%-d %B %Y}" for share in population}),
            )
        )
    return sorted(rows, key=lambda row: (row.metric, row.hub, row.innovation))
