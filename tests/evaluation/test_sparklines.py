"""The board's sparkline: twelve months evenly spaced, gaps where a figure is missing or withheld, and the same months in words."""

import datetime

from core.months import add_months
from evaluation.sparklines import HEIGHT, PADDING, WIDTH, SparkFigure, sparkline

LAST = datetime.date(2025, 6, 1)


def figures(values: dict[int, float | None]) -> dict[datetime.date, SparkFigure]:
    """Figures by months before ``LAST`` (0 is LAST itself); None is a figure the viewer may not see."""
    return {
        add_months(LAST, -back): SparkFigure("<8", None)
        if value is None
        else SparkFigure(f"{value:g}", value)
        for back, value in values.items()
    }


def points(line: str) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in line.split()]


def test_twelve_months_span_the_width_the_highest_at_the_top():
    spark = sparkline(LAST, figures({back: 100 - back for back in range(12)}))
    [line] = spark.lines
    drawn = points(line)
    assert len(drawn) == 12
    assert drawn[0] == (PADDING, HEIGHT - PADDING)  # eleven months back: the lowest
    assert drawn[-1] == (WIDTH - PADDING, PADDING)  # the latest: the highest
    assert spark.latest == (f"{WIDTH - PADDING}", f"{PADDING}")
    assert spark.dots == []
    assert spark.title == "Figures from Jul 2024 to Jun 2025"
    assert spark.words.startswith("Jul 2024: 89; Aug 2024: 90;")
    assert spark.words.endswith("May 2025: 99; Jun 2025: 100")


def test_a_flat_series_runs_along_the_middle():
    spark = sparkline(LAST, figures(dict.fromkeys(range(3), 7)))
    [line] = spark.lines
    assert {y for _, y in points(line)} == {HEIGHT / 2}


def test_missing_and_withheld_months_break_the_line_and_are_said():
    # Five months back has no figure and two back is withheld: lines through 7-6, 4-3 and 1-0 back.
    spark = sparkline(LAST, figures({7: 3, 6: 4, 4: 5, 3: 6, 2: None, 1: 7, 0: 8}))
    assert [len(points(line)) for line in spark.lines] == [2, 2, 2]
    assert (
        "Jan 2025: no figure; Feb 2025: 5; Mar 2025: 6; Apr 2025: <8; May 2025: 7; Jun 2025: 8" in spark.words
    )
    assert spark.words.startswith("Jul 2024: no figure;")


def test_a_month_alone_is_a_dot_and_a_withheld_latest_month_is_not_marked():
    spark = sparkline(LAST, figures({4: 10, 2: 20, 0: None}))
    assert spark.lines == []
    assert len(spark.dots) == 2
    assert spark.latest is None
    assert spark.words.endswith("Jun 2025: <8")


def test_no_figures_draw_nothing():
    spark = sparkline(LAST, {})
    assert (spark.lines, spark.dots, spark.latest) == ([], [], None)
    assert spark.words.count("no figure") == 12
