"""The load test's helpers (bench/load/helpers.py), without Locust: reading forms, counting lost writes."""

import random
from decimal import Decimal

from bench.load.helpers import (
    Write,
    checkbox_values,
    csrf_token,
    error_summary,
    form_inputs,
    locked_cells,
    lost_writes,
    new_figures,
    open_cells,
    page_stats,
    percentile,
)


def write(
    client="a", seq=1, value="10", sent=0.0, acked=1.0, cell=(7, "2026-10-01", None), **figure
) -> Write:
    indicator, period, group = cell
    figure = {"value": value, "numerator": None, "denominator": None, **figure}
    return Write(
        client=client,
        seq=seq,
        indicator=indicator,
        period=period,
        group=group,
        sent=sent,
        acked=acked,
        **figure,
    )


CELL = (7, "2026-10-01", None)


def test_a_write_the_database_holds_is_kept():
    assert lost_writes([write(value="10")], {CELL: (Decimal("10.0000"), None, None)})["lost"] == 0


def test_a_missing_write_is_counted_lost():
    counted = lost_writes([write(value="10"), write(seq=2, cell=(8, "2026-10-01", 3), value="4")], {})
    assert counted["lost"] == 2 and counted["checked"] == 2
    assert counted["lost_examples"][0]["database"] is None


def test_a_write_overwritten_by_an_earlier_save_is_lost():
    earlier = write(client="b", value="99", sent=0.0, acked=0.5)
    later = write(client="a", value="10", sent=1.0, acked=2.0)
    counted = lost_writes([earlier, later], {CELL: (Decimal("99"), None, None)})
    # The database holds the earlier one: the later one, which nothing came after, is lost.
    assert counted["lost"] == 1 and counted["kept"] == 1
    assert counted["lost_examples"][0]["client"] == "a"


def test_a_later_save_by_the_same_client_or_another_replaces_a_write():
    first, second = write(seq=1, value="10"), write(seq=2, value="11")
    other = write(client="b", value="12", sent=5.0, acked=6.0)
    counted = lost_writes([first, second, other], {CELL: (Decimal("12"), None, None)})
    assert counted == {"checked": 3, "kept": 1, "replaced": 2, "lost": 0, "lost_examples": []}


def test_overlapping_saves_of_one_cell_either_may_win():
    one = write(client="a", value="10", sent=0.0, acked=2.0)
    two = write(client="b", value="20", sent=1.0, acked=3.0)
    assert lost_writes([one, two], {CELL: (Decimal("10"), None, None)})["lost"] == 0
    assert lost_writes([one, two], {CELL: (Decimal("20"), None, None)})["lost"] == 0
    assert lost_writes([one, two], {CELL: (Decimal("30"), None, None)})["lost"] == 2


def test_a_percentage_must_match_numerator_and_denominator():
    saved = write(value=None, numerator=3, denominator=40)
    assert lost_writes([saved], {CELL: (None, 3, 40)})["lost"] == 0
    assert lost_writes([saved], {CELL: (None, 3, 41)})["lost"] == 1


def test_writes_survive_the_trip_through_json():
    original = write(value="12.5", via="upload")
    assert Write.from_dict(original.as_dict()) == original


PAGE = """
<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="tok&amp;en">
<input type="text" name="i12-gall-value" value="95" id="id_i12-gall-value">
<input type="text" name="i13-gall-numerator" id="x"><input type="hidden" name="i13-gall-version" value="3">
<input type="checkbox" name="hubs" value="4"><input type="checkbox" name="hubs" value="5" checked>
<input class="nhsuk-radios__input" type="radio" name="audience" value="public">
<button type="submit" name="action" value="approve">Approve</button></form>
"""


def test_forms_are_read_as_a_browser_would_post_them():
    assert csrf_token(PAGE) == "tok&en"
    assert form_inputs(PAGE) == {
        "csrfmiddlewaretoken": "tok&en",
        "i12-gall-value": "95",
        "i13-gall-numerator": "",
        "i13-gall-version": "3",
    }
    assert checkbox_values(PAGE, "hubs") == ["4", "5"]
    assert checkbox_values(PAGE, "audience") == ["public"]


def test_percentiles_and_page_stats():
    assert percentile([], 0.5) is None
    assert percentile([5, 1, 3, 2, 4], 0.5) == 3
    assert percentile(list(range(1, 101)), 0.95) == 95
    stats = page_stats([("GET /", 10.0, False, 0.0), ("GET /", 30.0, True, 1.0), ("POST /x/", 5.0, False)])
    assert stats["GET /"] == {"requests": 2, "errors": 1, "p50_ms": 10.0, "p95_ms": 30.0}
    assert stats["POST /x/"]["requests"] == 1


GRID = {
    "i1-gall-value": "100", "i1-gall-version": "1", "i1-g1-value": "50", "i1-g1-version": "1",
    "i1-g2-value": "", "i1-g2-version": "",
    "i2-gall-numerator": "40", "i2-gall-denominator": "80", "i2-gall-version": "2",
    "i2-g1-numerator": "10", "i2-g1-denominator": "20", "i2-g1-version": "1",
    "i3-gall-value": "", "i3-gall-version": "",
}  # fmt: skip
KINDS = {1: "count", 2: "percentage", 3: "rate", 4: "count"}


def test_new_figures_keep_each_group_within_its_total():
    for seed in range(200):
        inputs = dict(GRID)
        written = new_figures(inputs, KINDS, open_cells(inputs), random.Random(seed))
        assert len(written) == len(open_cells(GRID)) == 6
        total, q1, q2 = (int(inputs[f"i1-g{q}-value"]) for q in ("all", "1", "2"))
        assert q1 <= total and q2 <= total
        num, den = int(inputs["i2-gall-numerator"]), int(inputs["i2-gall-denominator"])
        q_num, q_den = int(inputs["i2-g1-numerator"]), int(inputs["i2-g1-denominator"])
        assert num <= den and q_num <= q_den and q_num <= num and q_den <= den
        assert Decimal(inputs["i3-gall-value"]) >= 0
        assert inputs["i1-gall-version"] == "1"  # versions are left as the page gave them


def test_a_new_total_stays_above_the_groups_left_as_they_are():
    for seed in range(100):
        inputs = dict(GRID)
        [(indicator, group, figure)] = new_figures(inputs, KINDS, [(1, None)], random.Random(seed))
        assert (indicator, group) == (1, None) and int(figure["value"]) >= 50
        assert inputs["i1-g1-value"] == "50"


def test_figures_next_to_an_approved_cell_are_left_alone():
    page = '<td><span id="id_i4-gall-value">120</span></td><td><span id="id_i1-g3-value">7</span></td>'
    assert locked_cells(page) == {(4, None), (1, 3)}
    inputs = {"i4-g1-value": "", "i4-g1-version": "", **GRID}
    cells = [(4, 1), (1, None), (1, 2)]
    written = new_figures(inputs, KINDS, cells, random.Random(1), locked_cells(page))
    assert [(i, q) for i, q, _ in written] == [(1, 2)]  # not the group of an approved total, nor that total


def test_the_error_summary_is_read_as_text():
    page = (
        '<div class="nhsuk-error-summary" data-module="nhsuk-error-summary" tabindex="-1">\n'
        '  <div role="alert"><h2 class="nhsuk-error-summary__heading">There is a problem</h2>\n'
        '    <div class="nhsuk-error-summary__body"><ul><li><a href="#x">People &amp; places: Enter a number.</a></li></ul>\n'
        "    </div>\n  </div>\n</div><p>after</p>"
    )
    assert error_summary(page) == "There is a problem People & places: Enter a number."
    assert error_summary("<p>fine</p>") == ""
