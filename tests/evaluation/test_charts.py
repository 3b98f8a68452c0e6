"""The XmR chart's geometry and text alternative: pure functions, no database."""

import datetime

import pytest

from core.months import add_months
from evaluation import charts, mdc
from evaluation.spc import Assurance, Improvement, PointType, xmr

STEADY = [10, 12, 11] * 4  # mean 11, limits about 7.4 to 14.6


def months(count: int, start: datetime.date = datetime.date(2024, 12, 1)) -> list[datetime.date]:
    return [add_months(start, offset) for offset in range(count)]


def contrast_with_white(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def chart_of(values, **options):
    result = xmr(
        values,
        improvement=options.get("improvement", Improvement.INCREASE),
        target=options.get("target"),
        baseline=options.get("baseline_length"),
    )
    return charts.xmr_chart(months(len(values)), result, **{"improvement": Improvement.INCREASE, **options})


# Numbers, months and ticks


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [(1234.5, 1, "1,234.5"), (182.0, 1, "182"), (0.125, 2, "0.12"), (-0.01, 1, "0"), (70, 2, "70")],
)
def test_numbers_read_as_people_write_them(value, places, text):
    assert charts.format_number(value, places) == text


def test_percentages_carry_their_sign_and_other_units_do_not():
    assert charts.format_value(66.666, "%") == "66.67%"
    assert charts.format_value(260, "people") == "260"


def test_month_labels_are_short_and_locale_free():
    assert charts.month_label(datetime.date(2025, 1, 1)) == "Jan 25"
    assert charts.long_month(datetime.date(2026, 11, 1)) == "Nov 2026"


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 97, [0, 20, 40, 60, 80, 100]),
        (120.1, 244.7, [100, 125, 150, 175, 200, 225, 250]),
        (0.1, 0.7, [0, 0.2, 0.4, 0.6, 0.8]),
        (0.31, 0.74, [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]),
        (-3.2, 4.1, [-4, -2, 0, 2, 4, 6]),
    ],
)
def test_ticks_are_round_and_cover_the_range(low, high, expected):
    assert charts.nice_ticks(low, high) == expected


def test_a_flat_range_still_gets_an_axis_with_height():
    assert charts.padded_range([50, 50, None]) == (45, 55)
    assert charts.padded_range([0, 0]) == (-1, 1)
    assert charts.padded_range([None]) == (0, 1)
    ticks = charts.nice_ticks(50, 50)
    assert ticks[0] < 50 < ticks[-1]


def test_tick_labels_show_as_many_decimals_as_the_step():
    assert charts.tick_places([0, 20, 40]) == 0
    assert charts.tick_places([0.1, 0.2]) == 1
    assert charts.tick_places([0.05, 0.1]) == 2
    assert charts.tick_places([0.25, 0.5]) == 2


# Geometry


def test_the_y_axis_reaches_a_target_outside_the_data():
    chart = chart_of(STEADY, target=40)
    assert float(chart.y_ticks[-1].label) >= 40
    assert chart.plot.top <= chart.target.y < chart.plot.bottom
    assert chart.target.label == "Target 40"
    assert all(chart.target.y < marker.y for marker in chart.markers)  # the data sit below it


def test_higher_values_are_drawn_higher():
    chart = chart_of([1, 5, 3])
    low, high, middle = (marker.y for marker in chart.markers)
    assert high < middle < low  # SVG y grows downwards


def test_a_single_point_sits_in_the_middle_with_a_short_mean_and_no_limits():
    chart = chart_of([42])
    (marker,) = chart.markers
    assert marker.x == pytest.approx((chart.plot.left + chart.plot.right) / 2)
    kinds = [line.kind for line in chart.lines]
    assert "lpl" not in kinds and "upl" not in kinds
    (mean,) = [line for line in chart.lines if line.kind == "mean"]
    assert len(mean.points.split()) == 2  # a short tick, not an invisible dot


def test_a_flat_series_draws_limits_on_the_mean():
    chart = chart_of([7] * 6)
    levels = {line.kind: {point.split(",")[1] for point in line.points.split()} for line in chart.lines}
    assert levels["mean"] == levels["upl"] == levels["lpl"]
    assert len(chart.y_ticks) > 1


def test_months_are_spaced_by_the_calendar_so_a_gap_shows():
    periods = [datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2025, 6, 1)]
    xs = charts.x_positions(periods, charts.Plot())
    assert (xs[2] - xs[1]) == pytest.approx(4 * (xs[1] - xs[0]))


def test_month_labels_thin_out_on_a_long_series():
    plot = charts.Plot()
    assert [tick.label for tick in charts.x_ticks(months(3), plot)] == ["Dec 24", "Jan 25", "Feb 25"]
    ticks = charts.x_ticks(months(36), plot)
    assert len(ticks) <= charts.MAX_MONTH_LABELS
    assert [tick.label for tick in ticks[:2]] == ["Dec 24", "Mar 25"]


def test_lines_break_at_a_rebase_and_the_divider_carries_its_reason():
    values = STEADY + [20, 22, 21] * 4
    periods = months(len(values))
    result = xmr(values, rebase_at=[12])
    rebase = charts.Rebase(periods[12], "New triage pathway")
    chart = charts.xmr_chart(periods, result, rebases=[rebase], improvement=Improvement.INCREASE)

    means = [line for line in chart.lines if line.kind == "mean"]
    assert len(means) == 2
    first_end = float(means[0].points.split()[-1].split(",")[0])
    second_start = float(means[1].points.split()[0].split(",")[0])
    (divider,) = chart.dividers
    assert first_end < divider.x < second_start
    assert divider.label == "Rebase 1"
    assert "New triage pathway" in divider.title and "Dec 2025" in divider.title
    assert [line.kind for line in chart.lines].count("value") == 1  # the figures stay one line


def test_a_rebase_outside_the_series_draws_nothing():
    periods = months(6)
    rebases = [
        charts.Rebase(datetime.date(2020, 1, 1), "Before the first figure"),
        charts.Rebase(datetime.date(2030, 1, 1), "After the last"),
    ]
    chart = charts.xmr_chart(
        periods, xmr([1, 2, 3, 4, 5, 6]), rebases=rebases, improvement=Improvement.INCREASE
    )
    assert chart.dividers == []


def test_the_end_of_the_baseline_is_marked_in_each_group_long_enough():
    values = STEADY + [20, 22, 21]
    periods = months(len(values))
    result = xmr(values, baseline=6, rebase_at=[12])
    chart = charts.xmr_chart(
        periods,
        result,
        baseline_length=6,
        rebases=[charts.Rebase(periods[12], "New team")],
        improvement=Improvement.INCREASE,
    )
    baselines = [divider for divider in chart.dividers if divider.kind == "baseline"]
    assert len(baselines) == 1  # the second group has only 3 points
    assert charts.between(charts.x_positions(periods, chart.plot), 6) == baselines[0].x


# Markers


def test_each_point_type_has_its_own_shape_and_a_colour_with_3_to_1_contrast():
    shapes = {style.shape for point_type, style in charts.POINT_STYLES.items() if "low" not in point_type}
    assert len(shapes) == 4
    for style in charts.POINT_STYLES.values():
        assert contrast_with_white(style.colour) >= 3


@pytest.mark.parametrize(
    ("improvement", "point_type", "shape"),
    [
        (Improvement.INCREASE, PointType.IMPROVEMENT, "square"),
        (Improvement.DECREASE, PointType.CONCERN, "triangle"),
        (Improvement.NEUTRAL, PointType.NEUTRAL_HIGH, "diamond"),
    ],
)
def test_a_point_above_the_limit_is_drawn_as_its_type(improvement, point_type, shape):
    chart = chart_of(STEADY + [30], improvement=improvement, baseline_length=12)
    last = chart.markers[-1]
    style = charts.POINT_STYLES[point_type]
    assert (last.path, last.colour, last.fill) == (
        charts.marker_path(shape, last.x, last.y),
        style.colour,
        style.colour,
    )
    assert "above the upper process limit" in last.title
    first = chart.markers[0]
    assert first.colour == charts.COMMON_CAUSE_COLOUR
    assert first.path == charts.marker_path("circle", first.x, first.y)


def test_submitted_figures_are_hollow_and_say_so():
    chart = chart_of([1, 2, 3], approved=[True, True, False])
    assert [marker.fill == charts.WHITE for marker in chart.markers] == [False, False, True]
    assert "not yet approved" in chart.markers[-1].title
    assert any("submitted" in item.label for item in chart.legend)


def test_the_legend_names_what_the_chart_can_show():
    labels = [item.label for item in chart_of(STEADY, target=12).legend]
    # Each with the metric's direction: an improvement is higher where higher is better.
    assert (
        "Special cause improvement: higher values" in labels
        and "Special cause concern: lower values" in labels
    )
    assert "Target" in labels and "Process limits" in labels and "Mean" in labels
    assert not any("submitted" in label for label in labels)
    neutral = [item.label for item in chart_of(STEADY, improvement=Improvement.NEUTRAL).legend]
    assert mdc.EITHER_DIRECTION[mdc.NEUTRALS] in neutral and not any(
        "improvement:" in label for label in neutral
    )


def test_months_and_points_must_match():
    with pytest.raises(ValueError, match="3 months for 2 points"):
        charts.xmr_chart(months(3), xmr([1, 2]), improvement=Improvement.INCREASE)


# The text alternative


def test_the_description_tells_the_story_of_the_chart():
    values = STEADY + [30]
    periods = months(len(values))
    result = xmr(values, baseline=12, target=12)
    text = charts.describe(
        periods, result, target=12, approved=[True] * 12 + [False], unit="%", improvement=Improvement.INCREASE
    )
    assert text.startswith("13 monthly figures from Dec 2024 to Dec 2025.")
    assert "Mean 11%, process limits 7.4% to 14.6%." in text
    assert (
        "Latest value 30% (Dec 2025, not yet approved): special cause improvement: higher values "
        "(above the upper process limit)." in text
    )
    assert "Target 12%: inconsistent — may or may not meet the target." in text
    assert result.assurance == Assurance.INCONSISTENT
    assert text.endswith("1 figure is submitted and not yet approved.")


def test_the_description_names_the_current_rebase():
    values = STEADY + [20, 22, 21] * 4
    periods = months(len(values))
    text = charts.describe(
        periods,
        xmr(values, rebase_at=[12]),
        rebases=[charts.Rebase(periods[12], "New triage pathway")],
        improvement=Improvement.INCREASE,
    )
    assert "Rebased once; the current limits start in Dec 2025 (New triage pathway)." in text
    assert "Mean 21," in text


@pytest.mark.parametrize(
    ("values", "options", "expected"),
    [
        ([], {}, "No figures to chart yet."),
        ([5], {"target": 3}, "Mean 5; too few figures for process limits."),
        ([5], {"target": 3}, "Target 3: not assessed, as there are too few figures"),
        (STEADY, {"target": 3, "improvement": Improvement.NEUTRAL}, "neither direction is better"),
    ],
)
def test_the_description_copes_with_short_series_and_neutral_metrics(values, options, expected):
    options = {"improvement": Improvement.INCREASE, **options}
    result = xmr(values, **options)
    assert expected in charts.describe(months(len(values)), result, **options)
