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

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from core.history import stamp
from hubs.access import require_changeable, require_hub_lead
from hubs.models import Hub

from . import vocabulary
from .models import BreakdownDimension, BreakdownGroup, Measurement


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


def groups_with_figures(indicator_ids: Iterable[int]) -> dict[int, set[int]]:
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
