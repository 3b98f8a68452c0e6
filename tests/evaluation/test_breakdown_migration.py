"""The IMD quintile figures move to their IMD groups without loss (migration 0014), and back.

Run against the real migrations on the test database (SQLite or PostgreSQL, whichever the run
uses): back to before breakdowns, rows made as the old schema had them, forward again.
django-test-migrations is not among the project's dependencies: Django's own executor does it.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from evaluation.models import DataQualityFlag, Measurement
from tests.factories import IndicatorFactory, MeasurementFactory, breakdown_group, imd, last_month

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("evaluation", "0012_summary_readings")
GROUPS_ADDED = ("evaluation", "0013_breakdowns")


def migrate(target) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target if isinstance(target, list) else [target])
    return executor


def latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


def old_models(target):
    """The models as the schema was at ``target``."""
    return MigrationExecutor(connection).loader.project_state(target).apps


@pytest.fixture
def back_to_latest():
    yield
    migrate(latest())


def figures() -> list[tuple]:
    return sorted(
        Measurement.objects.values_list("indicator", "period", "group__code", "value", "status", "version"),
        key=str,
    )


def test_imd_figures_and_their_history_go_to_groups_and_back_without_loss(back_to_latest):
    indicator = IndicatorFactory()
    previous = datetime.date(last_month().year - 1, last_month().month, 1)
    MeasurementFactory(indicator=indicator, value=Decimal("100"), status="approved")
    for quintile in range(1, 6):
        MeasurementFactory(indicator=indicator, group=imd(quintile), value=Decimal(quintile * 10))
    MeasurementFactory(
        indicator=indicator, period=previous, group=imd(3), value=Decimal("7"), status="returned"
    )
    DataQualityFlag.objects.create(
        indicator=indicator, period=last_month(), kind="breakdown_not_adding_up", detail="Short."
    )
    before = figures()
    ids = dict(Measurement.objects.values_list("pk", "group__code"))

    # Back to before breakdowns: each group's figure is its quintile's again, history and flags too.
    migrate(BEFORE)
    old = old_models(BEFORE)
    OldMeasurement = old.get_model("evaluation", "Measurement")
    quintiles = dict(OldMeasurement.objects.values_list("pk", "imd_quintile"))
    assert quintiles == {pk: int(code) if code else None for pk, code in ids.items()}
    history = old.get_model("evaluation", "HistoricalMeasurement").objects
    assert {(h.id, h.imd_quintile) for h in history.all()} == set(quintiles.items())
    assert list(old.get_model("evaluation", "DataQualityFlag").objects.values_list("kind", flat=True)) == [
        "quintiles_not_adding_up"
    ]

    # A figure given the old way meanwhile: quintile 2 of the earlier month.
    OldMeasurement.objects.create(
        indicator_id=indicator.pk, period=previous, imd_quintile=2, value=Decimal("9"), status="submitted"
    )

    # Forward again: every quintile is its IMD group; totals stay for all people; nothing else moves.
    migrate(latest())
    after = figures()
    assert [row for row in after if row not in before] == [
        (indicator.pk, previous, "2", Decimal("9"), "submitted", 1)
    ]
    assert [row for row in before if row not in after] == []
    assert Measurement.objects.filter(group=None).count() == 1
    # Each history record names its figure's group (the figure made the old way has none).
    groups = dict(Measurement.objects.values_list("pk", "group"))
    assert {(h.id, h.group_id) for h in Measurement.history.all()} == {
        (pk, group) for pk, group in groups.items() if pk in ids
    }
    assert list(DataQualityFlag.objects.values_list("kind", flat=True)) == ["breakdown_not_adding_up"]


def test_going_back_is_refused_while_a_figure_is_for_another_breakdown(back_to_latest):
    indicator = IndicatorFactory()
    MeasurementFactory(indicator=indicator, value=Decimal("100"))
    MeasurementFactory(indicator=indicator, group=breakdown_group("sex", "female"), value=Decimal("60"))
    with pytest.raises(
        RuntimeError, match=r"1 figure is for groups other than IMD quintiles \(Sex: Female\)"
    ):
        migrate(GROUPS_ADDED)
    # Nothing was undone: the figure and its group are as they were.
    assert Measurement.objects.get(group__code="female").value == 60
