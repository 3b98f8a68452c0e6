"""Who works with whom, and how much engagement each hub does: the reads behind the cross-hub view and the report.

Each function takes a day and counts only what had happened by then (partnerships in force that day,
events held on or before it, as each stands now), so a report rebuilt for a past day reads the same.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncQuarter

from core.quarters import quarter_label, quarter_start, quarters_from

from .models import EngagementEvent, Hub, Organisation, Partnership
from .querysets import in_force_on


@dataclass(frozen=True)
class MatrixRow:
    organisation: Organisation
    cells: list[str]  # per hub, in the matrix's hub order: the role's label, or "" where none

    @property
    def hub_count(self) -> int:
        return sum(1 for cell in self.cells if cell)


@dataclass(frozen=True)
class PartnerMatrix:
    hubs: list[Hub]
    rows: list[MatrixRow]  # organisations with a partnership in force, those with the most hubs first


def as_it_stood(model, stood_at: datetime.datetime | None):
    """``model``'s rows now (``stood_at`` None), or each row as its history held it just before ``stood_at``.

    A report rebuilt for a past day reads the rows as they stood at the end of that day, so later
    corrections, archiving and rows logged afterwards leave it as it was.
    """
    if stood_at is None:
        return model.objects.all()
    before = model.history.filter(history_date__lt=stood_at)
    # The latest record of each row; of two saved in the same instant, the one saved last.
    later = before.filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id")),
        id=OuterRef("id"),
    )
    return before.filter(~Exists(later)).exclude(history_type="-")


def partner_matrix(hubs, day: datetime.date, stood_at: datetime.datetime | None = None) -> PartnerMatrix:
    """Organisations × hubs on ``day``: each cell the organisation's role with that hub. Two queries."""
    hubs = list(hubs.order_by("name"))
    column = {hub.pk: position for position, hub in enumerate(hubs)}
    cells: dict[int, list[str]] = {}
    organisations: dict[int, Organisation] = {}
    partnerships = (
        as_it_stood(Partnership, stood_at)
        .filter(in_force_on(day), hub__in=hubs)
        .select_related("organisation")
        .order_by("pk")
    )
    labels = dict(Partnership.Role.choices)
    for partnership in partnerships:
        row = cells.setdefault(partnership.organisation_id, [""] * len(hubs))
        row[column[partnership.hub_id]] = labels[partnership.role]
        organisations[partnership.organisation_id] = partnership.organisation
    rows = [MatrixRow(organisations[pk], row) for pk, row in cells.items()]
    rows.sort(key=lambda row: (-row.hub_count, row.organisation.name))
    return PartnerMatrix(hubs, rows)


@dataclass(frozen=True)
class QuarterCounts:
    events: int = 0
    reached: int = 0
    trained: int = 0


@dataclass(frozen=True)
class QuarterRow:
    start: datetime.date
    by_hub: list[QuarterCounts]  # in the hubs' order

    @property
    def label(self) -> str:
        return quarter_label(self.start)

    @property
    def total(self) -> QuarterCounts:
        return QuarterCounts(
            sum(c.events for c in self.by_hub),
            sum(c.reached for c in self.by_hub),
            sum(c.trained for c in self.by_hub),
        )


def held_events(day: datetime.date, stood_at: datetime.datetime | None = None):
    """Events in the log (not archived) that had taken place by ``day``."""
    return as_it_stood(EngagementEvent, stood_at).filter(archived=False, date__lte=day)


def counts_by_quarter(
    hubs: list[Hub], day: datetime.date, stood_at: datetime.datetime | None = None
) -> list[QuarterRow]:
    """Events held and people reached and trained per calendar quarter and hub, up to ``day``. One query."""
    totals = (
        held_events(day, stood_at)
        .filter(hub__in=hubs)
        .annotate(quarter=TruncQuarter("date"))
        .values("quarter", "hub")
        .annotate(
            events=Count("pk"),
            reached=Coalesce(Sum("people_reached"), 0),
            trained=Coalesce(Sum("people_trained"), 0),
        )
        .order_by()
    )
    found: dict[datetime.date, dict[int, QuarterCounts]] = defaultdict(dict)
    for total in totals:
        found[total["quarter"]][total["hub"]] = QuarterCounts(
            total["events"], total["reached"], total["trained"]
        )
    if not found:
        return []
    empty = QuarterCounts()
    return [
        QuarterRow(start, [found.get(start, {}).get(hub.pk, empty) for hub in hubs])
        for start in quarters_from(min(found), max(found))
    ]


# -- The chart: one small picture per hub, people reached (filled bars) and trained (outlined) per quarter --

CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 300, 140, 12, 24, 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    width: float


@dataclass(frozen=True)
class HubChart:
    hub: Hub
    title: str
    summary: str
    reached: list[Bar]
    trained: list[Bar]
    axis_max: int
    first_label: str
    last_label: str


def quarter_chart(hubs: list[Hub], quarters: list[QuarterRow]) -> list[HubChart]:
    """Per hub, bars of people reached and trained per quarter on one scale shared by every hub."""
    if not quarters:
        return []
    axis_max = max(1, *(counts.reached for row in quarters for counts in row.by_hub))
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - CHART_LEFT) / len(quarters)
    width = max(2.0, slot * 0.4)

    def bar(position: int, value: int, offset: float) -> Bar:
        height = round(plot_height * value / axis_max, 1)
        x = round(CHART_LEFT + slot * position + slot * 0.1 + offset, 1)
        return Bar(x, round(CHART_TOP + plot_height - height, 1), height, round(width, 1))

    charts = []
    for column, hub in enumerate(hubs):
        series = [row.by_hub[column] for row in quarters]
        reached = sum(c.reached for c in series)
        trained = sum(c.trained for c in series)
        events = sum(c.events for c in series)
        busiest = max(range(len(quarters)), key=lambda i: series[i].reached)
        summary = (
            f"{hub.name}: {events} events from {quarters[0].label} to {quarters[-1].label}, "
            f"reaching {reached} people and training {trained}"
            + (
                f"; the most reached in {quarters[busiest].label} ({series[busiest].reached})."
                if reached
                else "."
            )
        )
        charts.append(
            HubChart(
                hub=hub,
                title=f"People reached and trained per quarter, {hub.name}",
                summary=summary,
                reached=[bar(i, c.reached, 0) for i, c in enumerate(series)],
                trained=[bar(i, c.trained, width) for i, c in enumerate(series)],
                axis_max=axis_max,
                first_label=quarters[0].label,
                last_label=quarters[-1].label,
            )
        )
    return charts


def hub_engagement(
    hubs: list[Hub], day: datetime.date, stood_at: datetime.datetime | None = None
) -> list[dict]:
    """Per hub, as of ``day``: partners in force (and how many also work with another hub), events held and
    people reached and trained to date and in the day's quarter, and every quarter's counts. Three queries."""
    matrix = partner_matrix(Hub.objects.filter(pk__in=[hub.pk for hub in hubs]), day, stood_at)
    hubs = matrix.hubs
    quarters = counts_by_quarter(hubs, day, stood_at)
    this_quarter = quarters[-1] if quarters and quarters[-1].start == quarter_start(day) else None
    rows = []
    for column, hub in enumerate(hubs):
        partners = [row for row in matrix.rows if row.cells[column]]
        series = [quarter.by_hub[column] for quarter in quarters]
        now = this_quarter.by_hub[column] if this_quarter else QuarterCounts()
        rows.append(
            {
                "hub": hub.name,
                "hub_slug": hub.slug,
                "partners": len(partners),
                "partners_with_other_hubs": sum(1 for row in partners if row.hub_count > 1),
                "events": sum(c.events for c in series),
                "reached": sum(c.reached for c in series),
                "trained": sum(c.trained for c in series),
                "events_this_quarter": now.events,
                "reached_this_quarter": now.reached,
                "trained_this_quarter": now.trained,
                "quarters": [
                    {
                        "quarter": quarter.start.isoformat(),
                        "events": c.events,
                        "reached": c.reached,
                        "trained": c.trained,
                    }
                    for quarter, c in zip(quarters, series, strict=True)
                    if c.events
                ],
            }
        )
    return rows
