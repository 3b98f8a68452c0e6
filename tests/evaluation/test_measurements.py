"""The one measurement service: batches of one or many (grid, upload, single edit), all or nothing."""

from decimal import Decimal

import pytest

from evaluation import measurements
from evaluation.measurements import ProposedFigure
from evaluation.models import Indicator, Measurement
from tests.factories import IndicatorFactory, MeasurementFactory, last_month, percentage_metric

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(adoption):
    return Indicator.objects.select_related("metric", "adoption").get(
        pk=IndicatorFactory(adoption=adoption).pk
    )


def proposed(indicator, value, **kwargs):
    kwargs.setdefault("period", last_month())
    return ProposedFigure(indicator=indicator, value=Decimal(value), **kwargs)


def statuses(outcomes):
    return [outcome.status for outcome in outcomes]


def test_figures_are_sorted_into_new_changed_unchanged_and_errors(indicator, owner):
    MeasurementFactory(indicator=indicator, period=last_month(), value=5)
    MeasurementFactory(indicator=indicator, period=last_month(), imd_quintile=1, value=2)
    outcomes = measurements.measurements_check(
        [
            proposed(indicator, "5"),
            proposed(indicator, "3", imd_quintile=1),
            proposed(indicator, "1", imd_quintile=2),
            proposed(indicator, "-1", imd_quintile=3),
        ],
        by=owner,
    )
    assert statuses(outcomes) == ["unchanged", "changed", "new", "error"]
    assert outcomes[3].messages == ["The value cannot be negative."]
    assert Measurement.objects.count() == 2  # checking writes nothing


def test_one_bad_figure_saves_nothing(indicator, owner):
    batch = [proposed(indicator, "4", imd_quintile=q, row=q + 1) for q in (1, 2)]
    batch.append(proposed(indicator, "2.5", imd_quintile=3, row=4))
    with pytest.raises(measurements.FiguresRefused) as refused:
        measurements.measurements_save(batch, by=owner)
    assert statuses(refused.value.outcomes) == ["new", "new", "error"]
    assert refused.value.outcomes[2].messages == ["A count must be a whole number."]
    assert Measurement.objects.count() == 0


def test_a_good_batch_is_saved_as_submitted_with_history(indicator, owner):
    existing = MeasurementFactory(indicator=indicator, period=last_month(), value=5, status="returned")
    outcomes = measurements.measurements_save(
        [proposed(indicator, "6"), proposed(indicator, "2", imd_quintile=1)], by=owner
    )
    assert statuses(outcomes) == ["changed", "new"]
    existing.refresh_from_db()
    assert (existing.value, existing.status, existing.version) == (6, "submitted", 2)
    assert existing.history.first().history_user == owner
    assert Measurement.objects.get(imd_quintile=1).submitted_by == owner
    indicator.summary.refresh_from_db()
    assert indicator.summary.latest_value == 6.0


def test_twice_in_one_batch_names_the_first_row(indicator, owner):
    outcomes = measurements.measurements_check(
        [proposed(indicator, "1", row=2), proposed(indicator, "2", row=7)], by=owner
    )
    assert outcomes[1].messages == ["This figure is given twice (first on row 2)."]


def test_approved_figures_are_locked_and_other_hubs_indicators_refused(indicator, owner):
    MeasurementFactory(indicator=indicator, period=last_month(), value=5, status="approved")
    other = Indicator.objects.select_related("metric", "adoption").get(pk=IndicatorFactory().pk)
    outcomes = measurements.measurements_check([proposed(indicator, "6"), proposed(other, "1")], by=owner)
    assert "approved and locked" in outcomes[0].messages[0]
    assert outcomes[1].messages == ["You can only record figures for your own hubs' indicators."]


def test_percentages_need_both_parts_and_cannot_exceed_100(adoption, owner):
    indicator = IndicatorFactory(adoption=adoption, metric=percentage_metric())
    indicator = Indicator.objects.select_related("metric", "adoption").get(pk=indicator.pk)
    outcomes = measurements.measurements_check(
        [
            ProposedFigure(indicator=indicator, period=last_month(), numerator=11, denominator=10),
            ProposedFigure(indicator=indicator, period=last_month(), imd_quintile=1, numerator=3),
        ],
        by=owner,
    )
    assert outcomes[0].messages == ["The numerator cannot be more than the denominator."]
    assert outcomes[1].messages == ["A percentage needs a numerator and a denominator."]


def test_a_value_and_a_fraction_together_are_refused_before_the_database(indicator, owner):
    outcomes = measurements.measurements_check(
        [
            ProposedFigure(
                indicator=indicator, period=last_month(), value=Decimal("3"), numerator=1, denominator=2
            )
        ],
        by=owner,
    )
    assert outcomes[0].messages == ["This metric takes a value, not a numerator and a denominator."]
