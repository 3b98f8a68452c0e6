"""Read the demo data files (``demo/data/*.toml``) into checked records, without a database.

The files are for people to edit: TOML, read with the standard library's ``tomllib``,
one file per subject, each saying in comments what its fields mean. Reading checks
them whole: unknown and missing fields, choices the models would refuse, names that
refer to nothing (a hub's slug, an account, an innovation, a metric, a note's title),
and every account that acts having the role its action needs (staff of the hub for a
hub's adoptions and notes, an evaluator for reviews, AHSN admins for summaries), so
the services the loader calls never refuse it. A mistake raises ``DemoDataError``
naming the file and the record.
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, fields
from decimal import Decimal
from pathlib import Path

from evaluation.models import Metric
from evaluation.vocabulary import ETHNIC_GROUP, IMD, NATIONAL_DIMENSIONS, PLUS, SEX
from hubs.access import AHSN_ADMINS, EVALUATORS, GLOBAL_ROLE_GROUPS
from hubs.models import Membership, Organisation, Partnership
from hubs.vocabulary import CLINICAL_AREAS
from innovations.models import Innovation
from innovations.stages import EXIT_STAGES, Stage
from learning.models import Audience, LearningNote, LearningSummary

from .figures import FAULTS, IMD1_SHARE, MONTHS, SIGNALS, Series

DATA_DIR = Path(__file__).resolve().parent / "data"
CLINICAL_AREA_CODES = [code for _, code, _ in CLINICAL_AREAS]
SEEDED_SUMMARY_STATUSES = [LearningSummary.Status.IN_REVIEW.value, LearningSummary.Status.PUBLISHED.value]


class DemoDataError(Exception):
    """The demo data cannot be loaded: a data file has a mistake, or the database is not ready."""


# --------------------------------------------------------------------------------------
# Records, one per row to make; field names as in the files
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeSpec:
    slug: str
    name: str
    funder: str
    award_cap: Decimal
    duration_months: int
    description: str


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: str
    region: str


@dataclass(frozen=True)
class PartnerSpec:
    organisation: str
    role: str


@dataclass(frozen=True)
class HubSpec:
    slug: str
    name: str
    region: str
    host_ahsn: str
    lead_organisation: str
    award: Decimal
    start_date: datetime.date
    end_date: datetime.date
    priorities: str
    core20: bool
    plus_groups: tuple[str, ...]
    clinical_areas: tuple[str, ...]
    partners: tuple[PartnerSpec, ...]
    imd_quintile_shares: tuple[float, ...]
    months_awaiting_review: int
    # The local population (synthetic): IMD quintiles 1-5, the ONS ethnic groups, sex, each PLUS group.
    imd_population_shares: tuple[float, ...] = ()
    ethnic_group_shares: tuple[float, ...] = ()
    sex_shares: tuple[float, ...] = ()
    plus_group_shares: tuple[float, ...] = ()

    def population(self) -> dict[str, tuple[float, ...]]:
        """The local population's shares by breakdown dimension (its code), in the groups' order."""
        return {
            IMD: self.imd_population_shares,
            ETHNIC_GROUP: self.ethnic_group_shares,
            SEX: self.sex_shares,
            PLUS: self.plus_group_shares,
        }


@dataclass(frozen=True)
class AccountSpec:
    """A hub's staff (``hub`` and ``role``) or a role across every hub (``group``)."""

    username: str
    first_name: str
    last_name: str
    hub: str = ""
    role: str = ""
    group: str = ""


@dataclass(frozen=True)
class InnovationSpec:
    slug: str
    name: str
    summary: str
    category: str
    evidence_level: str
    origin: str
    clinical_areas: tuple[str, ...]
    proposed_by: str = ""  # an account: the entry is a proposal awaiting review


@dataclass(frozen=True)
class MetricSpec:
    """A metric's model fields, exactly: ``Metric(**asdict(spec))``."""

    code: str
    name: str
    description: str
    dimension: str
    unit: str
    kind: str
    improvement: str


@dataclass(frozen=True)
class StageMove:
    stage: str
    days_after_start: int
    reason: str = ""


@dataclass(frozen=True)
class AdoptionSpec:
    hub: str
    innovation: str
    lead: str
    started_days_ago: int
    aims: str
    target_population: str
    moves: tuple[StageMove, ...]
    indicators: tuple[Series, ...] = ()
    months_not_sent: int = 0  # the latest months whose figures the hub has yet to send


@dataclass(frozen=True)
class ReturnedFigure:
    """A figure an evaluator sent back; ``months_before_last`` 0 is the last complete month."""

    hub: str
    innovation: str
    metric: str
    months_before_last: int
    fault: str
    note: str


@dataclass(frozen=True)
class NoteSpec:
    hub: str
    innovation: str
    author: str
    days_after_start: int
    kind: str
    cfir_domain: str
    title: str
    text: str


@dataclass(frozen=True)
class SummarySpec:
    title: str
    standfirst: str
    body: str
    themes: tuple[str, ...]
    hubs: tuple[str, ...]
    innovations: tuple[str, ...]
    cited_notes: tuple[str, ...]
    audience: str
    status: str


@dataclass(frozen=True)
class DemoData:
    """Everything ``seed_demo`` makes, in the order it makes it."""

    programme: ProgrammeSpec
    organisations: tuple[OrganisationSpec, ...]
    hubs: tuple[HubSpec, ...]
    accounts: tuple[AccountSpec, ...]
    innovations: tuple[InnovationSpec, ...]
    metrics: tuple[MetricSpec, ...]
    adoptions: tuple[AdoptionSpec, ...]
    figures_reviewed_by: str
    returned_figures: tuple[ReturnedFigure, ...]
    notes: tuple[NoteSpec, ...]
    summaries: tuple[SummarySpec, ...]
    summaries_written_by: str
    summaries_published_by: str
    summary_subscribers: tuple[str, ...]

    def hub(self, slug: str) -> HubSpec:
        return next(hub for hub in self.hubs if hub.slug == slug)

    def figures_submitted_by(self, hub_slug: str) -> str:
        """The first account listed on a hub submits its synthetic figures."""
        return next(account.username for account in self.accounts if account.hub == hub_slug)


@dataclass(frozen=True)
class ScaleTables:
    """The tables ``generate_scale_data`` draws from (``scale.toml``), in their order."""

    indicator_slots: tuple[tuple[str, ...], ...]
    stage_weights: tuple[tuple[Stage, int], ...]
    exit_reasons: dict[Stage, str]


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def read_file(name: str) -> dict:
    """One data file as plain Python, every string stripped (so a closing ``\"\"\"`` may sit on its own line)."""
    path = DATA_DIR / name
    try:
        with path.open("rb") as file:
            return _stripped(tomllib.load(file))
    except tomllib.TOMLDecodeError as exc:
        raise DemoDataError(f"{path}: not valid TOML: {exc}") from exc


def _stripped(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {key: _stripped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stripped(item) for item in value]
    return value


def _listed(names: Iterable[str]) -> str:
    return ", ".join(str(name) for name in names)


def _record(cls, table, where: str, **converted):
    """A ``cls`` from one TOML table: an unknown or missing field is a mistake worth naming."""
    if not isinstance(table, dict):
        raise DemoDataError(f"{where}: expected a table of fields, found {table!r}.")
    known = [field.name for field in fields(cls)]
    required = [
        field.name for field in fields(cls) if field.default is MISSING and field.default_factory is MISSING
    ]
    unknown = [name for name in table if name not in known]
    if unknown:
        raise DemoDataError(f"{where}: unknown field {_listed(unknown)} (the fields are {_listed(known)}).")
    missing = [name for name in required if name not in table and name not in converted]
    if missing:
        raise DemoDataError(f"{where}: missing {_listed(missing)}.")
    return cls(**{**table, **converted})


def _check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise DemoDataError(f"{where}: {message}")


def _one_of(value, allowed: Iterable[str], where: str, what: str) -> None:
    allowed = list(allowed)
    _check(value in allowed, where, f"{what} {value!r} is not one of {_listed(allowed)}.")


def _number(value, where: str) -> int | float:
    _check(
        isinstance(value, int | float) and not isinstance(value, bool), where, f"{value!r} is not a number."
    )
    return value


def _decimal(value, where: str) -> Decimal:
    return Decimal(str(_number(value, where)))


def _tables(document: dict, key: str, file: str) -> list[dict]:
    tables = document.get(key, [])
    _check(isinstance(tables, list), file, f"[[{key}]] must be an array of tables.")
    return tables


def read_metrics() -> tuple[MetricSpec, ...]:
    """The shared metric set (``metrics.toml``), checked against the model's choices."""
    file = "metrics.toml"
    metrics = []
    for number, table in enumerate(_tables(read_file(file), "metric", file), start=1):
        where = f"{file}, metric {number} ({table.get('code', '?')})"
        metric = _record(MetricSpec, table, where)
        _one_of(metric.dimension, Metric.Dimension.values, where, "dimension")
        _one_of(metric.kind, Metric.Kind.values, where, "kind")
        _one_of(metric.improvement, Metric.Improvement.values, where, "improvement")
        metrics.append(metric)
    _unique([metric.code for metric in metrics], file, "metric code")
    return tuple(metrics)


def _unique(keys: list, where: str, what: str) -> None:
    seen = set()
    for key in keys:
        _check(key not in seen, where, f"{what} {key!r} is listed twice.")
        seen.add(key)


def _read_programme() -> tuple[ProgrammeSpec, tuple[OrganisationSpec, ...], tuple[HubSpec, ...]]:
    file = "programme.toml"
    document = read_file(file)
    programme_table = dict(document.get("programme", {}))
    programme = _record(
        ProgrammeSpec,
        programme_table,
        f"{file}, [programme]",
        award_cap=_decimal(programme_table.get("award_cap"), f"{file}, [programme] award_cap"),
    )

    organisations = []
    for name, table in document.get("organisations", {}).items():
        where = f"{file}, organisation {name!r}"
        organisation = _record(OrganisationSpec, {**table, "name": name}, where)
        _one_of(organisation.kind, Organisation.Kind.values, where, "kind")
        organisations.append(organisation)
    organisation_names = {organisation.name for organisation in organisations}

    hubs = []
    for number, table in enumerate(_tables(document, "hub", file), start=1):
        where = f"{file}, hub {number} ({table.get('slug', '?')})"
        partners = tuple(
            _record(PartnerSpec, partner, f"{where}, partner {index}")
            for index, partner in enumerate(table.get("partners", []), start=1)
        )
        hub = _record(
            HubSpec,
            table,
            where,
            award=_decimal(table.get("award"), f"{where}, award"),
            plus_groups=tuple(table.get("plus_groups", [])),
            clinical_areas=tuple(table.get("clinical_areas", [])),
            partners=partners,
            imd_quintile_shares=tuple(float(share) for share in table.get("imd_quintile_shares", [])),
            **{
                name: tuple(float(share) for share in table.get(name, []))
                for name in (
                    "imd_population_shares",
                    "ethnic_group_shares",
                    "sex_shares",
                    "plus_group_shares",
                )
            },
        )
        for organisation in [hub.host_ahsn, hub.lead_organisation, *(p.organisation for p in partners)]:
            _one_of(organisation, organisation_names, where, "organisation")
        for partner in partners:
            _one_of(partner.role, Partnership.Role.values, where, "partner role")
        for code in hub.clinical_areas:
            _one_of(code, CLINICAL_AREA_CODES, where, "clinical area")
        _check(len(hub.imd_quintile_shares) == 5, where, "imd_quintile_shares needs five shares.")
        _check_population(hub, where)
        _check(
            0 <= hub.months_awaiting_review <= MONTHS,
            where,
            f"months_awaiting_review must be 0 to {MONTHS}.",
        )
        hubs.append(hub)
    _unique([hub.slug for hub in hubs], file, "hub")
    return programme, tuple(organisations), tuple(hubs)


def _check_population(hub: HubSpec, where: str) -> None:
    """A hub's local population: a share (0 to 1) per group, those of a breakdown that splits people at most 1."""
    wanted = {spec.code: len(spec.groups) for spec in NATIONAL_DIMENSIONS} | {PLUS: len(hub.plus_groups)}
    for code, shares in hub.population().items():
        if not shares:
            continue
        _check(
            len(shares) == wanted[code],
            where,
            f"{code}: give {wanted[code]} population shares, one per group.",
        )
        _check(
            all(0 <= share <= 1 for share in shares), where, f"{code}: each population share is from 0 to 1."
        )
        if code != PLUS:
            _check(sum(shares) <= 1 + 1e-9, where, f"{code}: the population shares add up to more than 1.")


def _read_accounts(hub_slugs: set[str]) -> tuple[AccountSpec, ...]:
    file = "accounts.toml"
    accounts = []
    for username, table in read_file(file).get("accounts", {}).items():
        where = f"{file}, account {username!r}"
        account = _record(AccountSpec, {**table, "username": username}, where)
        _check(
            bool(account.hub) != bool(account.group),
            where,
            "give either hub and role (hub staff) or group (a role across every hub).",
        )
        if account.hub:
            _one_of(account.hub, hub_slugs, where, "hub")
            _one_of(account.role, Membership.Role.values, where, "role")
        else:
            _check(not account.role, where, "role goes with hub, not with group.")
            _one_of(account.group, GLOBAL_ROLE_GROUPS, where, "group")
        accounts.append(account)
    return tuple(accounts)


def _read_catalogue(usernames: set[str]) -> tuple[InnovationSpec, ...]:
    file = "catalogue.toml"
    innovations = []
    for number, table in enumerate(_tables(read_file(file), "innovation", file), start=1):
        where = f"{file}, innovation {number} ({table.get('slug', '?')})"
        innovation = _record(
            InnovationSpec, table, where, clinical_areas=tuple(table.get("clinical_areas", []))
        )
        _one_of(innovation.category, Innovation.Category.values, where, "category")
        _one_of(innovation.evidence_level, Innovation.Evidence.values, where, "evidence_level")
        for code in innovation.clinical_areas:
            _one_of(code, CLINICAL_AREA_CODES, where, "clinical area")
        if innovation.proposed_by:
            _one_of(innovation.proposed_by, usernames, where, "proposed_by")
        innovations.append(innovation)
    _unique([innovation.slug for innovation in innovations], file, "innovation")
    return tuple(innovations)


def _series(table, where: str, metrics: dict[str, MetricSpec]) -> Series:
    numbers = {
        name: float(_number(table[name], f"{where}, {name}"))
        for name in ("level", "noise", "slope", "imd1_drift")
        if name in table
    }
    target = table.get("target")
    series = _record(
        Series,
        table,
        where,
        **numbers,
        target=None if target is None else _decimal(target, f"{where}, target"),
    )
    _one_of(series.metric, metrics, where, "metric")
    if series.signal:
        _one_of(series.signal, SIGNALS, where, "signal")
    return series


def _read_adoptions(
    accounts: dict[str, AccountSpec], hub_slugs: set[str], innovation_slugs: set[str], metrics: dict
) -> tuple[tuple[AdoptionSpec, ...], str, tuple[ReturnedFigure, ...]]:
    file = "adoptions.toml"
    document = read_file(file)
    adoptions = []
    for number, table in enumerate(_tables(document, "adoption", file), start=1):
        where = f"{file}, adoption {number} ({table.get('hub', '?')}, {table.get('innovation', '?')})"
        moves = tuple(
            _record(StageMove, move, f"{where}, move {index}")
            for index, move in enumerate(table.get("moves", []), start=1)
        )
        indicators = tuple(
            _series(indicator, f"{where}, indicator {index}", metrics)
            for index, indicator in enumerate(table.get("indicators", []), start=1)
        )
        adoption = _record(AdoptionSpec, table, where, moves=moves, indicators=indicators)
        _one_of(adoption.hub, hub_slugs, where, "hub")
        _one_of(adoption.innovation, innovation_slugs, where, "innovation")
        _staff_of(adoption.lead, adoption.hub, accounts, where, "lead")
        _check(0 <= adoption.months_not_sent <= MONTHS, where, f"months_not_sent must be 0 to {MONTHS}.")
        for move in moves:
            _one_of(move.stage, Stage.values, where, "stage")
        codes = [series.metric for series in indicators]
        _unique(codes, where, "indicator")
        if IMD1_SHARE in codes:
            _check(
                "people-enrolled" in codes[: codes.index(IMD1_SHARE)],
                where,
                f"{IMD1_SHARE} is worked out from people-enrolled: list people-enrolled first.",
            )
        adoptions.append(adoption)
    _unique([(adoption.hub, adoption.innovation) for adoption in adoptions], file, "adoption")
    for hub in {adoption.hub for adoption in adoptions if adoption.indicators}:
        _check(
            any(account.hub == hub for account in accounts.values()),
            file,
            f"no account on hub {hub!r} to submit its figures.",
        )

    reviewer = document.get("figures_reviewed_by", "")
    _in_group(reviewer, EVALUATORS, accounts, file, "figures_reviewed_by")

    indicators = {
        (adoption.hub, adoption.innovation, series.metric): series
        for adoption in adoptions
        for series in adoption.indicators
    }
    returned_figures = []
    for number, table in enumerate(_tables(document, "returned_figure", file), start=1):
        where = f"{file}, returned_figure {number}"
        returned = _record(ReturnedFigure, table, where)
        key = (returned.hub, returned.innovation, returned.metric)
        _check(key in indicators, where, f"no adoption in this file has the indicator {key}.")
        _one_of(returned.fault, FAULTS, where, "fault")
        kind = metrics[returned.metric].kind
        if returned.fault == "one_off_cost":
            _check(
                kind != Metric.Kind.PERCENTAGE, where, "one_off_cost is a fault of a value, not a percentage."
            )
        else:
            _check(kind == Metric.Kind.PERCENTAGE, where, f"{returned.fault} is a fault of a percentage.")
        _check(
            0 <= returned.months_before_last < MONTHS, where, f"months_before_last must be 0 to {MONTHS - 1}."
        )
        returned_figures.append(returned)
    _unique(
        [(r.hub, r.innovation, r.metric, r.months_before_last) for r in returned_figures],
        file,
        "returned figure",
    )
    return tuple(adoptions), reviewer, tuple(returned_figures)


def _staff_of(username: str, hub: str, accounts: dict[str, AccountSpec], where: str, what: str) -> None:
    _one_of(username, accounts, where, what)
    _check(accounts[username].hub == hub, where, f"{what} {username!r} is not staff of the hub {hub!r}.")


def _in_group(username: str, group: str, accounts: dict[str, AccountSpec], where: str, what: str) -> None:
    _one_of(username, accounts, where, what)
    _check(accounts[username].group == group, where, f"{what} {username!r} is not in {group}.")


def _read_learning(
    accounts: dict[str, AccountSpec], adoptions: set[tuple[str, str]], hub_slugs: set[str], innovation_slugs
) -> tuple[tuple[NoteSpec, ...], tuple[SummarySpec, ...], str, str, tuple[str, ...]]:
    file = "learning.toml"
    document = read_file(file)
    notes = []
    for number, table in enumerate(_tables(document, "note", file), start=1):
        where = f"{file}, note {number} ({table.get('title', '?')})"
        note = _record(NoteSpec, table, where)
        _check((note.hub, note.innovation) in adoptions, where, "no such adoption in adoptions.toml.")
        _staff_of(note.author, note.hub, accounts, where, "author")
        _one_of(note.kind, LearningNote.Kind.values, where, "kind")
        _one_of(note.cfir_domain, LearningNote.Domain.values, where, "cfir_domain")
        notes.append(note)
    # Summaries cite notes by title, so a title names one note.
    _unique([note.title for note in notes], file, "note title")
    note_titles = {note.title for note in notes}

    writer = document.get("summaries_written_by", "")
    publisher = document.get("summaries_published_by", "")
    _in_group(writer, AHSN_ADMINS, accounts, file, "summaries_written_by")
    _in_group(publisher, AHSN_ADMINS, accounts, file, "summaries_published_by")
    _check(writer != publisher, file, "another AHSN admin than the writer publishes a summary.")

    summaries = []
    for number, table in enumerate(_tables(document, "summary", file), start=1):
        where = f"{file}, summary {number} ({table.get('title', '?')})"
        summary = _record(
            SummarySpec,
            table,
            where,
            **{name: tuple(table.get(name, [])) for name in ("themes", "hubs", "innovations", "cited_notes")},
        )
        for theme in summary.themes:
            _one_of(theme, LearningNote.Domain.values, where, "theme")
        for hub in summary.hubs:
            _one_of(hub, hub_slugs, where, "hub")
        for innovation in summary.innovations:
            _one_of(innovation, innovation_slugs, where, "innovation")
        for title in summary.cited_notes:
            _one_of(title, note_titles, where, "cited note")
        _one_of(summary.audience, Audience.values, where, "audience")
        _one_of(summary.status, SEEDED_SUMMARY_STATUSES, where, "status")
        summaries.append(summary)
    _unique([summary.title for summary in summaries], file, "summary title")

    subscribers = tuple(document.get("summary_subscribers", []))
    for username in subscribers:
        _one_of(username, accounts, file, "summary subscriber")
    return tuple(notes), tuple(summaries), writer, publisher, subscribers


@functools.cache
def read_demo_data() -> DemoData:
    """Every demo data file, read and checked once per process."""
    programme, organisations, hubs = _read_programme()
    hub_slugs = {hub.slug for hub in hubs}
    accounts = _read_accounts(hub_slugs)
    by_username = {account.username: account for account in accounts}
    innovations = _read_catalogue(set(by_username))
    innovation_slugs = {innovation.slug for innovation in innovations}
    metrics = read_metrics()
    adoptions, reviewer, returned = _read_adoptions(
        by_username, hub_slugs, innovation_slugs, {metric.code: metric for metric in metrics}
    )
    notes, summaries, writer, publisher, subscribers = _read_learning(
        by_username,
        {(adoption.hub, adoption.innovation) for adoption in adoptions},
        hub_slugs,
        innovation_slugs,
    )
    return DemoData(
        programme=programme,
        organisations=organisations,
        hubs=hubs,
        accounts=accounts,
        innovations=innovations,
        metrics=metrics,
        adoptions=adoptions,
        figures_reviewed_by=reviewer,
        returned_figures=returned,
        notes=notes,
        summaries=summaries,
        summaries_written_by=writer,
        summaries_published_by=publisher,
        summary_subscribers=subscribers,
    )


@functools.cache
def read_scale_tables() -> ScaleTables:
    """The scale generator's tables (``scale.toml``), checked against the stages and metrics."""
    file = "scale.toml"
    document = read_file(file)
    metric_codes = {metric.code for metric in read_metrics()}
    slots = tuple(tuple(slot) for slot in document.get("indicator_slots", []))
    _check(bool(slots) and all(slots), file, "indicator_slots needs at least one metric in every slot.")
    for slot in slots:
        for code in slot:
            _one_of(code, metric_codes, file, "metric")
    weights = []
    for stage, weight in document.get("stage_weights", {}).items():
        _one_of(stage, Stage.values, f"{file}, [stage_weights]", "stage")
        _check(
            isinstance(weight, int) and weight >= 0, file, f"the weight of {stage} must be a whole number."
        )
        weights.append((Stage(stage), weight))
    exit_reasons = {}
    for stage, reason in document.get("exit_reasons", {}).items():
        _one_of(stage, [exit_stage.value for exit_stage in EXIT_STAGES], file, "exit stage")
        exit_reasons[Stage(stage)] = reason
    for stage, _ in weights:
        if stage in EXIT_STAGES:
            _check(stage in exit_reasons, file, f"[exit_reasons] needs a reason for {stage.value}.")
    return ScaleTables(indicator_slots=slots, stage_weights=tuple(weights), exit_reasons=exit_reasons)
