"""Spend to date, and where it is heading: the sums every page, the roll-up and the benefits register read.

Only approved quarters count as spend; in-kind contributions are kept apart and never added to
it. All sums are exact decimals of pounds and pence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from core.quarters import quarter_end, quarter_label, quarter_start

from .models import SpendLine, SpendQuarter

ZERO = Decimal("0.00")

# How the forecast is made, said once and shown on every page that shows one.
FORECAST_QUARTERS = 4
FORECAST_METHOD = (
    f"The forecast adds to the approved spend so far, for each quarter after the last approved one "
    f"until the award ends, the average approved spend of the last {FORECAST_QUARTERS} approved "
    f"quarters (fewer if there are fewer)."
)
# "Far behind": spend lags time by more than this many percentage points of the award.
LAG_POINTS = 25
LAG_RULE = (
    f"Spend lags far behind time when the share of the award spent is more than {LAG_POINTS} "
    f"percentage points below the share of the award period gone."
)


def spent(hub=None, adoption=None, until: datetime.date | None = None) -> Decimal:
    """Approved spend (not in kind, refunds taken off) of a hub, an adoption, or both, in quarters begun by ``until``.

    For the benefits register: one query, exact pence; ``until`` None means every approved quarter.
    """
    lines = SpendLine.objects.approved().filter(in_kind=False)
    if hub is not None:
        lines = lines.filter(quarter__hub=hub)
    if adoption is not None:
        lines = lines.filter(adoption=adoption)
    if until is not None:
        lines = lines.filter(quarter__start__lte=until)
    return lines.aggregate(total=Sum("amount"))["total"] or ZERO


@dataclass
class QuarterSpend:
    start: datetime.date
    status: str
    spend: Decimal
    in_kind: Decimal
    cumulative: Decimal = ZERO  # approved spend up to and including this quarter
    pk: int | None = None

    @property
    def label(self) -> str:
        return quarter_label(self.start)


@dataclass
class HubSpend:
    """A hub's spend against its award, as of a day."""

    hub: object
    as_of: datetime.date
    quarters: list[QuarterSpend] = field(default_factory=list)
    spent: Decimal = ZERO
    in_kind: Decimal = ZERO
    forecast: Decimal = ZERO  # approved spend to date plus what the average quarter adds to the end
    quarters_left: int = 0

    @property
    def award(self) -> Decimal:
        return self.hub.award

    @property
    def share_spent(self) -> float | None:
        return float(self.spent / self.award * 100) if self.award else None

    @property
    def share_of_time(self) -> float:
        start, end = self.hub.start_date, self.hub.end_date
        gone = (min(max(self.as_of, start), end) - start).days
        return gone / (end - start).days * 100

    @property
    def forecast_over_award(self) -> bool:
        return self.forecast > self.award

    @property
    def lags_behind_time(self) -> bool:
        share = self.share_spent
        return share is not None and self.share_of_time - share > LAG_POINTS

    @property
    def awaiting_review(self) -> int:
        return sum(1 for quarter in self.quarters if quarter.status == SpendQuarter.Status.SUBMITTED)


def quarters_between(first: datetime.date, last: datetime.date) -> int:
    """How many quarter starts there are from ``first`` to ``last``, both quarter starts, inclusive."""
    return max(0, (last.year - first.year) * 4 + (last.month - first.month) // 3 + 1)


def forecast(spent_to_date: Decimal, approved: list[Decimal], quarters_left: int) -> Decimal:
    """Spend to date plus the average of the last ``FORECAST_QUARTERS`` approved quarters for each quarter left."""
    recent = approved[-FORECAST_QUARTERS:]
    if not recent or quarters_left <= 0:
        return spent_to_date
    average = sum(recent, ZERO) / len(recent)
    return (spent_to_date + average * quarters_left).quantize(Decimal("0.01"))


def hub_spends(hubs, *, as_of: datetime.date, approved_only: bool = False) -> list[HubSpend]:
    """Each hub's spend by quarter and against its award, as of a day: one query for all the hubs.

    "As of the day": a quarter counts as approved only if it was reviewed on or before ``as_of``;
    ``approved_only`` leaves out quarters in any other state (the nightly report).
    """
    hubs = list(hubs)
    by_hub = {hub.pk: HubSpend(hub=hub, as_of=as_of) for hub in hubs}
    approved = Q(quarter__status=SpendQuarter.Status.APPROVED, quarter__reviewed_at__date__lte=as_of)
    rows = (
        SpendLine.objects.filter(quarter__hub__in=list(by_hub), quarter__start__lte=as_of)
        .values("quarter__hub_id", "quarter__start", "quarter__status", "in_kind")
        .annotate(total=Sum("amount"), approved_total=Sum("amount", filter=approved))
        .order_by("quarter__hub_id", "quarter__start")
    )
    quarters: dict[tuple[int, datetime.date], QuarterSpend] = {}
    if not approved_only:  # quarters with no lines yet show too
        for pk, hub_id, start, status in SpendQuarter.objects.filter(
            hub__in=list(by_hub), start__lte=as_of
        ).values_list("pk", "hub_id", "start", "status"):
            quarters[(hub_id, start)] = QuarterSpend(start, status, ZERO, ZERO, pk=pk)
    for row in rows:
        key = (row["quarter__hub_id"], row["quarter__start"])
        if approved_only and row["approved_total"] is None:
            continue
        quarter = quarters.setdefault(key, QuarterSpend(key[1], row["quarter__status"], ZERO, ZERO))
        if approved_only:
            quarter.status = SpendQuarter.Status.APPROVED
        if row["in_kind"]:
            quarter.in_kind += row["total"]
        else:
            quarter.spend += row["total"]
    for (hub_id, _), quarter in sorted(quarters.items()):
        by_hub[hub_id].quarters.append(quarter)
    for summary in by_hub.values():
        approved_spend = []
        for quarter in summary.quarters:
            if quarter.status == SpendQuarter.Status.APPROVED:
                summary.spent += quarter.spend
                summary.in_kind += quarter.in_kind
                approved_spend.append(quarter.spend)
            quarter.cumulative = summary.spent
        hub = summary.hub
        last_approved = max(
            (q.start for q in summary.quarters if q.status == SpendQuarter.Status.APPROVED), default=None
        )
        first_left = quarter_after(last_approved) if last_approved else quarter_start(hub.start_date)
        summary.quarters_left = quarters_between(first_left, quarter_start(hub.end_date))
        summary.forecast = forecast(summary.spent, approved_spend, summary.quarters_left)
    return [by_hub[hub.pk] for hub in hubs]


def hub_spend(hub, *, as_of: datetime.date) -> HubSpend:
    return hub_spends([hub], as_of=as_of)[0]


def quarter_after(start: datetime.date) -> datetime.date:
    return quarter_end(start) + datetime.timedelta(days=1)
