"""The one write path for monthly figures: check, save, edit, approve, return and reopen.

A grid of cells, an uploaded file and a single correction are each a batch of
``ProposedFigure``s, one or many, through the same two functions:
``measurements_check`` sorts each into new, changed, unchanged or error, with
messages keyed by field, and writes nothing; ``measurements_save`` runs the same
check and, only if no figure has an error, writes them all in one transaction —
all or nothing — and refreshes each indicator's summary once. Who may record a
figure is decided here, from the indicators' ``changeable_by`` queryset, whatever
the caller passes. Evaluators' reviews (approve, return, reopen) are here too,
so every change of a figure's state has one place.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.concurrency import EditConflict, changes_since
from core.history import history_from_rows, stamp
from core.numbers import figure_text, number_text
from core.people import display_name
from hubs.access import require_changeable, require_evaluator

from . import review_notices, summaries
from .awaiting import awaiting_refresh
from .flags import flags_refresh
from .models import BreakdownGroup, Indicator, Measurement, Metric, figure_rule_errors

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
FIGURE_FIELDS = ("value", "numerator", "denominator")
NO_FIGURE_SEEN = 0  # the version of a figure someone opened blank (saved figures start at 1)
NOT_YOURS = "You can only record figures for your own hubs' indicators."
LOCKED = "This month's figure is approved and locked; ask an evaluator to return it."
SAVED_MEANWHILE = (
    "Someone saved figures for some of these months at the same time: nothing was saved. Check again."
)


@dataclass
class ProposedFigure:
    """One figure someone wants to record: a grid cell, a row of an uploaded file, or a correction."""

    indicator: Indicator | None
    period: datetime.date | None
    group: BreakdownGroup | None = None  # None: all people
    value: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None
    row: int | None = None  # the file's row number or the grid's line, for messages
    # The version of the figure the person had in front of them: NO_FIGURE_SEEN for a blank cell
    # or a new row of a checked file, None when they saw none (checked against what is saved now).
    opened_at: int | None = None
    seen_on: str = "opened the page"  # where they saw it, for the message if it changed since
    # Submit a returned figure again as it is (the hub checked it and it is right), not leave it be.
    resubmit_unchanged: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (
            self.indicator.pk if self.indicator else None,
            self.period,
            self.group.pk if self.group else None,
        )

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


@dataclass
class Outcome:
    figure: ProposedFigure
    status: str
    existing: Measurement | None = None
    stale: bool = False  # refused because the saved figure changed since the person opened it

    @property
    def messages(self) -> list[str]:
        return [message for messages in self.figure.errors.values() for message in messages]


# Checking ---------------------------------------------------------------------------------------


def _existing_figures(figures: Sequence[ProposedFigure]) -> dict[tuple, Measurement]:
    indicator_ids = {f.indicator.pk for f in figures if f.indicator}
    periods = {f.period for f in figures if f.period}
    if not indicator_ids or not periods:
        return {}
    # With their groups, which a refusal names ("less than Sex: Female's").
    rows = Measurement.objects.filter(indicator__in=indicator_ids, period__in=periods).select_related(
        "group__dimension"
    )
    return {(m.indicator_id, m.period, m.group_id): m for m in rows}


def _changeable_ids(figures: Sequence[ProposedFigure], by) -> set[int]:
    """The indicators among these that ``by`` may record figures for: one query, whatever the caller says."""
    indicator_ids = {f.indicator.pk for f in figures if f.indicator}
    return set(Indicator.objects.changeable_by(by).filter(pk__in=indicator_ids).values_list("pk", flat=True))


def same_figure(existing: Measurement, figure: ProposedFigure) -> bool:
    return all(getattr(existing, name) == getattr(figure, name) for name in FIGURE_FIELDS)


# The fields a person types, with the limits the database holds them to (digits, ranges).
TYPED_FIELDS = [Measurement._meta.get_field(name) for name in FIGURE_FIELDS]
NOT_THIS_HUBS_GROUP = "This group is not one of this hub's breakdowns."
GROUP_ARCHIVED = "“{group}” is archived: it takes no new figures."


def _figure_errors(figure: ProposedFigure) -> dict[str, list[str]]:
    """The model's own rules for a figure: each typed field's limits, the metric's kind, the month.

    Asked without building a model object per figure; uniqueness is checked against the
    batch and the saved figures instead of a query each.
    """
    errors: dict[str, list[str]] = {}
    for model_field in TYPED_FIELDS:
        typed = getattr(figure, model_field.name)
        if typed is None:
            continue
        try:
            model_field.validate(typed, None)
            model_field.run_validators(typed)
        except ValidationError as exc:
            errors[model_field.name] = exc.messages
    rules = figure_rule_errors(
        figure.indicator, figure.period, figure.value, figure.numerator, figure.denominator
    )
    for name, message in rules.items():
        errors.setdefault(name, []).append(message)
    return errors


def measurements_check(figures: Sequence[ProposedFigure], *, by) -> list[Outcome]:
    """Classify every figure without writing anything: new, changed, unchanged, or error with messages.

    Give figures indicators loaded with ``select_related("metric", "adoption")``: the
    model's rules read both, and a shared instance keeps that to one query per indicator.
    """
    existing = _existing_figures(figures)
    changeable_ids = _changeable_ids(figures, by)
    first_row_of: dict[tuple, int | None] = {}
    outcomes = [_classify(figure, existing, first_row_of, changeable_ids) for figure in figures]
    _refuse_groups_above_totals(outcomes, existing)
    _say_who_changed_them([outcome for outcome in outcomes if outcome.stale])
    return outcomes


def _classify(figure, existing, first_row_of, changeable_ids) -> Outcome:
    if figure.errors or figure.indicator is None or figure.period is None:
        return Outcome(figure, ERROR)
    if figure.indicator.pk not in changeable_ids:
        figure.add_error("indicator", NOT_YOURS)
        return Outcome(figure, ERROR)
    if figure.group is not None and figure.group.hub_id not in (None, figure.indicator.adoption.hub_id):
        figure.add_error("group", NOT_THIS_HUBS_GROUP)  # another hub's own group: never shown to this one
        return Outcome(figure, ERROR)
    if figure.key in first_row_of:
        where = first_row_of[figure.key]
        figure.add_error(
            "period", f"This figure is given twice{f' (first on row {where})' if where else ''}."
        )
        return Outcome(figure, ERROR)
    first_row_of[figure.key] = figure.row
    current = existing.get(figure.key)
    if current and same_figure(current, figure) and not _sent_again(figure, current):
        return Outcome(figure, UNCHANGED, current)
    if current and figure.opened_at is not None and figure.opened_at != current.version:
        return Outcome(figure, ERROR, current, stale=True)  # explained by _say_who_changed_them
    if current and current.is_approved:
        figure.add_error("value", LOCKED)
        return Outcome(figure, ERROR, current)
    if current is None and figure.group is not None and figure.group.archived:
        figure.add_error(
            "group", GROUP_ARCHIVED.format(group=figure.group)
        )  # its saved figures stay correctable
        return Outcome(figure, ERROR)
    for name, messages in _figure_errors(figure).items():
        for message in messages:
            figure.add_error(name, message)
    if figure.errors:
        return Outcome(figure, ERROR, current)
    return Outcome(figure, CHANGED if current else NEW, current)


def _sent_again(figure: ProposedFigure, current: Measurement) -> bool:
    """A returned figure the hub submits again as it is: saved as a change, so it goes back to review."""
    return figure.resubmit_unchanged and current.status == Measurement.Status.RETURNED


# Counts of people (and a percentage's two counts) in one group cannot exceed all people's.
BOUNDED_BY_THE_TOTAL = {Metric.Kind.COUNT: ("value",), Metric.Kind.PERCENTAGE: ("numerator", "denominator")}


def _refuse_groups_above_totals(outcomes: list[Outcome], existing: dict[tuple, Measurement]) -> None:
    """Refuse a group's count above its month's total for all people, or a total below a saved group's.

    A group (of any breakdown) is compared with the month's total as it would be after the
    save (the batch's, else the saved one); a total with the saved groups the batch leaves as
    they are.
    """
    proposed = {o.figure.key: o.figure for o in outcomes if o.status != ERROR}
    saved_groups: dict[tuple, list[Measurement]] = defaultdict(list)  # (indicator, month) → its groups' rows
    for (indicator_id, period, group_id), measurement in existing.items():
        if group_id is not None and (indicator_id, period, group_id) not in proposed:
            saved_groups[indicator_id, period].append(measurement)
    for outcome in outcomes:
        figure = outcome.figure
        if outcome.status not in (NEW, CHANGED):
            continue
        parts = BOUNDED_BY_THE_TOTAL.get(figure.indicator.metric.kind, ())
        indicator_id, period, group_id = figure.key
        if group_id is not None:
            total = proposed.get((indicator_id, period, None)) or existing.get((indicator_id, period, None))
            errors = [
                (
                    part,
                    f"cannot be more than the month's total for all people ({number_text(getattr(total, part))}).",
                )
                for part in parts
                if total is not None and _exceeds(figure, total, part)
            ]
        else:
            errors = []
            for part in parts:
                above = [m for m in saved_groups[indicator_id, period] if _exceeds(m, figure, part)]
                if above:
                    largest = max(above, key=lambda m: getattr(m, part))
                    errors.append(
                        (
                            part,
                            f"cannot be less than a group's in the same month "
                            f"({number_text(getattr(largest, part))}, {largest.group_label}).",
                        )
                    )
        for part, message in errors:
            figure.add_error(part, f"The {_part_name(part)} {message}")
        if errors:
            outcome.status = ERROR


def _exceeds(figure, other, part: str) -> bool:
    mine, theirs = getattr(figure, part), getattr(other, part)
    return mine is not None and theirs is not None and mine > theirs


def _part_name(part: str) -> str:
    return "count" if part == "value" else part


def figure_text_of(measurement: Measurement) -> str:
    return figure_text(measurement.value, measurement.numerator, measurement.denominator)


def _last_change(measurement: Measurement) -> tuple[int | None, datetime.datetime | None]:
    """Who last changed a figure, and when: its reviewer once reviewed, else who submitted it."""
    if measurement.status != Measurement.Status.SUBMITTED and measurement.reviewed_at:
        return measurement.reviewed_by_id, measurement.reviewed_at
    return measurement.submitted_by_id, measurement.submitted_at


def _say_who_changed_them(stale: list[Outcome]) -> None:
    """Tell, for each figure changed since the person saw it, what it is now and who changed it when.

    The names come in one query, however many figures changed.
    """
    user_ids = {_last_change(outcome.existing)[0] for outcome in stale}
    names = {user.pk: display_name(user) for user in get_user_model().objects.filter(pk__in=user_ids)}
    for outcome in stale:
        current = outcome.existing
        now = figure_text_of(current) + (", approved and locked" if current.is_approved else "")
        user_id, when = _last_change(current)
        by = f", changed by {names.get(user_id, 'someone')} on {timezone.localtime(when):%-d %b %Y at %H:%M}"
        outcome.figure.add_error(
            "value",
            f"Someone else changed this figure since you {outcome.figure.seen_on}: it is now {now}{by if when else ''}.",
        )


# Saving: a few statements per thousand figures, not one per figure --------------------------------

WRITE_BATCH = 1000
# What a save sets, besides the figure itself: submitted now, by the person saving, not yet reviewed.
SUBMISSION_FIELDS = ("status", "review_note", "submitted_by", "submitted_at")
INSERTED_FIELDS = (
    "indicator",
    "period",
    "group",
    *FIGURE_FIELDS,
    *SUBMISSION_FIELDS,
    "is_synthetic",
    "version",
)
UPDATED_FIELDS = (*FIGURE_FIELDS, *SUBMISSION_FIELDS, "version")


def _columns(names) -> list:
    return [Measurement._meta.get_field(name) for name in names]


def _db_values(fields: list, values: dict) -> list:
    """Each field's value as the database takes it (decimals and dates as SQLite stores them, say)."""
    return [f.get_db_prep_save(values[f.name], connection) for f in fields]


def _as_saved(figure: ProposedFigure, by, when: datetime.datetime) -> dict:
    """What a save writes of a figure: the figure, submitted ``when`` by ``by``, not yet reviewed."""
    return {
        "indicator": figure.indicator.pk,
        "period": figure.period,
        "group": figure.group.pk if figure.group else None,
        **{name: getattr(figure, name) for name in FIGURE_FIELDS},
        "status": Measurement.Status.SUBMITTED,
        "review_note": "",
        "submitted_by": by.pk,
        "submitted_at": when,
        "is_synthetic": False,
    }


def _values_list(rows: list[list]) -> tuple[str, list]:
    """``(%s, …), (%s, …)`` for these rows, and their parameters in order."""
    row = f"({', '.join(['%s'] * len(rows[0]))})"
    return ", ".join([row] * len(rows)), [param for values in rows for param in values]


def _batches(items: list) -> list[list]:
    return [items[start : start + WRITE_BATCH] for start in range(0, len(items), WRITE_BATCH)]


def _insert_new(figures: list[ProposedFigure], *, by) -> list[int]:
    """Insert new figures a thousand rows a statement; their ids, for the history."""
    fields = _columns(INSERTED_FIELDS)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    when = timezone.now()
    ids: list[int] = []
    with connection.cursor() as cursor:
        for batch in _batches(figures):
            values, params = _values_list(
                [_db_values(fields, {**_as_saved(figure, by, when), "version": 1}) for figure in batch]
            )
            cursor.execute(
                f"INSERT INTO {quote(Measurement._meta.db_table)} ({columns}) VALUES {values} "
                f"RETURNING {quote('id')}",
                params,
            )
            ids.extend(row_id for (row_id,) in cursor.fetchall())
    return ids


def _update_changed(outcomes: list[Outcome], *, by) -> list[int]:
    """Write changed figures a thousand at a time, each only if still at the version the check saw.

    One ``UPDATE … FROM (VALUES …)`` per batch: a figure saved by someone else between
    the check and now is not overwritten, and the whole save is refused instead.
    Returns the ids written, for the history.
    """
    fields = _columns(UPDATED_FIELDS)
    quote = connection.ops.quote_name
    table = quote(Measurement._meta.db_table)

    def given(position: int, field) -> str:  # VALUES columns are column1, column2, …
        column = f"given.column{position}"
        # PostgreSQL reads a column of NULLs in VALUES as text: say what it is.
        return (
            f"CAST({column} AS {field.db_type(connection)})" if connection.vendor == "postgresql" else column
        )

    assignments = ", ".join(f"{quote(f.column)} = {given(n, f)}" for n, f in enumerate(fields, start=3))
    when = timezone.now()
    updated = 0
    with connection.cursor() as cursor:
        for batch in _batches(outcomes):
            values, params = _values_list(
                [
                    [
                        outcome.existing.pk,
                        outcome.existing.version,  # the version the check saw
                        *_db_values(
                            fields,
                            {**_as_saved(outcome.figure, by, when), "version": outcome.existing.version + 1},
                        ),
                    ]
                    for outcome in batch
                ]
            )
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS given "
                f"WHERE {table}.{quote('id')} = given.column1 AND {table}.{quote('version')} = given.column2",
                params,
            )
            updated += cursor.rowcount
    if updated != len(outcomes):
        raise ValidationError(SAVED_MEANWHILE, code="saved_meanwhile")
    return [outcome.existing.pk for outcome in outcomes]


class FiguresRefused(ValidationError):
    """At least one figure has an error: nothing was saved."""

    def __init__(self, outcomes: list[Outcome]):
        self.outcomes = outcomes
        errors = [o for o in outcomes if o.status == ERROR]
        super().__init__(
            f"{len(errors)} figure{'s' if len(errors) != 1 else ''} could not be saved: nothing was saved."
        )


@transaction.atomic
def measurements_save(figures: Sequence[ProposedFigure], *, by) -> list[Outcome]:
    """Save every new and changed figure as submitted, or none of them if any has an error.

    Raises ``FiguresRefused`` (with every outcome) when a figure has an error, and a
    ValidationError when someone saved some of the same figures at the same moment.
    Each figure written gets its history record; each indicator's summary is refreshed once.
    """
    lock_indicators({figure.indicator.pk for figure in figures if figure.indicator})
    outcomes = measurements_check(figures, by=by)
    if any(o.status == ERROR for o in outcomes):
        raise FiguresRefused(outcomes)
    new = [o.figure for o in outcomes if o.status == NEW]
    if new:
        try:
            with transaction.atomic():
                history_from_rows(Measurement, _insert_new(new, by=by), by=by, kind="+")
        except IntegrityError as exc:  # someone saved the same months between the check and now
            raise ValidationError(SAVED_MEANWHILE, code="saved_meanwhile") from exc
    changed = [o for o in outcomes if o.status == CHANGED]
    if changed:
        history_from_rows(Measurement, _update_changed(changed, by=by), by=by, kind="~")
        review_notices.tell_resubmitted(
            [o for o in changed if o.existing.status == Measurement.Status.RETURNED], by=by
        )
    written = {o.figure.indicator.pk for o in outcomes if o.status in (NEW, CHANGED)}
    summaries.refresh(written)
    awaiting_refresh((o.figure.indicator.pk, o.figure.period) for o in outcomes if o.status in (NEW, CHANGED))
    flags_refresh(written)  # flags are for a second look: they never refuse a figure
    return outcomes


def lock_indicators(indicator_ids) -> None:
    """Lock the indicators' rows, in one order, before writing their figures and summaries.

    Two writes to one indicator's figures (a save and a review, say) then run one after
    the other. Without it, each could hold a row the other needs on PostgreSQL (the
    review its figures, the save its summary and the indicator's foreign-key check): a
    deadlock, and a 500 for one of them, as the load test found.
    """
    list(Indicator.objects.select_for_update().filter(pk__in=indicator_ids).order_by("pk").values_list("pk"))


def _one(outcomes: list[Outcome]) -> Measurement:
    """The figure a batch of one saved, as it now is."""
    outcome = outcomes[0]
    return Measurement.objects.get(
        indicator=outcome.figure.indicator,
        period=outcome.figure.period,
        group=outcome.figure.group,
    )


def _refusal_of_one(refused: FiguresRefused) -> ValidationError:
    """A batch of one's refusal for the form that sent it: next to the figure's own inputs, else at the top."""
    figure = refused.outcomes[0].figure
    own = {"numerator", "denominator"} if figure.indicator.metric.is_percentage else {"value"}
    errors: dict[str, list[str]] = {}
    for name, messages in figure.errors.items():
        errors.setdefault(name if name in own else NON_FIELD_ERRORS, []).extend(messages)
    return ValidationError(errors)


def measurement_submit(
    *,
    indicator: Indicator,
    period: datetime.date,
    by,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
    group: BreakdownGroup | None = None,
) -> Measurement:
    """Record a new month's figure as submitted: a batch of one. A month already given is refused."""
    if Measurement.objects.filter(indicator=indicator, period=period, group=group).exists():
        raise ValidationError({"period": "There is already a figure for this indicator and month."})
    figure = ProposedFigure(indicator, period, group, value, numerator, denominator)
    try:
        return _one(measurements_save([figure], by=by))
    except FiguresRefused as refused:
        raise _refusal_of_one(refused) from None


def measurement_edit(
    *,
    measurement: Measurement,
    by,
    version: int,
    value: Decimal | None = None,
    numerator: int | None = None,
    denominator: int | None = None,
) -> Measurement:
    """Correct a figure opened at ``version``: a batch of one. It goes back to evaluators as submitted.

    A returned figure saved as it is goes back too: the hub has checked it and it is right.
    Refused with ``EditConflict`` (saying who changed what) if it changed since it was opened.
    """
    require_changeable(Measurement.objects, by, measurement, "correct this figure")
    figure = ProposedFigure(
        measurement.indicator, measurement.period, measurement.group, value, numerator, denominator
    )
    figure.opened_at = version
    figure.resubmit_unchanged = True
    try:
        return _one(measurements_save([figure], by=by))
    except FiguresRefused as refused:
        outcome = refused.outcomes[0]
        if outcome.stale:
            current = outcome.existing
            fields = [*FIGURE_FIELDS, "status"]
            raise EditConflict(changes_since(current, version, fields), current.version) from None
        raise _refusal_of_one(refused) from None


# Reviewing --------------------------------------------------------------------------------------


def _review(
    measurements: QuerySet,
    *,
    by,
    from_status: str,
    to_status: str,
    note: str | Mapping[int, str],
    revise: bool = False,
) -> list[Measurement]:
    """Move the figures of ``measurements`` now at ``from_status`` to ``to_status``, each with its history.

    ``note`` is one note for all, or each indicator's (by id). ``revise`` keeps each figure's
    text in ``revised_from`` (an approved figure reopened). Figures returned are told to the
    people who answer for them (``review_notices``), in this transaction.
    """
    now = timezone.now()
    lock_indicators(set(measurements.values_list("indicator_id", flat=True)))
    reviewed = list(measurements.select_for_update().filter(status=from_status).order_by("pk"))
    reason = "Reopened" if revise else Measurement.Status(to_status).label
    fields = ["status", "review_note", "reviewed_by", "reviewed_at", "version"]
    for measurement in reviewed:  # save() each row, so history records the review
        if revise:
            measurement.revised_from = figure_text_of(measurement)
        measurement.status = to_status
        measurement.review_note = note if isinstance(note, str) else note.get(measurement.indicator_id, "")
        measurement.reviewed_by = by
        measurement.reviewed_at = now
        stamp(measurement, by=by, reason=reason)  # a hub's edit opened before the review is then refused
        measurement.save(update_fields=[*fields, "revised_from"] if revise else fields)
    indicator_ids = {measurement.indicator_id for measurement in reviewed}
    summaries.refresh(indicator_ids)
    awaiting_refresh((measurement.indicator_id, measurement.period) for measurement in reviewed)
    flags_refresh(indicator_ids)  # a returned figure leaves the chart, and so its limits
    if to_status == Measurement.Status.RETURNED:
        review_notices.tell_returned(reviewed, by=by)
    return reviewed


def _note_required(note: str, message: str) -> str:
    if not note.strip():
        raise ValidationError({"note": message})
    return note.strip()


@transaction.atomic
def measurements_review(*, measurements: QuerySet, by, approve: bool, note: str = "") -> list[Measurement]:
    """Approve, or return with a note, submitted figures; approved ones are then locked for hub staff.

    Takes a queryset (one figure, or every row of an indicator-month); rows not
    awaiting review are left as they are. Returns the figures reviewed.
    """
    require_evaluator(by, "approve or return figures")
    if approve:
        note = ""
    else:
        note = _note_required(note, "Say what the hub should check: a returned figure needs a note.")
    to_status = Measurement.Status.APPROVED if approve else Measurement.Status.RETURNED
    return _review(
        measurements, by=by, from_status=Measurement.Status.SUBMITTED, to_status=to_status, note=note
    )


@transaction.atomic
def measurements_reopen(*, measurements: QuerySet, by, note: str) -> list[Measurement]:
    """Return approved figures to the hub, with a note, so they can be corrected and submitted again.

    Each keeps its approved figure in ``revised_from``: once approved again, the nightly
    report lists it as revised, with the figure it replaced.
    """
    require_evaluator(by, "reopen approved figures")
    note = _note_required(note, "Say why these approved figures are reopened: the hub sees the note.")
    return _review(
        measurements,
        by=by,
        from_status=Measurement.Status.APPROVED,
        to_status=Measurement.Status.RETURNED,
        note=note,
        revise=True,
    )


# A hub's month at once --------------------------------------------------------------------------

HUB_MONTH_CHANGED = (
    "Figures changed since you opened this page, so nothing was reviewed: {changes}. "
    "Look at the month again, then review it."
)
NOTE_REQUIRED = "Say what the hub should check: a returned indicator needs a note."
RETURN_NOTE_MAX = 2000


@dataclass(frozen=True)
class HubMonthReviewed:
    """What a review of a hub's month did: the figures approved, and those returned."""

    approved: list[Measurement]
    returned: list[Measurement]


class HubMonthChanged(ValidationError):
    """A figure of the month changed (or arrived) since the evaluator opened the page: nothing was reviewed."""

    def __init__(self, changed: list[Measurement]):
        self.changed = changed
        changes = "; ".join(
            f"{m.indicator.metric.name} ({m.indicator.adoption.innovation.name}, "
            f"{m.group_label}) is now "
            f"{figure_text_of(m)}, {Measurement.Status(m.status).label.lower()}"
            for m in changed[:10]
        )
        more = f" and {len(changed) - 10} more" if len(changed) > 10 else ""
        super().__init__(HUB_MONTH_CHANGED.format(changes=changes + more), code="hub_month_changed")


def hub_indicators(hub) -> QuerySet:
    """The indicators a hub reports now: those of its adoptions not archived."""
    return Indicator.objects.filter(adoption__hub=hub, adoption__archived=False)


@transaction.atomic
def hub_month_review(
    *, hub, period: datetime.date, by, seen: Mapping[int, int], returns: Mapping[int, str]
) -> HubMonthReviewed:
    """Approve the submitted figures the evaluator was shown, but return those of the indicators in ``returns``.

    ``seen`` maps each figure shown to the evaluator (one page of the hub's month, or all of
    it) to the version they saw: the review covers the indicators those figures belong to,
    and no other. ``returns`` maps an indicator id among them to its note (required). If
    any figure of those indicators that month changed since (saved again, reviewed by
    someone else, or newly submitted), nothing is reviewed and ``HubMonthChanged`` says
    which: all or nothing, under the indicators' locks.
    """
    require_evaluator(by, "approve or return figures")
    notes = {indicator_id: (note or "").strip() for indicator_id, note in returns.items()}
    if missing := [pk for pk, note in notes.items() if not note]:
        raise ValidationError(NOTE_REQUIRED, code="note_required", params={"indicators": missing})
    if any(len(note) > RETURN_NOTE_MAX for note in notes.values()):
        raise ValidationError(f"A note can be at most {RETURN_NOTE_MAX} characters.", code="note_too_long")
    hub_ids = set(hub_indicators(hub).values_list("pk", flat=True))
    if not set(notes) <= hub_ids:
        raise ValidationError("Only this hub's current indicators can be returned.", code="not_this_hub")
    shown = set(
        Measurement.objects.filter(pk__in=list(seen), indicator__in=hub_ids, period=period).values_list(
            "indicator_id", flat=True
        )
    )
    if not set(notes) <= shown:
        raise ValidationError("Only the indicators you were shown can be returned.", code="not_shown")
    lock_indicators(shown)
    in_month = Measurement.objects.filter(indicator__in=shown, period=period)
    current = list(
        in_month.select_related("indicator__metric", "indicator__adoption__innovation", "group__dimension")
    )
    changed = [
        m
        for m in current
        if (m.pk in seen and seen[m.pk] != m.version)
        or (m.pk not in seen and m.status == Measurement.Status.SUBMITTED)
    ]
    if changed:
        raise HubMonthChanged(changed)
    submitted = Measurement.Status.SUBMITTED
    approved = _review(
        in_month.exclude(indicator__in=notes),
        by=by,
        from_status=submitted,
        to_status=Measurement.Status.APPROVED,
        note="",
    )
    returned = _review(
        in_month.filter(indicator__in=notes),
        by=by,
        from_status=submitted,
        to_status=Measurement.Status.RETURNED,
        note=notes,
    )
    return HubMonthReviewed(approved, returned)


def month_rows(indicator: Indicator, period: datetime.date):
    """Every figure of an indicator-month: the total and its groups' rows."""
    return Measurement.objects.filter(indicator=indicator, period=period)
