"""The funnel engine: FunnelPlotR's own results, cases worked by hand from its formulas, and bad input."""

import json
import math
import re
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.funnel import MAX_UNITS, Z_95, Z_998, funnel

# Made by tests/evaluation/funnel_cases.R from FunnelPlotR 0.6.0's R sources (see there how).
CASES = json.loads(Path(__file__).with_name("funnel_cases.json").read_text())["cases"]
TOLERANCE = 1e-6


def close(mine: float, theirs: float) -> bool:
    if math.isinf(theirs):
        return mine == theirs
    return abs(mine - theirs) <= TOLERANCE * max(1.0, abs(theirs))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_matches_funnelplotr(case):
    result = funnel(
        case["numerators"],
        case["denominators"],
        data_type=case["data_type"],
        draw_adjusted=case["draw_adjusted"],
        sr_method=case["sr_method"],
        trim_by=case["trim_by"],
    )
    assert close(result.phi, case["phi"])
    assert close(result.tau2, case["tau2"])
    assert result.draw_adjusted is case["adjusted"]
    assert len(result.points) == len(case["points"])
    for point, expected in zip(result.points, case["points"], strict=True):
        assert close(point.value, expected["value"])
        assert all(map(close, point.limits, expected["limits"])), (point.limits, expected["limits"])
        # FunnelPlotR marks outliers against one pair of limits: here the 99.8% ones.
        assert (point.flag in ("high_998", "low_998")) is expected["outside_998"]
        if not result.draw_adjusted:
            assert close(point.z, expected["z_unadjusted"])
    for row in case["lookup"]:
        assert all(map(close, result.limits_at(row["denominator"]), row["limits"]))


def test_the_cases_cover_what_the_issue_asks_for():
    names = " ".join(case["name"] for case in CASES)
    for data_type in ("PR", "SR SHMI", "SR CQC", "RC"):
        assert f"{data_type}, overdispersed" in names
    for words in ("without the adjustment", "zero", "a single outlier", "tau2 = 0"):
        assert words in names
    assert any(case["adjusted"] for case in CASES) and not all(case["adjusted"] for case in CASES)


# Worked by hand, two hubs: 10 of 100 and 30 of 100.
#   target p = 40/200 = 0.2, on the arcsine scale asin(√0.2) = 0.4636476
#   Y = asin(√0.1) = 0.3217506 and asin(√0.3) = 0.5796397; s = 1/(2√100) = 0.05
#   z = (Y − 0.4636476)/0.05 = −2.8379411 and 2.3198426
#   winsorised at R's 10% and 90% quantiles (type 7: 0.9·z₁ + 0.1·z₂ and 0.1·z₁ + 0.9·z₂)
#     = −2.3221627 and 1.8040643
#   φ = (2.3221627² + 1.8040643²)/2 = 4.3235438
#   τ² = (2φ − 1)/(Σw − Σw²/Σw), w = 1/s² = 400: (8.6470875 − 1)/(800 − 400) = 0.0191177
#   adjusted z = (Y − 0.4636476)/√(0.05² + 0.0191177) = −0.9650914 and 0.7889030
#   limits at 100: sin²(0.4636476 ∓ z·√(0.0025 + 0.0191177)), z = 1.959964 and 3.090232
TWO_HUBS = ([10, 30], [100, 100])


def test_proportions_worked_by_hand():
    result = funnel(*TWO_HUBS)
    assert result.target == pytest.approx(0.2)
    assert result.phi == pytest.approx(4.3235438, abs=1e-6)
    assert result.tau2 == pytest.approx(0.0191177, abs=1e-6)
    assert result.draw_adjusted
    assert [point.z for point in result.points] == pytest.approx([-0.9650914, 0.7889030], abs=1e-6)
    assert result.limits_at(100) == pytest.approx((0.0304767, 0.4664475, 0.0000863, 0.6310561), abs=1e-6)
    # Widened by τ², both hubs sit inside; without it both are far outside.
    assert [point.flag for point in result.points] == [None, None]
    plain = funnel(*TWO_HUBS, draw_adjusted=False)
    assert (plain.phi, plain.tau2, plain.draw_adjusted) == (0, 0, False)
    assert [point.z for point in plain.points] == pytest.approx([-2.8379411, 2.3198426], abs=1e-6)
    assert [point.flag for point in plain.points] == ["low_95", "high_95"]
    spread = 1 / (2 * math.sqrt(100))
    centre = math.asin(math.sqrt(0.2))
    assert plain.limits_at(100).upper_998 == pytest.approx(math.sin(centre + Z_998 * spread) ** 2)


def test_poisson_limits_worked_by_hand():
    """Without overdispersion a standardised ratio has exact Poisson limits (Garwood's interval for E)."""
    result = funnel([10, 12, 9, 11, 14, 8], [10.5, 11.2, 9.4, 12.1, 12.9, 8.8], data_type="SR")
    assert not result.draw_adjusted
    # For an expected count of 10: 95% from 4.7954 to 18.3904 events, 99.8% from 2.9605 to 24.1340.
    assert result.limits_at(10) == pytest.approx((0.4795389, 1.8390356, 0.2960520, 2.4133971), abs=1e-6)
    assert result.limits_at(1_000_000).upper_998 == pytest.approx(1.0030941, abs=1e-6)


def test_shmi_and_ratio_of_counts_worked_by_hand():
    # SHMI: z = √E·log(O/E); 40 observed against 20 expected is √20·log 2 = 3.0998.
    shmi = funnel([40, 20, 20, 20, 20], [20, 20, 20, 20, 20], data_type="SR", draw_adjusted=False)
    assert shmi.points[0].z == pytest.approx(math.sqrt(20) * math.log(2))
    assert shmi.points[0].flag == "high_998"
    # RC: Y = log((O + ½)/(D + ½)), s = √(O/(O + ½)² + D/(D + ½)²), target log(ΣO/ΣD).
    rc = funnel([10, 30], [20, 20], data_type="RC", draw_adjusted=False)
    y, s = math.log(10.5 / 20.5), math.sqrt(10 / 10.5**2 + 20 / 20.5**2)
    assert rc.target == 1
    assert rc.points[0].z == pytest.approx(y / s)
    assert rc.limits_at(20).lower_95 == pytest.approx(math.exp(-Z_95 / (2 * math.sqrt(20))))


def test_tau2_is_zero_when_phi_is_below_the_threshold():
    """τ² is 0 when nφ < n − 1, and no limit is widened; at φ ≤ 1 none is, though τ² may be above 0."""
    below = next(case for case in CASES if "tau2 = 0" in case["name"])
    result = funnel(below["numerators"], below["denominators"])
    n = len(result.points)
    assert n * result.phi < n - 1
    assert result.tau2 == 0 and not result.draw_adjusted
    just_below = next(case for case in CASES if "tau2 > 0" in case["name"])
    result = funnel(just_below["numerators"], just_below["denominators"])
    assert (n - 1) / n <= result.phi <= 1 and result.tau2 > 0
    assert not result.draw_adjusted
    unadjusted = funnel(just_below["numerators"], just_below["denominators"], draw_adjusted=False)
    assert result.limits_at(500) == unadjusted.limits_at(500)


def test_a_single_outlier_is_the_only_point_flagged():
    result = funnel([50, 52, 48, 51, 90, 49, 47, 53, 50, 52], [100] * 10)
    assert [point.flag for point in result.points] == [None] * 4 + ["high_998"] + [None] * 5
    assert result.count("high_998") == 1
    assert result.points[4].z > Z_998


def test_zero_counts():
    result = funnel([0, 3, 5, 0, 8], [40, 100, 150, 60, 200])
    assert all(math.isfinite(point.z) for point in result.points)
    assert result.points[0].value == 0
    # The lower limit cannot go below nothing happening.
    assert result.limits_at(40).lower_998 == 0
    everything_zero = funnel([0, 0, 0], [100, 150, 200])
    assert everything_zero.target == 0 and everything_zero.phi == 0


def test_flags_name_the_limit_crossed():
    result = funnel([60, 30, 10, 35, 36, 40, 38, 42], [100] * 8, draw_adjusted=False)
    flags = {point.numerator: point.flag for point in result.points}
    assert flags[60] == "high_998"
    assert flags[10] == "low_998"
    assert flags[30] is None
    high_95 = funnel([55, 40, 38, 42, 40, 39, 41, 40], [100] * 8, draw_adjusted=False)
    limits = high_95.limits_at(100)
    assert limits.upper_95 < 0.55 < limits.upper_998
    assert high_95.points[0].flag == "high_95"


def test_limits_narrow_as_the_denominator_grows():
    result = funnel([150, 260, 140, 330, 160], [420, 515, 380, 610, 450])
    widths = [result.limits_at(n).upper_998 - result.limits_at(n).lower_998 for n in (10, 100, 1000, 10_000)]
    assert widths == sorted(widths, reverse=True)
    inner = result.limits_at(500)
    assert inner.lower_998 < inner.lower_95 < result.target < inner.upper_95 < inner.upper_998


def test_decimals_and_integers_both_work():
    as_floats = funnel([10.0, 30.0], [100.0, 100.0])
    as_decimals = funnel([Decimal(10), Decimal(30)], [Decimal(100), Decimal(100)])
    assert as_floats.phi == as_decimals.phi


def test_shmi_rounds_expected_values_as_r_does():
    """R's round(335.455, 2) is 335.46, Python's 335.45: the limits are read at R's."""
    result = funnel([300, 310, 320], [335.455, 300.0, 310.0], data_type="SR", draw_adjusted=False)
    assert result.points[0].denominator == 335.46
    assert result.points[0].value == 300 / 335.455


@pytest.mark.parametrize(
    ("numerators", "denominators", "options", "message"),
    [
        ([1, 2, 3], [10, 20], {}, "3 numerators but 2 denominators"),
        ([1], [10], {}, "at least 2 units"),
        ([1, 2], [10, 0], {}, "Denominator 2 is 0"),
        ([1, -2], [10, 20], {}, "Numerator 2 is negative"),
        ([1, 2], [10, -20], {}, "Denominator 2 is -20"),
        ([11, 2], [10, 20], {}, "more than its denominator"),
        ([1, math.nan], [10, 20], {}, "finite"),
        ([1, 2], [10, math.inf], {}, "finite"),
        ([1, "2"], [10, 20], {}, "must be a number, not str"),
        ([1, True], [10, 20], {}, "must be a number, not bool"),
        ([1, 2], [10, 1e13], {}, "too large"),
        ([1, 2], [10, 20], {"data_type": "XX"}, "data_type must be one of PR, SR, RC"),
        ([1, 2], [10, 20], {"data_type": "SR", "sr_method": "NHS"}, "sr_method must be one of"),
        ([1, 2], [10, 20], {"trim_by": 0.5}, "trim_by must be at least 0 and less than 0.5"),
        ([1, 2], [10, 20], {"trim_by": -0.1}, "trim_by must be"),
        ([1, 2], [10, 20], {"data_type": "SR", "trim_by": 0}, "trim_by must be more than 0"),
        ([1, 2], [10, 0.004], {"data_type": "SR"}, "rounds to 0"),
        ([0, 0], [10, 20], {"data_type": "RC"}, "Every numerator is 0"),
        ([0, 5, 6], [10, 5, 6], {"data_type": "SR"}, "sr_method='CQC'"),
        ([1, 2], [10, 20], {"draw_adjusted": "yes"}, "draw_adjusted must be True or False"),
        (5, [10], {}, "sequences of numbers"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(numerators, denominators, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        funnel(numerators, denominators, **options)


def test_too_many_units_are_refused():
    with pytest.raises(ValueError, match="at most 10,000 units"):
        funnel([1] * (MAX_UNITS + 1), [10] * (MAX_UNITS + 1))


def test_limits_at_refuses_a_denominator_of_zero():
    with pytest.raises(ValueError, match="more than zero"):
        funnel(*TWO_HUBS).limits_at(0)
