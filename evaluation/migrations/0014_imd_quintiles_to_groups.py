"""Move every IMD quintile figure to its IMD group, and back: nothing lost either way.

A migration of its own, between adding the group (0013) and dropping the quintile (0015):
on PostgreSQL, rows updated here leave foreign-key checks pending until the transaction
commits, and a table cannot be altered in the transaction that has them pending.

Each quintile is one UPDATE per table, whatever the number of figures; their history
records move too, so an old record still says which quintile it was for. The data-quality
flag for quintiles that do not add up becomes the flag for any breakdown's groups.

Back: a figure for a group of another dimension (an ethnic group, say) has no place in the
quintile column, so going back is refused while there is one, saying how many and where.
"""

from django.db import migrations

from evaluation.vocabulary import IMD, ensure_national_breakdowns

QUINTILES = range(1, 6)
OLD_FLAG, NEW_FLAG = "quintiles_not_adding_up", "breakdown_not_adding_up"
FIGURE_MODELS = ("Measurement", "HistoricalMeasurement")
FLAG_MODELS = ("DataQualityFlag", "HistoricalDataQualityFlag")


def _imd_groups(apps) -> dict[int, int]:
    """Quintile → its IMD group's id, creating the national groups if they are missing."""
    Dimension = apps.get_model("evaluation", "BreakdownDimension")
    Group = apps.get_model("evaluation", "BreakdownGroup")
    ensure_national_breakdowns(Dimension, Group)
    groups = Group.objects.filter(dimension__code=IMD, hub__isnull=True, code__in=[str(q) for q in QUINTILES])
    return {int(code): pk for code, pk in groups.values_list("code", "pk")}


def imd_quintiles_to_groups(apps, schema_editor):
    groups = _imd_groups(apps)
    for name in FIGURE_MODELS:
        model = apps.get_model("evaluation", name)
        for quintile in QUINTILES:
            model.objects.filter(imd_quintile=quintile).update(group=groups[quintile])
    for name in FLAG_MODELS:
        apps.get_model("evaluation", name).objects.filter(kind=OLD_FLAG).update(kind=NEW_FLAG)


def groups_to_imd_quintiles(apps, schema_editor):
    groups = _imd_groups(apps)
    Measurement = apps.get_model("evaluation", "Measurement")
    others = Measurement.objects.filter(group__isnull=False).exclude(group__in=groups.values())
    if count := others.count():
        where = ", ".join(
            sorted({f"{dimension}: {label}" for dimension, label in others.values_list(
                "group__dimension__name", "group__label"
            ).distinct()[:10]})
        )  # fmt: skip
        raise RuntimeError(
            f"{count} figure{'s are' if count != 1 else ' is'} for groups other than IMD quintiles ({where}), "
            "which the IMD quintile column cannot hold: going back would lose them. Remove them first."
        )
    for name in FIGURE_MODELS:
        model = apps.get_model("evaluation", name)
        for quintile, group in groups.items():
            model.objects.filter(group=group).update(imd_quintile=quintile)
    for name in FLAG_MODELS:
        apps.get_model("evaluation", name).objects.filter(kind=NEW_FLAG).update(kind=OLD_FLAG)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0013_breakdowns")]

    operations = [migrations.RunPython(imd_quintiles_to_groups, groups_to_imd_quintiles)]
