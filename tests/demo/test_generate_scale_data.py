"""``manage.py generate_scale_data``: row counts follow the scale, figures are synthetic, reruns add nothing."""

import math
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from demo.scale import expected_counts
from evaluation.models import Indicator, IndicatorSummary, Measurement, Metric, PopulationShare, RebasePoint
from evaluation.vocabulary import ETHNIC_GROUP, IMD, PLUS
from hubs.models import Hub, Programme
from innovations.models import Adoption, Innovation, StageTransition
from innovations.stages import ACTIVE_STAGES, Stage
from learning.models import LearningNote
from tests.factories import LearningNoteFactory, MeasurementFactory, MetricFactory, evaluator

SCALE = 0.01
MONTHS = 36


def load(*args) -> str:
    out = StringIO()
    call_command("generate_scale_data", "--scale", str(SCALE), *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def scale_measurements():
    return Measurement.objects.filter(indicator__adoption__hub__programme__slug="scale-test-programme")


def figures_by_natural_key() -> list[tuple]:
    key = [
        "indicator__adoption__innovation__slug",
        "indicator__metric__code",
        "period",
        "group__dimension__code",
        "group__code",
    ]
    return list(scale_measurements().order_by(*key).values_list(*key, "value", "numerator", "denominator"))


@pytest.fixture
def loaded(db):
    return load()


def test_row_counts_follow_the_scale_formula(loaded):
    # N × (50 hubs, 500 innovations, 5,000 adoptions), a hub adopting an innovation once.
    hubs, innovations = math.ceil(50 * SCALE), math.ceil(500 * SCALE)
    adoptions = min(round(5000 * SCALE), hubs * innovations)
    programme = Programme.objects.get(name="Scale test programme")
    assert Hub.objects.filter(programme=programme).count() == hubs
    assert Innovation.objects.filter(name__startswith="Scale innovation ").count() == innovations
    assert Adoption.objects.filter(hub__programme=programme).count() == adoptions
    indicators = Indicator.objects.filter(adoption__hub__programme=programme)
    assert indicators.count() == 5 * adoptions
    # One indicator per RE-AIM dimension in every adoption.
    for adoption in Adoption.objects.filter(hub__programme=programme):
        assert sorted(adoption.indicators.values_list("metric__dimension", flat=True)) == sorted(
            Metric.Dimension.values
        )
    reach_counts = indicators.filter(metric__dimension="reach", metric__kind="count").count()
    assert reach_counts > 0
    by_ethnic_group = indicators.filter(
        metric__dimension="reach", metric__kind="count", measurements__group__dimension__code=ETHNIC_GROUP
    ).distinct()
    assert 0 < by_ethnic_group.count() < reach_counts
    assert scale_measurements().count() == (
        indicators.count() * MONTHS + reach_counts * MONTHS * (5 + 1) + by_ethnic_group.count() * MONTHS * 5
    )
    assert scale_measurements().count() == expected_counts(SCALE).measurements
    assert (
        IndicatorSummary.objects.filter(indicator__in=indicators, points=MONTHS).count() == indicators.count()
    )
    assert "Loaded scale 0.01" in loaded


def test_reach_counts_have_every_imd_quintile_and_the_hubs_plus_group_every_month(loaded):
    for indicator in Indicator.objects.filter(metric__dimension="reach", metric__kind="count"):
        rows = indicator.measurements.filter(group__dimension__code=IMD)
        assert rows.count() == MONTHS * 5
        assert set(rows.values_list("group__code", flat=True)) == {"1", "2", "3", "4", "5"}
        for total in indicator.measurements.filter(group=None):
            split = rows.filter(period=total.period).aggregate(people=Sum("value"))["people"]
            assert split <= total.value  # a few people have no known quintile
        plus = indicator.measurements.filter(group__dimension__code=PLUS)
        assert plus.count() == MONTHS
        assert set(plus.values_list("group__hub", flat=True)) == {indicator.adoption.hub_id}  # its hub's own
    ethnic = scale_measurements().filter(group__dimension__code=ETHNIC_GROUP)
    assert ethnic.values("indicator", "period").distinct().count() * 5 == ethnic.count()


def test_every_hub_has_a_plus_group_and_a_local_population_marked_synthetic(loaded):
    for hub in Hub.objects.filter(programme__slug="scale-test-programme"):
        assert list(hub.breakdown_groups.values_list("label", flat=True)) == ["Scale PLUS group"]
        shares = PopulationShare.objects.filter(hub=hub)
        assert set(shares.values_list("group__dimension__code", flat=True)) == {IMD, ETHNIC_GROUP, PLUS}
        assert not shares.filter(is_synthetic=False).exists()
        for dimension in (IMD, ETHNIC_GROUP):
            assert sum(shares.filter(group__dimension__code=dimension).values_list("share", flat=True)) <= 100
        # With their history: the nightly report reads them as they were on its day.
        assert PopulationShare.history.filter(hub=hub).count() == shares.count()
    others = scale_measurements().exclude(
        indicator__metric__dimension="reach", indicator__metric__kind="count"
    )
    assert not others.exclude(group=None).exists()


def test_every_figure_is_synthetic_and_only_the_latest_months_await_review(loaded):
    assert scale_measurements().exists()
    assert not scale_measurements().filter(is_synthetic=False).exists()
    periods = sorted(set(scale_measurements().values_list("period", flat=True)))
    assert len(periods) == MONTHS
    pending = set(scale_measurements().filter(status="submitted").values_list("period", flat=True))
    assert pending == set(periods[-2:])
    assert not scale_measurements().filter(status="returned").exists()
    percentages = scale_measurements().filter(indicator__metric__kind="percentage")
    assert percentages.exists()
    assert not percentages.filter(numerator=None).exists()
    assert not percentages.exclude(value=None).exists()


def test_stage_histories_end_at_each_adoptions_stage(loaded):
    adoptions = Adoption.objects.filter(hub__programme__slug="scale-test-programme")
    for adoption in adoptions:
        moves = list(adoption.transitions.order_by("date", "pk"))
        assert moves[0].from_stage == "" and moves[0].to_stage == Stage.IDENTIFIED
        assert moves[-1].to_stage == adoption.stage and moves[-1].date == adoption.stage_since
        for before, after in zip(moves, moves[1:], strict=False):
            assert after.from_stage == before.to_stage and after.date >= before.date
            if after.to_stage not in ACTIVE_STAGES:
                assert after.reason
    assert StageTransition.objects.filter(adoption__in=adoptions).count() > adoptions.count()


def test_the_metric_set_is_shared_with_the_demo(db):
    enrolled = MetricFactory()  # "people-enrolled", as the demo makes it
    load()
    assert Indicator.objects.filter(metric=enrolled).exists()
    assert Metric.objects.filter(code="people-enrolled").count() == 1


def test_a_second_run_at_the_same_scale_adds_nothing(loaded):
    before = row_counts()
    output = load()
    assert row_counts() == before
    assert "already loaded" in output


def test_another_scale_is_refused_without_replace(loaded):
    before = row_counts()
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_scale_data", "--scale", "0.02", stdout=StringIO())
    assert row_counts() == before


def test_replace_reloads_the_same_figures_and_keeps_everyone_elses_rows(loaded):
    own = MeasurementFactory(is_synthetic=False)
    before = row_counts()
    figures = figures_by_natural_key()
    load("--replace")
    assert row_counts() == before
    assert Measurement.objects.filter(pk=own.pk).exists()
    assert figures_by_natural_key() == figures


def test_replace_refuses_when_people_added_to_the_scale_data(loaded):
    LearningNoteFactory(adoption=Adoption.objects.filter(hub__programme__slug="scale-test-programme").first())
    before = row_counts()
    with pytest.raises(CommandError, match="learning notes"):
        load("--replace")
    assert row_counts() == before


def test_the_charts_have_notes_and_rebases_to_mark(loaded):
    adoptions = Adoption.objects.filter(hub__programme__slug="scale-test-programme")
    notes = LearningNote.objects.filter(adoption__in=adoptions)
    assert set(notes.values_list("kind", flat=True)) == set(LearningNote.Kind.values)
    for note in notes.select_related("adoption"):
        assert note.adoption.started_on <= timezone.localdate(note.created_at) < timezone.localdate()
        assert note.title.startswith("Synthetic ") and note.author is None
    rebases = RebasePoint.objects.filter(indicator__adoption__in=adoptions)
    assert 0 < rebases.count() < Indicator.objects.filter(adoption__in=adoptions).count()
    periods = sorted(set(scale_measurements().values_list("period", flat=True)))
    assert set(rebases.values_list("period", flat=True)) <= set(periods[12:-6])


def test_replace_refuses_when_an_evaluator_rebased_a_scale_indicator(loaded):
    indicator = Indicator.objects.filter(adoption__hub__programme__slug="scale-test-programme").first()
    period = sorted(set(indicator.measurements.values_list("period", flat=True)))[20]
    indicator.rebase_points.filter(period=period).delete()
    RebasePoint.objects.create(
        indicator=indicator, period=period, reason="New clinic", created_by=evaluator()
    )
    with pytest.raises(CommandError, match="1 rebase points"):
        load("--replace")
