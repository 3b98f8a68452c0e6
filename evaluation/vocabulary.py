"""The national breakdowns every installation needs: dimensions and their groups, as data.

A figure may be given for all people, or for one group of one breakdown dimension.
The national dimensions and groups are written by a data migration and put back by
``ensure_national_breakdowns`` wherever they went missing (after ``migrate``, and after a
test database is flushed: ``evaluation.apps`` connects it to ``post_migrate``). PLUS groups
are chosen by each hub (Core20PLUS5's "PLUS"): their dimension is national, their groups
are the hub's own, added by its lead (``evaluation.breakdowns``).

Age bands: seven, chosen so that (1) under 18 is one band, as children's services are
commissioned apart from adults'; (2) older people, whom most of the programme's innovations
(virtual wards, remote monitoring, case-finding) reach first and where frailty changes fast,
are split every ten years from 65, with 85 and over, the top of the ONS estimates' bands;
(3) the working ages are in three fifteen-year bands, few enough that a hub's monthly counts
rarely fall below eight (``core.disclosure``); and (4) every boundary is on a five-year line,
so ONS mid-year population estimates (by five-year band or single year of age) add up
exactly to each band, for the local population shares the equity page compares with.
"""

from __future__ import annotations

from dataclasses import dataclass

IMD = "imd"
ETHNIC_GROUP = "ethnic-group"
AGE_BAND = "age-band"
SEX = "sex"
PLUS = "plus"


@dataclass(frozen=True)
class DimensionSpec:
    code: str
    name: str
    description: str
    partitions: bool  # each person is in exactly one group (the groups cover everyone whose group is known)
    local: bool  # the groups are each hub's own
    groups: tuple[tuple[str, str], ...]  # (code, label), in the order people read them


NATIONAL_DIMENSIONS: tuple[DimensionSpec, ...] = (
    DimensionSpec(
        IMD,
        "IMD quintile",
        "Where people live, by the English Indices of Deprivation: fifths of neighbourhoods from "
        "the most deprived (1, the Core20) to the least deprived (5).",
        partitions=True,
        local=False,
        groups=(
            ("1", "1 (most deprived)"),
            ("2", "2"),
            ("3", "3"),
            ("4", "4"),
            ("5", "5 (least deprived)"),
        ),
    ),
    DimensionSpec(
        ETHNIC_GROUP,
        "Ethnic group",
        "The five high-level ethnic groups of the 2021 Census of England and Wales (ONS).",
        partitions=True,
        local=False,
        groups=(
            ("asian", "Asian, Asian British or Asian Welsh"),
            ("black", "Black, Black British, Black Welsh, Caribbean or African"),
            ("mixed", "Mixed or Multiple ethnic groups"),
            ("white", "White"),
            ("other", "Other ethnic group"),
        ),
    ),
    DimensionSpec(
        AGE_BAND,
        "Age band",
        "Age on the first day of the month, in years.",
        partitions=True,
        local=False,
        groups=(
            ("0-17", "0 to 17"),
            ("18-34", "18 to 34"),
            ("35-49", "35 to 49"),
            ("50-64", "50 to 64"),
            ("65-74", "65 to 74"),
            ("75-84", "75 to 84"),
            ("85-plus", "85 and over"),
        ),
    ),
    DimensionSpec(
        SEX,
        "Sex",
        "Sex as the 2021 Census of England and Wales (ONS) asks it.",
        partitions=True,
        local=False,
        groups=(("female", "Female"), ("male", "Male")),
    ),
    DimensionSpec(
        PLUS,
        "PLUS group",
        "Groups each hub chooses for itself (Core20PLUS5's PLUS), such as people experiencing "
        "homelessness. A person may be in more than one, or in none.",
        partitions=False,
        local=True,
        groups=(),
    ),
)


def ensure_national_breakdowns(dimension_model, group_model) -> None:
    """Create the national dimensions and groups that are missing; takes models so migrations can call it.

    Two queries when nothing is missing. Existing rows are left as they are.
    """
    dimensions = {d.code: d for d in dimension_model.objects.all()}
    for position, spec in enumerate(NATIONAL_DIMENSIONS):
        if spec.code not in dimensions:
            dimensions[spec.code] = dimension_model.objects.create(
                code=spec.code,
                name=spec.name,
                description=spec.description,
                partitions=spec.partitions,
                local=spec.local,
                position=position,
            )
    wanted = {
        (spec.code, code): (position, label)
        for spec in NATIONAL_DIMENSIONS
        for position, (code, label) in enumerate(spec.groups)
    }
    present = set(
        group_model.objects.filter(hub__isnull=True).values_list("dimension__code", "code").order_by()
    )
    group_model.objects.bulk_create(
        group_model(dimension=dimensions[dimension], code=code, label=label, position=position)
        for (dimension, code), (position, label) in wanted.items()
        if (dimension, code) not in present
    )
