"""The page bench's arithmetic (bench/timing.py): percentiles, the ratio to the floor, queries across scales."""

import pytest

from bench.timing import percentile, ratio_to_floor, same_queries_at_every_scale, summarise


def test_the_p95_of_twenty_samples_is_the_nineteenth_smallest():
    samples = [float(n) for n in range(20, 0, -1)]
    assert percentile(samples, 0.95) == 19.0
    assert percentile(samples, 0.5) == 10.0


def test_no_samples_has_no_percentile():
    with pytest.raises(ValueError):
        percentile([], 0.95)


def test_a_page_three_times_as_slow_as_the_floor_has_a_ratio_of_3():
    assert ratio_to_floor(45.0, 15.0) == 3.0
    assert ratio_to_floor(10.0, 3.0) == 3.33  # to 2 places


def test_a_floor_that_took_no_time_gives_no_ratio():
    assert ratio_to_floor(10.0, 0.0) is None


def test_summarise_gives_the_ratio_of_the_two_p95s_printed():
    page = [40.0] * 19 + [100.0]  # the 20th sample is the only slow one: p95 is the 19th, 40
    floor = [8.0] * 18 + [10.0, 50.0]
    summary = summarise(page, floor)
    assert summary == {"p50_ms": 40.0, "p95_ms": 40.0, "floor_p95_ms": 10.0, "p95_ratio_to_floor": 4.0}


def test_the_ratio_follows_the_floor_when_the_machine_slows_both():
    quiet = summarise([30.0] * 20, [10.0] * 20)
    busy = summarise([75.0] * 20, [25.0] * 20)  # everything 2.5 times as slow
    assert quiet["p95_ms"] != busy["p95_ms"]
    assert quiet["p95_ratio_to_floor"] == busy["p95_ratio_to_floor"] == 3.0


def test_queries_are_the_same_at_every_scale_only_when_every_count_is_equal():
    assert same_queries_at_every_scale({"scale_1": 12, "scale_2": 12})
    assert not same_queries_at_every_scale({"scale_1": 12, "scale_2": 13})
    assert same_queries_at_every_scale({"scale_1": 12})  # one scale: nothing to differ from
