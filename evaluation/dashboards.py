"""The reads behind the equity dashboard: a few SQL queries, never one per row.

Functions here take querysets already scoped to the user (``for_user``) and
return plain data for the views to lay out.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from core.disclosure import count_text, share_shown
from core.months import add_months, last_complete_month
from hubs.access import roles_of

from .models import Metric
from .vocabulary import IMD

EQUITY_MONTHS = 12
# Quintile 1 is the most deprived fifth of neighbourhoods: a fair share reached is 20%.
POPULATION_SHARE = 20.0
CORE20 = "1"  # the IMD group of quintile 1


def equity_months(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """First and last month of the last 12 complete months."""
    last = last_complete_month(today)
    return add_months(last, 1 - EQUITY_MONTHS), last


@dataclass(frozen=True)
class EquityRow:
    """How far one adoption's reach into IMD quintile 1 matches the quintile's population share.

    ``raw`` is whether the viewer sees this hub's raw figures (``core.disclosure``):
    if not, a count from 1 to 7 reads "<8" and the share derived from it is not shown.
    """

    metric: str
    hub: str
    innovation: str
    quintile_one: int
    all_quintiles: int
    synthetic: bool = False  # some figures behind it are made up for the demo
    hub_id: int | None = None
    raw: bool = False

    @property
    def share(self) -> float:
        return 100.0 * self.quintile_one / self.all_quintiles

    @property
    def gap(self) -> float:
        """Percentage points above (positive) or below (negative) the population share."""
        return self.share - POPULATION_SHARE

    @property
    def suppressed(self) -> bool:
        """A small count: its share would give the count away, so neither is shown."""
        return not share_shown(self.quintile_one, self.all_quintiles, raw=self.raw)

    @property
    def quintile_one_shown(self) -> str:
        return count_text(self.quintile_one, raw=self.raw)

    @property
    def all_quintiles_shown(self) -> str:
        return count_text(self.all_quintiles, raw=self.raw)

    @property
    def suppressed_because(self) -> str:
        """Why the share is not shown, in words (only when it is not)."""
        if share_shown(self.quintile_one, raw=self.raw):
            return "fewer than 8 people in all quintiles"
        return "fewer than 8 people in quintile 1"

    @property
    def direction(self) -> str:
        """ "above", "below" or "at" the population share, as the share is shown (one decimal)."""
        rounded = round(self.share, 1)
        if rounded > POPULATION_SHARE:
            return "above"
        if rounded < POPULATION_SHARE:
            return "below"
        return "at"

    @property
    def share_shown(self) -> str:
        return f"{self.share:.1f}%"

    @property
    def gap_shown(self) -> str:
        """The gap in percentage points with its sign, from the share as shown."""
        gap = round(self.share, 1) - POPULATION_SHARE
        sign = "+" if self.direction == "above" else "−" if self.direction == "below" else ""
        return f"{sign}{abs(gap):.1f}"

    @property
    def verdict(self) -> str:
        if self.suppressed:
            return f"not shown: {self.suppressed_because}"
        if self.direction == "at":
            return "equal to its population share"
        return f"{self.direction} its population share"


def equity_rows(measurements, *, first: datetime.date, last: datetime.date, viewer=None) -> list[EquityRow]:
    """Approved IMD rows of reach counts, summed per metric, hub, innovation and quintile: one query.

    Each row shows raw counts only where ``viewer`` sees that hub's raw figures
    (an evaluator, the hub's own staff); without a viewer, none does.

    The share is sum(quintile 1) / sum(quintiles 1–5) over the months: people
    counted, never an average of monthly percentages. People whose quintile is
    not known have no IMD row, so they are in neither count. Archived adoptions
    are left out.
    """
    totals = (
        measurements.approved()
        .filter(
            indicator__metric__dimension=Metric.Dimension.REACH,
            indicator__metric__kind=Metric.Kind.COUNT,
            indicator__adoption__archived=False,
            group__dimension__code=IMD,
            value__isnull=False,
            period__gte=first,
            period__lte=last,
        )
        .order_by()
        # Names ride along in the GROUP BY (one per id), so no second query is needed.
        .values_list(
            "indicator__metric",
            "indicator__metric__name",
            "indicator__adoption__hub",
            "indicator__adoption__hub__name",
            "indicator__adoption__innovation",
            "indicator__adoption__innovation__name",
            "group__code",
        )
        .annotate(people=Sum("value"), synthetic=Count("pk", filter=Q(is_synthetic=True)))
    )
    # key → [people in quintile 1, people in all quintiles, synthetic rows]
    people: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for metric_id, metric, hub_id, hub, innovation_id, innovation, quintile, count, synthetic in totals:
        entry = people[(metric_id, metric, hub_id, hub, innovation_id, innovation)]
        entry[1] += int(count)
        entry[2] += synthetic
        if quintile == CORE20:
            entry[0] += int(count)
    roles = roles_of(viewer)
    rows = [
        EquityRow(
            metric=metric,
            hub=hub,
            innovation=innovation,
            quintile_one=q1,
            all_quintiles=total,
            synthetic=bool(synthetic),
            hub_id=hub_id,
            raw=roles.sees_raw_figures_of(hub_id),
        )
        for (_, metric, hub_id, hub, _, innovation), (q1, total, synthetic) in people.items()
        if total > 0
    ]
    return sorted(rows, key=lambda row: (row.metric, row.hub, row.innovation))
