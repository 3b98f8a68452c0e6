"""Breakdowns: the dimensions and groups a figure may be given for, each hub's own PLUS groups, and
each hub's local population shares.

The national dimensions and groups are vocabulary (``evaluation.vocabulary``); a hub's lead
adds the hub's own PLUS groups and archives them, never deletes them (``group_add``,
``group_archive``); the hub's lead, or an AHSN admin, enters what share of the local
population each group is (``population_shares_save``), which the equity page compares reach
with. A hub's own groups are seen and used by its staff (and read by those who read every
hub), never by another hub's (``BreakdownGroup.objects.for_user``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.history import stamp
from hubs.access import require_changeable, require_hub_lead
from hubs.models import Hub

from . import vocabulary
from .models import BreakdownDimension, BreakdownGroup, Measurement, PopulationShare
from .querysets import enters_population_of


def group_order(group: BreakdownGroup | None) -> tuple:
    """Where a figure's row goes among a month's: all people first, then each dimension's groups in order."""
    if group is None:
        return (0,)
    return (1, group.dimension.position, group.dimension_id, group.position, group.label)


def in_group_order(measurements: Iterable[Measurement]) -> list[Measurement]:
    """A month's figures, all people first, then each dimension's groups: read with their groups loaded."""
    return sorted(measurements, key=lambda m: group_order(m.group))


def with_groups(measurements: Sequence[Measurement]) -> Sequence[Measurement]:
    """Give each figure its group (and the group its dimension) from one query, so labels cost nothing more.

    For figures read without ``select_related`` (rows locked for update, say): returns them.
    """
    ids = {m.group_id for m in measurements if m.group_id is not None}
    groups = BreakdownGroup.objects.select_related("dimension").in_bulk(ids) if ids else {}
    for measurement in measurements:
        if measurement.group_id is not None:
            measurement.group = groups[measurement.group_id]
    return measurements


def dimensions_of_hub(hub_id: int) -> list[BreakdownDimension]:
    """The dimensions a hub can break its figures down by: the national ones, and PLUS if it has groups.

    One query; each dimension carries ``current_groups``, the hub's groups of it that take
    new figures, in order.
    """
    dimensions: dict[int, BreakdownDimension] = {}
    groups = (
        BreakdownGroup.objects.of_hub(hub_id)
        .current()
        .select_related("dimension")
        .order_by("dimension__position", "dimension_id", "position", "label")
    )
    for group in groups:
        dimension = dimensions.setdefault(group.dimension_id, group.dimension)
        dimension.__dict__.setdefault("current_groups", []).append(group)
    return list(dimensions.values())


def dimensions_with_figures(indicator_ids: Iterable[int]) -> dict[int, set[int]]:
    """Indicator id → the dimensions (ids) it has figures for, in any month: one query."""
    found: dict[int, set[int]] = {}
    rows = (
        Measurement.objects.filter(indicator__in=list(indicator_ids), group__isnull=False)
        .values_list("indicator", "group__dimension")
        .distinct()
        .order_by()
    )
    for indicator_id, dimension_id in rows:
        found.setdefault(indicator_id, set()).add(dimension_id)
    return found


# A hub's own (PLUS) groups ----------------------------------------------------------------------

LABEL_MAX = BreakdownGroup._meta.get_field("label").max_length
CODE_MAX = BreakdownGroup._meta.get_field("code").max_length
LOCAL_GROUPS_MAX = 30  # a hub's own groups, archived ones too: a few are chosen, not hundreds


def _plus_dimension() -> BreakdownDimension:
    return BreakdownDimension.objects.get(code=vocabulary.PLUS)


def _free_code(label: str, taken: set[str]) -> str:
    """A code for an uploaded file to name the group by: its name as a slug, numbered if taken."""
    base = slugify(label)[: CODE_MAX - 4] or "group"
    code, number = base, 1
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return code


@transaction.atomic
def group_add(*, hub: Hub, label: str, by) -> BreakdownGroup:
    """Add a PLUS group of the hub's own choosing: its lead only. Names are unique in the hub, archived or not."""
    require_hub_lead(by, hub.pk, "add the hub's own groups")
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Enter the group's name."})
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": f"The name must be {LABEL_MAX} characters or fewer."})
    dimension = _plus_dimension()
    # Locked, so two leads adding at once number their codes one after the other.
    Hub.objects.select_for_update().filter(pk=hub.pk).exists()
    existing = list(BreakdownGroup.objects.filter(dimension=dimension, hub=hub))
    same = next((group for group in existing if group.label.lower() == label.lower()), None)
    if same is not None:
        archived = " It is archived: restore it instead." if same.archived else ""
        raise ValidationError({"label": f"{hub.name} already has a group called “{same.label}”.{archived}"})
    if len(existing) >= LOCAL_GROUPS_MAX:
        raise ValidationError(
            f"A hub can have at most {LOCAL_GROUPS_MAX} groups of its own, archived ones too."
        )
    group = BreakdownGroup(
        dimension=dimension,
        hub=hub,
        label=label,
        code=_free_code(label, {group.code for group in existing}),
        position=max((group.position for group in existing), default=0) + 1,
        created_by=by,
    )
    stamp(group, by=by, reason="Added", new_version=False)
    group.save()
    return group


@transaction.atomic
def group_archive(*, group: BreakdownGroup, by, archived: bool) -> BreakdownGroup:
    """Archive a hub's own group (it takes no new figures; its figures stay), or restore it: its lead only."""
    require_changeable(BreakdownGroup.objects, by, group, "archive or restore this group")
    current = BreakdownGroup.objects.select_for_update().get(pk=group.pk)
    if current.archived != archived:
        current.archived = archived
        stamp(current, by=by, reason="Archived" if archived else "Restored")
        current.save(update_fields=["archived", "version"])
    return current


# A hub's local population shares ----------------------------------------------------------------

SHARE_PLACES = PopulationShare._meta.get_field("share").decimal_places
SHARE_MAX = Decimal(100)
SOURCE_MAX = PopulationShare._meta.get_field("source").max_length
SHARES_CHANGED = (
    "Someone else changed these population shares since you opened the page, so nothing was saved. "
    "Look at them below, and save again."
)


@dataclass
class PopulationDimension:
    """A dimension's groups for a hub, each with its local population share if one is entered."""

    dimension: BreakdownDimension
    groups: list[BreakdownGroup]
    shares: dict[int, PopulationShare]  # group id → share

    @property
    def rows(self) -> list[tuple[BreakdownGroup, PopulationShare | None]]:
        return [(group, self.shares.get(group.pk)) for group in self.groups]

    @property
    def total(self) -> Decimal:
        return sum((share.share for share in self.shares.values()), Decimal(0))

    @property
    def sources(self) -> list[tuple[str, datetime.date]]:
        """The sources given for the dimension's shares (usually one), with their dates."""
        return sorted({(share.source, share.source_date) for share in self.shares.values()}, key=str)

    @property
    def is_synthetic(self) -> bool:
        return any(share.is_synthetic for share in self.shares.values())

    @property
    def seen(self) -> str:
        """What the page showed, for the save to check nothing changed since: each share's id and version."""
        return seen_token(self.shares.values())


def seen_token(shares: Iterable[PopulationShare]) -> str:
    return ",".join(f"{share.pk}:{share.version}" for share in sorted(shares, key=lambda share: share.pk))


def population_of_hub(hub: Hub) -> list[PopulationDimension]:
    """Every dimension the hub can break figures down by, its groups, and the shares entered: two queries.

    A group archived since its share was entered keeps its share on show.
    """
    shares = {
        share.group_id: share
        for share in PopulationShare.objects.filter(hub=hub).select_related("entered_by")
    }
    found: dict[int, PopulationDimension] = {}
    groups = (
        BreakdownGroup.objects.of_hub(hub.pk)
        .select_related("dimension")
        .order_by("dimension__position", "dimension_id", "position", "label")
    )
    for group in groups:
        if group.archived and group.pk not in shares:
            continue
        entry = found.setdefault(group.dimension_id, PopulationDimension(group.dimension, [], {}))
        entry.groups.append(group)
        if group.pk in shares:
            entry.shares[group.pk] = shares[group.pk]
    return list(found.values())


@transaction.atomic
def population_shares_save(
    *,
    hub: Hub,
    dimension: BreakdownDimension,
    shares: Mapping[int, Decimal | None],
    source: str,
    source_date: datetime.date | None,
    seen: str,
    by,
) -> list[PopulationShare]:
    """Set the hub's local population share of each group of a dimension (None: not known), from one source.

    The hub's lead or an AHSN admin only. Each share is 0 to 100 (%) with at most two decimal
    places; a dimension whose groups split people cannot have them add up to more than 100%.
    ``seen`` is what the page showed (``PopulationDimension.seen``): if someone saved since,
    nothing is saved. Each row keeps its history; a share left blank is removed.
    """
    if not enters_population_of(by, hub.pk):
        raise PermissionDenied("Only the hub's lead or an AHSN admin can enter its population shares.")
    groups = {
        group.pk: group
        for group in BreakdownGroup.objects.of_hub(hub.pk).filter(dimension=dimension, pk__in=list(shares))
    }
    if set(shares) - set(groups):
        raise ValidationError("Only this hub's groups of the breakdown can be given a share.")
    given = {pk: share for pk, share in shares.items() if share is not None}
    errors: dict[str, list[str]] = {}
    for pk, share in given.items():
        if not Decimal(0) <= share <= SHARE_MAX or share != round(share, SHARE_PLACES):
            errors.setdefault(f"share_{pk}", []).append(
                f"Enter a share from 0 to 100, with at most {SHARE_PLACES} decimal places."
            )
    if dimension.partitions and sum(given.values(), Decimal(0)) > SHARE_MAX:
        total = sum(given.values(), Decimal(0))
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            f"The {dimension.name} shares add up to {total:g}%: each person is in one group, "
            "so together they cannot be more than 100%."
        )
    source = " ".join(source.split())
    if given and not source:
        errors.setdefault("source", []).append("Say where the shares come from.")
    if len(source) > SOURCE_MAX:
        errors.setdefault("source", []).append(f"The source must be {SOURCE_MAX} characters or fewer.")
    if given and source_date is None:
        errors.setdefault("source_date", []).append("Enter the date of the source.")
    elif source_date and source_date > timezone.localdate():
        errors.setdefault("source_date", []).append("The date of the source cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    current = {
        share.group_id: share
        for share in PopulationShare.objects.select_for_update().filter(hub=hub, group__dimension=dimension)
    }
    if seen_token(current.values()) != seen:
        raise ValidationError(SHARES_CHANGED, code="stale")
    now = timezone.now()
    saved = []
    for pk, group in groups.items():
        share, existing = shares[pk], current.get(pk)
        if share is None:
            if existing is not None:
                stamp(existing, by=by, reason="Removed")
                existing.delete()
            continue
        row = existing or PopulationShare(hub=hub, group=group, version=0)
        if existing and (existing.share, existing.source, existing.source_date) == (
            share,
            source,
            source_date,
        ):
            saved.append(existing)
            continue
        row.share, row.source, row.source_date = share, source, source_date
        row.is_synthetic, row.entered_by, row.entered_at = False, by, now
        stamp(row, by=by, reason="Entered" if existing is None else "Changed")
        row.save()
        saved.append(row)
    return saved
