"""What people are told when figures are reviewed: returned, submitted again, asked to reopen.

The measurement service calls these inside the transaction of the review or save, so a
notification exists exactly when the change it tells of does. ``notify`` keys each event,
so one person hears of one review once, however many figures it returned.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.urls import reverse

from core.numbers import counted, figure_text
from core.people import display_name
from notifications.models import Kind
from notifications.services import BODY_MAX, notify

from .breakdowns import group_order, with_groups
from .models import Indicator, Measurement
from .owners import hub_leads, owners_of

BODY_LINES = 40  # a review of a hub's month lists at most this many figures; the page has them all
NOTE_SHOWN = 500


def hub_month_url(hub_slug: str, period: datetime.date) -> str:
    return reverse("evaluation:review_hub_month", args=[hub_slug, f"{period:%Y-%m}"])


def figures_grid_url(adoption_id: int, period: datetime.date) -> str:
    return reverse("evaluation:figures_grid", args=[adoption_id, f"{period:%Y-%m}"])


def _line(measurement: Measurement, indicator: Indicator, note: str = "") -> str:
    figure = figure_text(measurement.value, measurement.numerator, measurement.denominator)
    line = f"- {indicator.metric.name} ({indicator.adoption.innovation.name}), {measurement.group_label}: {figure}"
    return f"{line}. Note: {note[:NOTE_SHOWN]}" if note else line


def _body(lines: Sequence[str], intro: str) -> str:
    """The intro and as many lines as fit a notification's body; the page the link opens has them all."""
    shown: list[str] = []
    room = BODY_MAX - len(intro) - 100  # the "… and N more" line and the line breaks
    for line in lines[:BODY_LINES]:
        if len(line) + 1 > room:
            break
        shown.append(line)
        room -= len(line) + 1
    if len(shown) < len(lines):
        shown.append(f"… and {len(lines) - len(shown)} more.")
    return "\n".join([intro, "", *shown])


def _indicators_of(measurements: Iterable[Measurement]) -> dict[int, Indicator]:
    ids = {m.indicator_id for m in measurements}
    return Indicator.objects.select_related(
        "metric", "owner", "adoption__hub", "adoption__innovation"
    ).in_bulk(ids)


def tell_returned(returned: Sequence[Measurement], *, by) -> None:
    """Tell each indicator's owner and its hub's lead of figures returned to them: one notice per person per hub-month.

    ``returned`` are the figures one review action returned (their version is the new one),
    so the event's key — its first figure and that version — differs for each review.
    """
    if not returned:
        return
    with_groups(returned)
    indicators = _indicators_of(returned)
    owners = owners_of(indicators.values())
    leads = hub_leads({indicator.adoption.hub_id for indicator in indicators.values()})
    by_hub_month: dict[tuple, list[Measurement]] = defaultdict(list)
    for measurement in returned:
        hub_id = indicators[measurement.indicator_id].adoption.hub_id
        by_hub_month[(hub_id, measurement.period)].append(measurement)
    for (hub_id, period), figures in by_hub_month.items():
        figures.sort(
            key=lambda m: (indicators[m.indicator_id].metric.name, m.indicator_id, group_order(m.group))
        )
        first = min(figures, key=lambda m: m.pk)
        hub = indicators[first.indicator_id].adoption.hub
        # Each person hears of the figures they answer for; the hub's lead of them all.
        concerns: dict[object, list[Measurement]] = defaultdict(list)
        for measurement in figures:
            for person in {owners.get(measurement.indicator_id), leads.get(hub_id)} - {None}:
                concerns[person].append(measurement)
        for person, theirs in concerns.items():
            adoption_id = indicators[theirs[0].indicator_id].adoption_id
            notify(
                [person],
                kind=Kind.FIGURES_RETURNED,
                key=f"figures-returned:{first.pk}:{first.version}",
                title=f"{counted(len(theirs), 'figure')} for {period:%B %Y} returned to {hub.name}"[:300],
                url=figures_grid_url(adoption_id, period),
                body=_body(
                    [_line(m, indicators[m.indicator_id], m.review_note) for m in theirs],
                    f"An evaluator returned these figures for {period:%B %Y}. Check them, correct them "
                    "if needed, and save them again:",
                ),
            )


def tell_resubmitted(outcomes: Sequence, *, by) -> None:
    """Tell the evaluator who returned each figure that it was saved again: one notice per evaluator per hub-month.

    ``outcomes`` are the measurement service's, for figures that were returned before the
    save: ``existing`` as it was (``reviewed_by`` the evaluator), ``figure`` as saved now.
    The key names the first figure and its version before the save, so a figure returned
    and corrected twice is told twice.
    """
    outcomes = [o for o in outcomes if o.existing.reviewed_by_id]
    if not outcomes:
        return
    indicators = _indicators_of(o.existing for o in outcomes)
    groups: dict[tuple, list] = defaultdict(list)
    for outcome in outcomes:
        hub = indicators[outcome.existing.indicator_id].adoption.hub
        groups[(outcome.existing.reviewed_by_id, hub.pk, outcome.existing.period)].append(outcome)
    for (evaluator_id, _hub_id, period), theirs in groups.items():
        first = min((o.existing for o in theirs), key=lambda m: m.pk)
        hub = indicators[first.indicator_id].adoption.hub
        notify(
            [evaluator_id],
            kind=Kind.FIGURES_RESUBMITTED,
            key=f"figures-resubmitted:{first.pk}:{first.version}",
            title=f"{hub.name} submitted again {counted(len(theirs), 'figure')} "
            f"you returned for {period:%B %Y}"[:300],
            url=hub_month_url(hub.slug, period),
            body=_body(
                [_resubmitted_line(o, indicators[o.existing.indicator_id]) for o in theirs],
                f"{display_name(by)} saved again these figures you returned; they await your review:",
            ),
        )


def _resubmitted_line(outcome, indicator: Indicator) -> str:
    before, after = outcome.existing, outcome.figure
    was = figure_text(before.value, before.numerator, before.denominator)
    now = figure_text(after.value, after.numerator, after.denominator)
    change = f"{was}, unchanged: the hub checked it" if now == was else f"{was} → {now}"
    return f"- {indicator.metric.name} ({indicator.adoption.innovation.name}), {before.group_label}: {change}"
