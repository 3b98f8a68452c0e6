"""Reminders of figures due soon and overdue, to the person who answers for each indicator.

``reminders_send(today)`` looks at the last three complete months' indicator-months with no
monthly total (``evaluation.calendar`` decides their status; ``evaluation.owners`` who answers).
A month *due* and within three working days of its due date (the day itself included, so a
missed run is made up the next day) gives a "figures due" reminder; one past its due date, a
"figures overdue" one. Each person gets at most one of each kind per month, listing all their
indicators, under a key naming the kind, month and person (``figures-due:2026-12:42``):
``notifications.notify`` writes a key once per person, so a rerun, a second beat or a retried
task tells no one twice. Older gaps are left to the to-do list and the reporting pages: a first
run after months without reminders does not bury people in them.

A whole run is one transaction holding a PostgreSQL advisory lock, so two runs at once take
turns and the second finds every reminder already sent. Indicators are read in chunks of
columns, never as whole rows per figure, so a run over every hub's every indicator stays small.
"""

from __future__ import annotations

import datetime
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from core.months import add_months, last_complete_month
from notifications.models import Kind
from notifications.services import Told, notify

from .calendar import FigureStatus, due_date, month_status, reminder_from
from .models import Indicator, Measurement
from .owners import owners_of

REMINDER_MONTHS = 3  # the last three complete months: a missed month of runs is still caught up
CHUNK = 2000  # indicators read at a time
LISTED = 40  # indicators named in one reminder; the rest are counted
LABEL_MAX = 110
# One lock for every run of the reminders, wherever it runs (a beat, a retry, the command).
LOCK_KEY = zlib.crc32(b"evaluation.reminders.reminders_send")


@dataclass
class Reminder:
    """One person's reminder of one kind for one month: the indicators it lists, and where to act."""

    kind: Kind
    period: datetime.date
    recipient_id: int
    due: datetime.date
    labels: list[str] = field(default_factory=list)
    count: int = 0
    adoption_ids: set[int] = field(default_factory=set)
    hub_slugs: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        prefix = "figures-due" if self.kind == Kind.FIGURES_DUE else "figures-overdue"
        return f"{prefix}:{self.period:%Y-%m}:{self.recipient_id}"

    def add(self, indicator: Indicator, due: datetime.date) -> None:
        self.count += 1
        self.due = min(self.due, due)
        if len(self.labels) < LISTED:
            adoption = indicator.adoption
            label = f"{indicator.metric.name} – {adoption.innovation.name} ({adoption.hub.name})"
            self.labels.append(label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…")
        # A few are enough to tell one adoption or one hub from many.
        if len(self.adoption_ids) < 2:
            self.adoption_ids.add(indicator.adoption_id)
        if len(self.hub_slugs) < 2:
            self.hub_slugs.add(indicator.adoption.hub.slug)

    @property
    def title(self) -> str:
        month = f"{self.period:%B %Y}"
        figures = "1 indicator" if self.count == 1 else f"{self.count} indicators"
        if self.kind == Kind.FIGURES_DUE:
            return f"Figures for {month} are due by {self.due:%A %-d %B} ({figures})"
        return f"Figures for {month} are overdue: they were due on {self.due:%A %-d %B} ({figures})"

    @property
    def body(self) -> str:
        lines = [f"No figure has been sent yet for {self.period:%B %Y} for:"]
        lines += [f"- {label}" for label in self.labels]
        if self.count > len(self.labels):
            lines.append(f"- and {self.count - len(self.labels)} more.")
        lines.append(
            "You are reminded because these indicators are yours to send, or your hub's as its lead."
        )
        return "\n".join(lines)

    @property
    def url(self) -> str:
        """The figures grid of the month when one adoption is concerned, else the hub's reporting page."""
        if len(self.adoption_ids) == 1:
            (adoption_id,) = self.adoption_ids
            return reverse("evaluation:figures_grid", args=[adoption_id, f"{self.period:%Y-%m}"])
        if len(self.hub_slugs) == 1:
            (slug,) = self.hub_slugs
            return reverse("evaluation:reporting_hub", args=[slug])
        return reverse("evaluation:reporting_status")


def reminder_kind(status: FigureStatus, today: datetime.date, due: datetime.date) -> Kind | None:
    """Which reminder an indicator-month with no figure calls for today, if any."""
    if status == FigureStatus.OVERDUE:
        return Kind.FIGURES_OVERDUE
    if status == FigureStatus.DUE and today >= reminder_from(due):
        return Kind.FIGURES_DUE
    return None


def reminder_months(today: datetime.date) -> list[datetime.date]:
    last = last_complete_month(today)
    return [add_months(last, -back) for back in range(REMINDER_MONTHS)]


def without_total(period: datetime.date):
    """Current adoptions' indicators begun by ``period`` with no monthly total for it: what may be due."""
    total = Measurement.objects.filter(indicator=OuterRef("pk"), period=period, group__isnull=True)
    return (
        Indicator.objects.filter(adoption__archived=False, adoption__started_on__lt=add_months(period, 1))
        .exclude(Exists(total))
        .select_related("owner", "metric", "adoption__hub__programme", "adoption__innovation")
        .only(
            "owner__is_active",
            "metric__name",
            "adoption__started_on",
            "adoption__archived",
            "adoption__innovation__name",
            "adoption__hub__name",
            "adoption__hub__slug",
            "adoption__hub__programme__figures_due_working_day",
        )
        .order_by("pk")
    )


def _chunks(queryset) -> Iterator[list[Indicator]]:
    chunk: list[Indicator] = []
    for indicator in queryset.iterator(chunk_size=CHUNK):
        chunk.append(indicator)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def reminders_due(today: datetime.date) -> list[Reminder]:
    """Every reminder ``today`` calls for, one per person, kind and month (whether sent already or not)."""
    reminders: dict[tuple[str, datetime.date, int], Reminder] = {}
    for period in reminder_months(today):
        for chunk in _chunks(without_total(period)):
            owners = owners_of(chunk)  # one query per chunk: the hubs' leads
            for indicator in chunk:
                owner = owners.get(indicator.pk)
                if owner is None:
                    continue  # no active owner and no lead: the hub's reporting page shows the gap
                adoption = indicator.adoption
                due = due_date(period, adoption.hub.programme)
                status = month_status(period, today=today, due=due, adoption_start=adoption.started_on)
                kind = reminder_kind(status, today, due)
                if kind is None:
                    continue
                reminder = reminders.get((kind, period, owner.pk))
                if reminder is None:
                    reminder = reminders[kind, period, owner.pk] = Reminder(kind, period, owner.pk, due)
                reminder.add(indicator, due)
    return sorted(
        reminders.values(), key=lambda reminder: (reminder.period, reminder.kind, reminder.recipient_id)
    )


def _take_turns() -> None:
    """Wait for any other run to finish (PostgreSQL; SQLite runs one writer at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def reminders_send(today: datetime.date) -> Told:
    """Send every reminder due ``today`` not sent before; how many were sent, and how many had been."""
    sent = skipped = 0
    with transaction.atomic():
        _take_turns()
        for reminder in reminders_due(today):
            told = notify(
                [reminder.recipient_id],
                kind=reminder.kind,
                key=reminder.key,
                title=reminder.title,
                url=reminder.url,
                body=reminder.body,
            )
            sent += told.sent
            skipped += told.skipped_already_sent
    return Told(sent=sent, skipped_already_sent=skipped)
