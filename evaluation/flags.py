"""Data-quality flags: what in an indicator's monthly figures is worth a second look.

Detection (``detect``) is pure: it reads an indicator's ``Series`` (its monthly
totals and, per month, the sums of each breakdown's group rows) and returns what it found,
each with a detail in plain words and numbers. The same functions judge the saved
figures (``flags_refresh``, called by every write that changes a series or its
limits) and a file's figures before they are imported (``flags_for_figures``).

A flag never refuses a figure: the hard rules live in ``evaluation.measurements``.
People's words on a flag (an explanation, an evaluator's check) outlive it: a flag
that no longer applies is kept inactive, and comes back with them if it applies again.

The limits are the chart's own: ``summaries.indicator_reading`` on the series the chart
draws (monthly totals that are not returned), with the indicator's baseline and rebase
points, so a point flagged outside them is the point the chart marks (a run chart, short of the
programme's minimum, has no limits to be outside of).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, Sum, Window
from django.utils import timezone

from core.concurrency import EditConflict, changes_since
from core.history import history_from_rows, stamp
from core.months import add_months, month_index
from core.numbers import counted, figure_value, number_text
from hubs.access import require_changeable, require_evaluator

from .charts import format_number
from .models import BreakdownDimension, DataQualityFlag, Indicator, Measurement, Metric
from .spc import SpecialCause
from .summaries import READING_RELATED, MonthlyFigure, indicator_reading

Kind = DataQualityFlag.Kind

# The modified z-score (Iglewicz and Hoaglin): 0.6745 × (x − median) / MAD, unusual from 3.5.
Z_FACTOR = 0.6745
Z_UNUSUAL = 3.5
MIN_CHANGES = 6  # fewer month-on-month changes say too little about what is usual
SAME_VALUE_MONTHS = 4
DENOMINATOR_RATIO_UP = Decimal("1.5")  # more than half again ...
DENOMINATOR_RATIO_DOWN = Decimal("0.5")  # ... or less than half of the month before
# The parts of a figure that a breakdown's groups split: counts of people, a percentage's two counts.
SPLIT_PARTS = {Metric.Kind.COUNT: ("value",), Metric.Kind.PERCENTAGE: ("numerator", "denominator")}
DETAIL_LENGTH = DataQualityFlag._meta.get_field("detail").max_length
REFRESH_BATCH = 500  # indicators per round of queries
WRITE_BATCH = 1000  # flags per statement (8 parameters each: within SQLite's limit)


# What detection reads --------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """A month's figure for all people, as stored."""

    period: datetime.date
    value: Decimal | None
    numerator: int | None
    denominator: int | None
    status: str

    @property
    def figure(self) -> float:
        """The figure as the chart plots it: the value, or the percentage from the fraction."""
        return figure_value(self.value, self.numerator, self.denominator)

    @property
    def is_charted(self) -> bool:
        """Returned figures are being corrected: the chart leaves them out, and so do flags."""
        return self.status != Measurement.Status.RETURNED


@dataclass(frozen=True)
class Dimension:
    """What detection needs of a breakdown dimension: its name, whether its groups split people, how many."""

    pk: int
    name: str
    partitions: bool  # each person in one group: the groups add up to the total (``BreakdownDimension``)
    groups: int  # how many groups it has (national ones; a hub's own groups never split people)


@dataclass(frozen=True)
class GroupSum:
    """A month's rows of one breakdown added up: how many of its groups are given, and each part's sum."""

    given: int
    value: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None


@dataclass
class Series:
    """An indicator's figures as flags read them: totals in time order, each breakdown's sums by month."""

    totals: list[Total] = field(default_factory=list)
    groups: dict[datetime.date, dict[Dimension, GroupSum]] = field(default_factory=dict)


@dataclass(frozen=True)
class Found:
    """A flag detection raised: its month, kind and detail, and the months whose figures raise it."""

    period: datetime.date
    kind: str
    detail: str
    months: tuple[datetime.date, ...] = ()


# Detection -------------------------------------------------------------------------------------


def detect(indicator: Indicator, series: Series, rebase_periods: Iterable[datetime.date] = ()) -> list[Found]:
    """Every flag the series raises, in time order then kind.

    ``indicator`` needs its metric (kind, unit, direction), target and baseline; no query is made.
    """
    charted = [total for total in series.totals if total.is_charted]
    unit = "%" if indicator.metric.is_percentage else ""
    found = [
        *outside_limits(indicator, charted, rebase_periods, unit),
        *unusual_jumps(charted, unit),
        *same_values(charted, unit),
        *(denominator_changes(charted) if indicator.metric.is_percentage else []),
        *breakdowns_not_adding_up(charted, series.groups, SPLIT_PARTS.get(indicator.metric.kind, ())),
        *months_missing([total.period for total in series.totals]),
    ]
    return sorted(found, key=lambda flag: (flag.period, flag.kind))


def _month(period: datetime.date) -> str:
    return f"{period:%B %Y}"


def _text(number: float, unit: str = "") -> str:
    return f"{format_number(number, 2)}{unit}"


def _signed(number: float, unit: str = "") -> str:
    return f"{'+' if number > 0 else ''}{_text(number, unit)}"


def _found(period: datetime.date, kind: str, detail: str, months: Iterable[datetime.date]) -> Found:
    return Found(period, kind, detail[:DETAIL_LENGTH], tuple(months))


def _follows(earlier: Total, later: Total) -> bool:
    return month_index(later.period) - month_index(earlier.period) == 1


def outside_limits(
    indicator: Indicator, charted: Sequence[Total], rebase_periods: Iterable[datetime.date], unit: str
) -> list[Found]:
    """Months beyond a process limit of the indicator's chart, as the page draws it: none on a run chart
    (too few figures for limits, by the programme's minimum)."""
    figures = [MonthlyFigure(total.period, total.figure, total.status) for total in charted]
    result = indicator_reading(indicator, figures, list(rebase_periods)).chart
    found = []
    for total, point in zip(charted, result.points, strict=True):
        if point.special_cause == SpecialCause.ABOVE_UCL:
            detail = (
                f"{_text(point.value, unit)} is above the upper process limit ({_text(point.upl, unit)})."
            )
        elif point.special_cause == SpecialCause.BELOW_LCL:
            detail = (
                f"{_text(point.value, unit)} is below the lower process limit ({_text(point.lpl, unit)})."
            )
        else:
            continue
        found.append(_found(total.period, Kind.OUTSIDE_LIMITS, detail, [total.period]))
    return found


def modified_z_scores(changes: Sequence[float]) -> list[float] | None:
    """Each change's modified z-score against all of them; None when too few or when most are equal (MAD 0)."""
    if len(changes) < MIN_CHANGES:
        return None
    middle = statistics.median(changes)
    mad = statistics.median([abs(change - middle) for change in changes])
    if mad == 0:
        return None
    return [Z_FACTOR * (change - middle) / mad for change in changes]


def unusual_jumps(charted: Sequence[Total], unit: str) -> list[Found]:
    """Month-on-month changes far from the indicator's usual change (modified z-score of 3.5 or more)."""
    steps = [(earlier, later) for earlier, later in pairwise(charted) if _follows(earlier, later)]
    changes = [later.figure - earlier.figure for earlier, later in steps]
    scores = modified_z_scores(changes)
    if scores is None:
        return []
    usual = statistics.median(changes)
    found = []
    for (earlier, later), change, score in zip(steps, changes, scores, strict=True):
        if abs(score) >= Z_UNUSUAL:
            detail = (
                f"{'A rise' if change > 0 else 'A fall'} of {_text(abs(change), unit)} from "
                f"{_month(earlier.period)} ({_text(earlier.figure, unit)} to {_text(later.figure, unit)}), "
                f"where the usual change is {_signed(usual, unit)}: modified z-score {format_number(score, 1)} "
                f"(unusual from {Z_UNUSUAL})."
            )
            found.append(_found(later.period, Kind.UNUSUAL_JUMP, detail, [earlier.period, later.period]))
    return found


def same_values(charted: Sequence[Total], unit: str) -> list[Found]:
    """The 4th and later months of a run of one figure in consecutive months."""
    found = []
    run: list[Total] = []
    for total in charted:
        if run and _follows(run[-1], total) and total.figure == run[-1].figure:
            run.append(total)
        else:
            run = [total]
        if len(run) >= SAME_VALUE_MONTHS:
            detail = (
                f"The same figure, {_text(total.figure, unit)}, {len(run)} months running "
                f"(since {_month(run[0].period)})."
            )
            found.append(_found(total.period, Kind.SAME_VALUE, detail, [t.period for t in run]))
    return found


def denominator_changes(charted: Sequence[Total]) -> list[Found]:
    """A percentage's denominator more than half again, or less than half, of the month before's."""
    found = []
    for earlier, later in pairwise(charted):
        if not _follows(earlier, later) or not earlier.denominator or later.denominator is None:
            continue
        ratio = Decimal(later.denominator) / Decimal(earlier.denominator)
        if DENOMINATOR_RATIO_DOWN <= ratio <= DENOMINATOR_RATIO_UP:
            continue
        change = (ratio - 1) * 100
        detail = (
            f"The denominator went from {number_text(earlier.denominator)} in {_month(earlier.period)} "
            f"to {number_text(later.denominator)} ({'up' if change > 0 else 'down'} "
            f"{format_number(float(abs(change)), 0)}%)."
        )
        found.append(_found(later.period, Kind.DENOMINATOR_CHANGE, detail, [earlier.period, later.period]))
    return found


PART_WORDS = {"value": "counts", "numerator": "numerators", "denominator": "denominators"}


# Some people's group is not known (no postcode for their IMD quintile, an ethnic group not stated): the
# groups of a breakdown that splits people may rightly add up to a little less than the total, but not,
# all of them given, to under nine tenths of it.
UNPLACED_SHARE_EXPECTED = Decimal("0.9")
UNPLACED_WORDS = "nine tenths"


def breakdowns_not_adding_up(
    charted: Sequence[Total],
    groups: Mapping[datetime.date, Mapping[Dimension, GroupSum]],
    parts: Sequence[str],
) -> list[Found]:
    """Months where a breakdown's groups add up to more than the total, or (all given) to under nine tenths of it.

    Only breakdowns whose groups split people (one group each) are added up: a hub's PLUS
    groups may overlap, and leave most people out. One flag a month, naming each breakdown.
    """
    found = []
    for total in charted:
        by_dimension = groups.get(total.period, {})
        problems = []
        for dimension in sorted(by_dimension, key=lambda d: d.name):
            split = by_dimension[dimension]
            if not parts or not dimension.partitions or not split.given:
                continue
            every = split.given >= dimension.groups
            for part in parts:
                whole, summed = getattr(total, part), getattr(split, part)
                if whole is None or summed is None:
                    continue
                given = (
                    f"{dimension.name}: the {PART_WORDS[part]} of "
                    f"{'both' if dimension.groups == 2 else f'all {dimension.groups}'} groups"
                    if every
                    else f"{dimension.name}: the {PART_WORDS[part]} of the {counted(split.given, 'group')} given"
                )
                if summed > whole:
                    problems.append(
                        f"{given} add up to {number_text(summed)}, more than the total ({number_text(whole)})"
                    )
                elif every and summed < whole * UNPLACED_SHARE_EXPECTED:
                    problems.append(
                        f"{given} add up to {number_text(summed)}, under {UNPLACED_WORDS} of the total ({number_text(whole)})"
                    )
        if problems:
            found.append(
                _found(total.period, Kind.BREAKDOWN_NOT_ADDING_UP, "; ".join(problems) + ".", [total.period])
            )
    return found


def months_missing(periods: Iterable[datetime.date]) -> list[Found]:
    """Each month without a total between two months that have one (a returned total still counts as given)."""
    given = sorted(set(periods))
    found = []
    for before, after in pairwise(given):
        gap = month_index(after) - month_index(before) - 1
        for step in range(1, gap + 1):
            missing = add_months(before, step)
            detail = (
                f"No figure for all people in {_month(missing)}, between "
                f"{_month(before)} and {_month(after)}."
            )
            found.append(_found(missing, Kind.MONTH_MISSING, detail, [before, after]))
    return found


# Reading series from the database --------------------------------------------------------------


def breakdown_dimensions() -> dict[int, Dimension]:
    """Every breakdown dimension, by id, with how many national groups it has: one query."""
    rows = BreakdownDimension.objects.annotate(
        national=Count("groups", filter=Q(groups__hub__isnull=True))
    ).values_list("pk", "name", "partitions", "national")
    return {pk: Dimension(pk, name, partitions, national) for pk, name, partitions, national in rows}


def _series_of(indicator_ids: Sequence[int], dimensions: Mapping[int, Dimension]) -> dict[int, Series]:
    """Each indicator's series: two queries, each breakdown's rows added up by the database."""
    series: dict[int, Series] = defaultdict(Series)
    totals = (
        Measurement.objects.filter(indicator__in=indicator_ids, group__isnull=True)
        .order_by("indicator", "period")
        .values_list("indicator", "period", "value", "numerator", "denominator", "status")
    )
    for indicator_id, *total in totals:
        series[indicator_id].totals.append(Total(*total))
    sums = (
        Measurement.objects.filter(indicator__in=indicator_ids, group__isnull=False)
        .exclude(status=Measurement.Status.RETURNED)
        .values("indicator", "period", "group__dimension")
        .annotate(given=Count("pk"), v=Sum("value"), n=Sum("numerator"), d=Sum("denominator"))
        .order_by()
    )
    for row in sums:
        month = series[row["indicator"]].groups.setdefault(row["period"], {})
        month[dimensions[row["group__dimension"]]] = GroupSum(row["given"], row["v"], row["n"], row["d"])
    return series


def _indicators(indicator_ids: Iterable[int]) -> dict[int, Indicator]:
    return (
        Indicator.objects.filter(pk__in=list(indicator_ids))
        .select_related(*READING_RELATED)
        .prefetch_related("rebase_points")
        .in_bulk()
    )


def _rebase_periods(indicator: Indicator) -> list[datetime.date]:
    return [point.period for point in indicator.rebase_points.all()]


# Keeping the stored flags up to date -----------------------------------------------------------


def flags_refresh(indicator_ids: Iterable[int]) -> int:
    """Recompute and store the flags of these indicators; returns how many are active.

    A few queries per ``REFRESH_BATCH`` indicators, however many months they have: load
    the indicators, their totals, their breakdowns' sums and their stored flags; then upsert
    the flags found (raised, raised again, or with a new detail), mark inactive those no
    longer found, and write a history record of each change. Explanations and checks are
    never touched here.
    """
    ids = sorted(set(indicator_ids))
    return sum(
        _refresh_batch(ids[start : start + REFRESH_BATCH]) for start in range(0, len(ids), REFRESH_BATCH)
    )


def _refresh_batch(ids: list[int]) -> int:
    if not ids:
        return 0
    indicators = _indicators(ids)
    series = _series_of(ids, breakdown_dimensions())
    found = {
        (pk, flag.period, flag.kind): flag.detail
        for pk, indicator in indicators.items()
        for flag in detect(indicator, series[pk], _rebase_periods(indicator))
    }
    stored = {
        (indicator_id, period, kind): (pk, detail, active)
        for pk, indicator_id, period, kind, detail, active in DataQualityFlag.objects.filter(
            indicator__in=ids
        ).values_list("pk", "indicator", "period", "kind", "detail", "active")
    }
    raised = [key for key in found if key not in stored]
    changed = [key for key, detail in found.items() if key in stored and stored[key][1:] != (detail, True)]
    gone = [stored[key][0] for key, (_, _, active) in stored.items() if active and key not in found]
    written = _upsert([(*key, found[key]) for key in (*raised, *changed)])
    changed_pks = {stored[key][0] for key in changed}
    history_from_rows(DataQualityFlag, [pk for pk in written if pk not in changed_pks], by=None, kind="+")
    history_from_rows(DataQualityFlag, sorted(changed_pks), by=None, kind="~")
    for start in range(0, len(gone), WRITE_BATCH):
        DataQualityFlag.objects.filter(pk__in=gone[start : start + WRITE_BATCH]).update(active=False)
    history_from_rows(DataQualityFlag, gone, by=None, kind="~")
    return len(found)


def _upsert(rows: list[tuple[int, datetime.date, str, str]]) -> list[int]:
    """Raise these (indicator id, month, kind, detail) flags, or raise them again with that detail.

    ``INSERT … ON CONFLICT DO UPDATE`` on the flag's unique key, ``WRITE_BATCH`` rows a
    statement, without a model object per flag (thousands, for a long series): a flag
    someone else raised meanwhile is updated, never duplicated, and keeps what people
    wrote on it. Returns the ids written.
    """
    meta = DataQualityFlag._meta
    quote = connection.ops.quote_name
    columns = ["indicator_id", "period", "kind", "detail", "active", "raised_at", "explanation", "version"]
    period_field = meta.get_field("period")
    now = meta.get_field("raised_at").get_db_prep_save(timezone.now(), connection)
    placeholders = f"({', '.join(['%s'] * len(columns))})"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            batch = rows[start : start + WRITE_BATCH]
            params = [
                value
                for indicator_id, period, kind, detail in batch
                for value in (
                    indicator_id,
                    period_field.get_db_prep_save(period, connection),
                    kind,
                    detail,
                    True,
                    now,
                    "",
                    1,
                )
            ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES {', '.join([placeholders] * len(batch))} "
                f"ON CONFLICT ({quote('indicator_id')}, {quote('period')}, {quote('kind')}) DO UPDATE SET "
                f"{quote('detail')} = EXCLUDED.{quote('detail')}, {quote('active')} = EXCLUDED.{quote('active')} "
                f"RETURNING {quote('id')}",
                params,
            )
            ids.extend(row_id for (row_id,) in cursor.fetchall())
    return ids


def flags_refresh_all(indicators=None) -> int:
    """Recompute every indicator's flags (or a queryset's), a batch at a time: for the demo and repairs."""
    ids = (indicators if indicators is not None else Indicator.objects.all()).values_list("pk", flat=True)
    return flags_refresh(ids)


# A file's figures, before they are imported ------------------------------------------------------


@dataclass(frozen=True)
class Flagged:
    """A flag found for an indicator: what the upload preview and the pages list."""

    indicator: Indicator
    found: Found


def _plus(total, number):
    return number if total is None else (total if number is None else total + number)


def _minus(total, number):
    return total if number is None or total is None else total - number


def _with_group(split: GroupSum | None, figure, existing: Measurement | None) -> GroupSum:
    """A breakdown's month's sums once ``figure`` replaces ``existing`` (whose returned row the sums leave out)."""
    split = split or GroupSum(0)
    counted = existing is not None and existing.status != Measurement.Status.RETURNED
    parts = {
        part: _plus(
            _minus(getattr(split, part), getattr(existing, part) if counted else None), getattr(figure, part)
        )
        for part in ("value", "numerator", "denominator")
    }
    return GroupSum(split.given + (0 if counted else 1), **parts)


def flags_for_figures(
    written: Sequence[tuple[object, Measurement | None]], kept: Iterable[object] = ()
) -> list[Flagged]:
    """The flags these figures would raise against the saved history, for the months they are in.

    ``written`` pairs each figure a save would write (anything with ``indicator``, ``period``,
    ``group``, ``value``, ``numerator`` and ``denominator``, such as a ``ProposedFigure``)
    with the saved figure it replaces, or None; ``kept`` are figures given again unchanged, whose
    months count as the file's too. Five queries (the dimensions, the indicators, their rebase points,
    totals and breakdowns' sums) whatever the number of figures: the sums are adjusted with the
    replaced figures in hand.
    """
    figures = [figure for figure, _ in written]
    indicators = {figure.indicator.pk: figure.indicator for figure in (*figures, *kept)}
    if not indicators:
        return []
    months: dict[int, set[datetime.date]] = defaultdict(set)
    for figure in (*figures, *kept):
        months[figure.indicator.pk].add(figure.period)
    indicators = _indicators(indicators)  # with their metrics and rebase points
    dimensions = breakdown_dimensions()
    series = _series_of(sorted(indicators), dimensions)
    overlaid: dict[int, dict[datetime.date, Total]] = {
        pk: {total.period: total for total in series[pk].totals} for pk in indicators
    }
    for figure, existing in written:
        pk = figure.indicator.pk
        if figure.group is None:
            overlaid.setdefault(pk, {})[figure.period] = Total(
                figure.period,
                figure.value,
                figure.numerator,
                figure.denominator,
                Measurement.Status.SUBMITTED,
            )
        else:
            month = series[pk].groups.setdefault(figure.period, {})
            dimension = dimensions[figure.group.dimension_id]
            month[dimension] = _with_group(month.get(dimension), figure, existing)
    flagged = []
    for pk, indicator in indicators.items():
        totals = sorted(overlaid.get(pk, {}).values(), key=lambda total: total.period)
        merged = Series(totals, series[pk].groups)
        flagged += [
            Flagged(indicator, found)
            for found in detect(indicator, merged, _rebase_periods(indicator))
            if months[pk].intersection(found.months)
        ]
    return flagged


# Reading stored flags, for the pages ------------------------------------------------------------


def flags_for(
    indicator_ids: Iterable[int],
    periods: Iterable[datetime.date],
    *,
    user=None,
    include_inactive: bool = False,
) -> dict[tuple[int, datetime.date], list[DataQualityFlag]]:
    """The stored flags of these indicators in these months, by (indicator id, month): one query.

    Active flags only, unless ``include_inactive``; only those ``user`` may see, when given.
    Each has who explained and who checked it loaded.
    """
    flags = DataQualityFlag.objects.filter(indicator__in=list(indicator_ids), period__in=list(periods))
    if user is not None:
        flags = flags.for_user(user)
    if not include_inactive:
        flags = flags.filter(active=True)
    by_month: dict[tuple[int, datetime.date], list[DataQualityFlag]] = defaultdict(list)
    for flag in flags.select_related("explained_by", "checked_by", "indicator__metric").order_by(
        "indicator", "period", "kind"
    ):
        by_month[flag.indicator_id, flag.period].append(flag)
    return by_month


def flag_counts_by_hub_month(
    *,
    hub_ids: Iterable[int] | None = None,
    periods: Iterable[datetime.date] | None = None,
    unchecked_only: bool = False,
) -> dict[tuple[int, datetime.date], int]:
    """How many active flags each hub-month's current adoptions have, by (hub id, month): one query.

    For the evaluators' to-do list and the review queue: evaluators see every hub's
    flags, so no user narrows these counts; pass ``hub_ids`` to narrow them yourself.
    """
    flags = DataQualityFlag.objects.filter(active=True, indicator__adoption__archived=False)
    if hub_ids is not None:
        flags = flags.filter(indicator__adoption__hub__in=list(hub_ids))
    if periods is not None:
        flags = flags.filter(period__in=list(periods))
    if unchecked_only:
        flags = flags.filter(checked_at__isnull=True)
    rows = flags.values_list("indicator__adoption__hub", "period").annotate(count=Count("pk")).order_by()
    return {(hub_id, period): count for hub_id, period, count in rows}


# What people write on a flag -------------------------------------------------------------------

EXPLANATION_MAX_LENGTH = 2000


def _locked_at(flag: DataQualityFlag, version: int, fields: Iterable[str]) -> DataQualityFlag:
    """The flag's row, locked, if still at ``version``; ``EditConflict`` saying what changed, if not.

    Only the fields people write are saved from it, so a refresh's ``active`` and ``detail``
    are never written back as they were.
    """
    current = DataQualityFlag.objects.select_for_update().get(pk=flag.pk)
    if current.version != version:
        raise EditConflict(changes_since(current, version, fields), current.version)
    return current


@transaction.atomic
def flag_explain(*, flag: DataQualityFlag, by, version: int, explanation: str) -> DataQualityFlag:
    """Say why a flagged figure is right, or what will be corrected: the hub's own staff only.

    A changed explanation asks for a new check, so an evaluator's "checked" always
    refers to the words now on the flag.
    """
    require_changeable(DataQualityFlag.objects, by, flag, "explain this flag")
    explanation = explanation.strip()
    if not explanation:
        raise ValidationError(
            {"explanation": "Enter an explanation: why the figure is right, or what you will correct."}
        )
    if len(explanation) > EXPLANATION_MAX_LENGTH:
        raise ValidationError(
            {"explanation": f"The explanation must be {EXPLANATION_MAX_LENGTH:,} characters or fewer."}
        )
    current = _locked_at(flag, version, ["explanation", "checked_by"])
    fields = ["explanation", "explained_by", "explained_at", "version"]
    if current.explanation != explanation:
        current.checked_by, current.checked_at = None, None
        fields += ["checked_by", "checked_at"]
    current.explanation, current.explained_by, current.explained_at = explanation, by, timezone.now()
    stamp(current, by=by, reason="Explained")
    current.save(update_fields=fields)
    return current


@transaction.atomic
def flag_check(*, flag: DataQualityFlag, by, version: int) -> DataQualityFlag:
    """Mark a flag checked: an evaluator has looked at the figure and any explanation."""
    require_evaluator(by, "mark a flag checked")
    current = _locked_at(flag, version, ["explanation", "checked_by"])
    current.checked_by, current.checked_at = by, timezone.now()
    stamp(current, by=by, reason="Checked")
    current.save(update_fields=["checked_by", "checked_at", "version"])
    return current


@dataclass(frozen=True)
class ActiveFlags:
    """An indicator's latest active flags, and how many it has in all."""

    shown: list[DataQualityFlag]
    total: int

    def __bool__(self) -> bool:
        return bool(self.total)


FLAGS_SHOWN = 12


def active_flags(indicator: Indicator, user, limit: int = FLAGS_SHOWN) -> ActiveFlags:
    """The indicator's active flags ``user`` may see, newest month first, for its page: one query.

    Each row carries the count of them all (a window over the rows), so the page costs the
    same queries with no flag, a few, or hundreds.
    """
    flags = DataQualityFlag.objects.for_user(user).filter(indicator=indicator, active=True)
    shown = list(
        flags.select_related("explained_by", "checked_by", "indicator__metric")
        .annotate(flags_in_all=Window(Count("pk")))
        .order_by("-period", "kind")[:limit]
    )
    return ActiveFlags(shown, shown[0].flags_in_all if shown else 0)
