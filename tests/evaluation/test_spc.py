"""The XmR engine: the NHSRplotthedots reference vectors, then each rule on hand-made series."""

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.spc import (
    LIMIT_FACTOR,
    Assurance,
    PointType,
    SpecialCause,
    xmr,
)

# CI runs on a clean clone, where the shared folder beside the repo may be
# missing, so the tests read a copy kept in the repo; a test below keeps the
# copy in step with the shared file wherever both exist.
CASES_FILE = Path(__file__).with_name("spc_cases.json")
SHARED_CASES_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "spc_cases.json"
CASES = json.loads(CASES_FILE.read_text())["cases"]
TOLERANCE = 1e-6

# A steady process to judge new points against: mean 11, mean moving range
# 15/11, so limits 7.373..14.627 and "close" beyond 8.582 or 13.418. It ends on
# the mean, which breaks any run, and with a fall, which breaks any rising trend.
PROCESS = [10, 12, 11] * 4
UPL = 11 + LIMIT_FACTOR * 15 / 11
LPL = 11 - LIMIT_FACTOR * 15 / 11


def judged_after_process(tail, **options):
    """The points of `tail`, judged on limits fixed by PROCESS."""
    result = xmr(PROCESS + list(tail), baseline=len(PROCESS), **options)
    return result.points[len(PROCESS) :]


def causes_after_process(tail, **options):
    return [point.special_cause for point in judged_after_process(tail, **options)]


def causes(values, **options):
    return [point.special_cause for point in xmr(values, **options).points]


# Reference vectors


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_reference_case(case):
    result = xmr(case["values"], **case["options"])
    expected = case["expected"]

    assert [point.value for point in result.points] == pytest.approx(case["values"], abs=TOLERANCE)
    for line in ("mean", "lpl", "upl"):
        assert [getattr(point, line) for point in result.points] == pytest.approx(
            expected[line], abs=TOLERANCE
        )
    assert [point.special_cause for point in result.points] == expected["special_cause"]
    assert [point.point_type for point in result.points] == expected["point_type"]
    assert result.variation == expected["variation"]
    assert result.assurance == expected["assurance"]


def test_copy_of_reference_cases_matches_the_shared_file():
    if not SHARED_CASES_FILE.exists():
        pytest.skip("no shared folder beside this checkout")
    assert json.loads(CASES_FILE.read_text()) == json.loads(SHARED_CASES_FILE.read_text())


# Outside the limits


def test_point_beyond_upper_limit_is_above_ucl():
    assert causes_after_process([UPL + 0.01]) == [SpecialCause.ABOVE_UCL]


def test_point_beyond_lower_limit_is_below_lcl():
    assert causes_after_process([LPL - 0.01]) == [SpecialCause.BELOW_LCL]


def test_point_exactly_on_a_limit_is_not_outside():
    limits = xmr(PROCESS).points[0]

    assert causes_after_process([limits.upl]) == [SpecialCause.COMMON_CAUSE]
    assert causes_after_process([limits.lpl]) == [SpecialCause.COMMON_CAUSE]


# Trends


def test_seven_rising_points_are_a_trend_and_all_seven_are_flagged():
    tail = [10.5, 10.7, 10.9, 11.1, 11.3, 11.5, 11.7]

    assert causes_after_process(tail) == [SpecialCause.TREND_INCREASING] * 7


def test_six_rising_points_are_not_a_trend():
    tail = [10.5, 10.7, 10.9, 11.1, 11.3, 11.5]

    assert causes_after_process(tail) == [SpecialCause.COMMON_CAUSE] * 6


def test_a_tie_breaks_a_trend():
    tail = [10.5, 10.7, 10.9, 10.9, 11.1, 11.3, 11.5, 11.7]

    assert causes_after_process(tail) == [SpecialCause.COMMON_CAUSE] * 8


def test_seven_falling_points_are_a_decreasing_trend():
    tail = [11.5, 11.3, 11.1, 10.9, 10.7, 10.5, 10.3]

    assert causes_after_process(tail) == [SpecialCause.TREND_DECREASING] * 7


def test_trend_points_take_the_trend_direction_even_below_the_mean():
    tail = [10.5, 10.7, 10.9, 11.1, 11.3, 11.5, 11.7]

    point_types = [point.point_type for point in judged_after_process(tail)]

    assert point_types == [PointType.IMPROVEMENT] * 7


def test_a_peak_shared_by_two_trends_takes_the_later_direction():
    rise = [10.2, 10.4, 10.6, 10.8, 11.0, 11.2]
    peak = [11.4]
    fall = [11.2, 11.0, 10.8, 10.6, 10.4, 10.2]

    assert causes_after_process(rise + peak + fall) == (
        [SpecialCause.TREND_INCREASING] * 6 + [SpecialCause.TREND_DECREASING] * 7
    )


def test_the_end_of_a_trend_keeps_its_direction_when_a_tie_starts_the_next():
    # NHSRplotthedots would call the first 11.4 "Decreasing" here: it takes the
    # sign of the tie that follows it. The point only ever belonged to a rise.
    rise = [10.2, 10.4, 10.6, 10.8, 11.0, 11.2, 11.4]
    fall = [11.4, 11.2, 11.0, 10.8, 10.6, 10.4, 10.2]

    assert causes_after_process(rise + fall) == (
        [SpecialCause.TREND_INCREASING] * 7 + [SpecialCause.TREND_DECREASING] * 7
    )


# 2 in 3 close to a limit


def test_two_of_three_close_to_the_upper_limit_flags_only_the_close_points():
    assert causes_after_process([13.5, 11.5, 14]) == [
        SpecialCause.TWO_IN_THREE_ABOVE,
        SpecialCause.COMMON_CAUSE,
        SpecialCause.TWO_IN_THREE_ABOVE,
    ]


def test_two_of_three_close_to_the_lower_limit():
    assert causes_after_process([8.5, 10.5, 8.0]) == [
        SpecialCause.TWO_IN_THREE_BELOW,
        SpecialCause.COMMON_CAUSE,
        SpecialCause.TWO_IN_THREE_BELOW,
    ]


def test_close_points_near_different_limits_are_common_cause():
    assert causes_after_process([13.5, 8.5, 11.5]) == [SpecialCause.COMMON_CAUSE] * 3


def test_close_points_with_a_point_across_the_mean_between_them_are_common_cause():
    assert causes_after_process([13.5, 10.5, 14]) == [SpecialCause.COMMON_CAUSE] * 3


def test_one_close_point_alone_is_common_cause():
    assert causes_after_process([13.5, 11.5, 12]) == [SpecialCause.COMMON_CAUSE] * 3


# Runs on one side of the mean


def test_seven_points_above_the_mean_are_a_run():
    tail = [11.5, 12, 11.5, 12, 11.5, 12, 11.5]

    assert causes_after_process(tail) == [SpecialCause.RUN_ABOVE] * 7


def test_seven_points_below_the_mean_are_a_run():
    tail = [10.5, 10, 10.5, 10, 10.5, 10, 10.5]

    assert causes_after_process(tail) == [SpecialCause.RUN_BELOW] * 7


def test_six_points_above_the_mean_are_not_a_run():
    tail = [11.5, 12, 11.5, 12, 11.5, 12]

    assert causes_after_process(tail) == [SpecialCause.COMMON_CAUSE] * 6


def test_points_on_the_mean_are_not_a_run():
    assert causes_after_process([11] * 7) == [SpecialCause.COMMON_CAUSE] * 7


def test_a_point_on_the_mean_breaks_a_run():
    tail = [11.5, 12, 11.5, 11, 12, 11.5, 12, 11.5]

    assert causes_after_process(tail) == [SpecialCause.COMMON_CAUSE] * 8


# Precedence


def test_outside_the_limits_outranks_a_trend_and_a_trend_outranks_two_in_three():
    # 13.5 and 14 are close to the upper limit, and 15 is beyond it; all are in the trend.
    tail = [11.5, 12, 12.5, 13, 13.5, 14, 15]

    assert causes_after_process(tail) == [SpecialCause.TREND_INCREASING] * 6 + [SpecialCause.ABOVE_UCL]


def test_two_in_three_outranks_a_run():
    tail = [11.5, 12, 11.5, 13.5, 12, 14, 11.5]

    assert causes_after_process(tail) == [
        SpecialCause.RUN_ABOVE,
        SpecialCause.RUN_ABOVE,
        SpecialCause.RUN_ABOVE,
        SpecialCause.TWO_IN_THREE_ABOVE,
        SpecialCause.RUN_ABOVE,
        SpecialCause.TWO_IN_THREE_ABOVE,
        SpecialCause.RUN_ABOVE,
    ]


# Improvement direction


@pytest.mark.parametrize(
    ("improvement", "high", "low"),
    [
        ("increase", PointType.IMPROVEMENT, PointType.CONCERN),
        ("decrease", PointType.CONCERN, PointType.IMPROVEMENT),
        ("neutral", PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW),
    ],
)
def test_improvement_direction_decides_what_high_and_low_points_mean(improvement, high, low):
    high_point, low_point = judged_after_process([20, 2], improvement=improvement)

    assert high_point.point_type == high
    assert low_point.point_type == low


def test_common_cause_points_have_no_direction():
    (point,) = judged_after_process([12], improvement="neutral")

    assert point.point_type == PointType.COMMON_CAUSE


def test_unknown_improvement_direction_is_refused():
    with pytest.raises(ValueError, match="improvement"):
        xmr(PROCESS, improvement="up")


def test_variation_is_the_last_points_type():
    assert xmr(PROCESS + [20]).variation == PointType.IMPROVEMENT
    assert xmr(PROCESS + [20], improvement="decrease").variation == PointType.CONCERN
    assert xmr(PROCESS + [20, 11]).variation == PointType.COMMON_CAUSE


# Baseline and rebasing


def test_baseline_sets_mean_and_limits_from_the_first_n_points_only():
    result = xmr([10, 12] * 6 + [30, 31, 32], baseline=12)

    assert [point.mean for point in result.points] == [11] * 15
    assert [point.upl for point in result.points] == pytest.approx([11 + LIMIT_FACTOR * 2] * 15)
    assert [point.special_cause for point in result.points[-3:]] == [SpecialCause.ABOVE_UCL] * 3


def test_baseline_longer_than_the_series_uses_every_point():
    assert xmr([10, 12, 11], baseline=12).points[0].mean == 11


def test_baseline_must_be_a_positive_number_of_points():
    with pytest.raises(ValueError, match="baseline"):
        xmr(PROCESS, baseline=0)


def test_rebase_starts_a_group_with_its_own_mean_and_limits():
    # Unscreened, so the 12 -> 20 jump would widen the second group's limits if
    # the moving range were taken across the rebase.
    result = xmr([10, 12] * 6 + [20, 22] * 6, rebase_at=[12], screen_outliers=False)

    assert [point.mean for point in result.points] == [11] * 12 + [21] * 12
    assert result.points[-1].upl == pytest.approx(21 + LIMIT_FACTOR * 2)
    assert result.points[-1].lpl == pytest.approx(21 - LIMIT_FACTOR * 2)


def test_baseline_applies_to_each_group():
    result = xmr([10, 12] * 3 + [50] + [20, 22] * 3 + [60], baseline=6, rebase_at=[7])

    assert result.points[0].mean == 11
    assert result.points[-1].mean == 21
    assert result.points[6].special_cause == SpecialCause.ABOVE_UCL
    assert result.points[-1].special_cause == SpecialCause.ABOVE_UCL


def test_a_trend_does_not_run_across_a_rebase():
    values = [3, 1, 3, 1, 1, 2, 3] + [4, 5, 6, 7, 5, 6, 5, 6]

    assert causes(values)[4:11] == [SpecialCause.TREND_INCREASING] * 7
    assert causes(values, rebase_at=[7]) == [SpecialCause.COMMON_CAUSE] * 15


def test_a_run_does_not_run_across_a_rebase():
    values = [1, 3, 1, 3, 1, 5, 5, 5] + [5, 5, 5, 5, 1, 3, 1, 3]

    assert causes(values)[5:12] == [SpecialCause.RUN_ABOVE] * 7
    assert causes(values, rebase_at=[8]) == [SpecialCause.COMMON_CAUSE] * 16


def test_rebase_index_outside_the_series_is_refused():
    with pytest.raises(ValueError, match="rebase_at"):
        xmr(PROCESS, rebase_at=[len(PROCESS)])


# Screening moving ranges


def test_screening_drops_the_moving_ranges_of_a_spike():
    values = [10, 11, 10, 11, 10, 30, 10, 11, 10, 11]
    mean = sum(values) / len(values)

    screened = xmr(values).points[0]
    unscreened = xmr(values, screen_outliers=False).points[0]

    assert screened.upl == pytest.approx(mean + LIMIT_FACTOR * 1)
    assert unscreened.upl == pytest.approx(mean + LIMIT_FACTOR * 47 / 9)


def test_a_moving_range_of_exactly_the_screening_threshold_is_screened():
    # Ranges 244, 244, 245 and 3267: their mean is 1000, so 3267 is exactly 3.267 times it.
    values = [0, 244, 0, 245, 3512]
    mean = sum(values) / len(values)

    assert xmr(values).points[0].upl == pytest.approx(mean + LIMIT_FACTOR * 733 / 3)


# Short, flat and unusual input


def test_empty_series_has_no_points_and_no_icons():
    result = xmr([], target=10)

    assert result.points == ()
    assert result.variation is None
    assert result.assurance is None


def test_single_point_has_a_mean_but_no_limits():
    result = xmr([5], target=10)

    (point,) = result.points
    assert (point.value, point.mean, point.lpl, point.upl) == (5, 5, None, None)
    assert point.special_cause == SpecialCause.COMMON_CAUSE
    assert result.variation == PointType.COMMON_CAUSE
    assert result.assurance is None


def test_constant_series_has_limits_equal_to_its_mean():
    result = xmr([5, 5, 5, 5])

    assert {(point.mean, point.lpl, point.upl) for point in result.points} == {(5, 5, 5)}
    assert causes([5, 5, 5, 5]) == [SpecialCause.COMMON_CAUSE] * 4


def test_zero_moving_range_baseline_flags_any_later_change():
    assert causes([5, 5, 5, 5, 6, 4], baseline=4) == [SpecialCause.COMMON_CAUSE] * 4 + [
        SpecialCause.ABOVE_UCL,
        SpecialCause.BELOW_LCL,
    ]


def test_decimal_values_give_the_same_chart_as_floats():
    decimals = [Decimal("10.5"), Decimal("12.25"), Decimal("11"), Decimal("30")]

    assert xmr(decimals, target=Decimal("20")) == xmr([10.5, 12.25, 11.0, 30.0], target=20.0)
    assert all(type(point.value) is float for point in xmr(decimals).points)


def test_non_finite_values_are_refused():
    with pytest.raises(ValueError, match="finite"):
        xmr([1, 2, math.nan])


# Assurance


@pytest.mark.parametrize(
    ("improvement", "target", "assurance"),
    [
        ("increase", 20, Assurance.CONSISTENT_FAIL),
        ("increase", 5, Assurance.CONSISTENT_PASS),
        ("increase", 11, Assurance.INCONSISTENT),
        ("decrease", 20, Assurance.CONSISTENT_PASS),
        ("decrease", 5, Assurance.CONSISTENT_FAIL),
        ("decrease", 11, Assurance.INCONSISTENT),
    ],
)
def test_assurance_compares_the_target_with_the_limits(improvement, target, assurance):
    assert xmr(PROCESS, improvement=improvement, target=target).assurance == assurance


def test_no_assurance_without_a_target():
    assert xmr(PROCESS).assurance is None


def test_no_assurance_for_a_neutral_metric():
    assert xmr(PROCESS, improvement="neutral", target=20).assurance is None


def test_assurance_is_judged_on_the_last_groups_limits():
    values = [10, 12] * 6 + [20, 22] * 6

    assert xmr(values, target=15).assurance == Assurance.INCONSISTENT
    assert xmr(values, target=15, rebase_at=[12]).assurance == Assurance.CONSISTENT_PASS
