"""Data-quality flags: found on hand-made series, kept up to date on every save, explained and checked."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.concurrency import EditConflict
from core.months import add_months
from evaluation import flags, measurements, services, uploads
from evaluation.charts import format_number
from evaluation.flags import Dimension, GroupSum, Series, Total, detect
from evaluation.measurements import ProposedFigure
from evaluation.models import DataQualityFlag, Indicator, Measurement, MeasurementUpload, Metric
from evaluation.spc import xmr
from hubs.models import Hub, Programme
from innovations.models import Adoption
from tests.factories import (
    AdoptionFactory,
    IndicatorFactory,
    MeasurementFactory,
    MetricFactory,
    evaluator,
    imd,
    percentage_metric,
)

Kind = DataQualityFlag.Kind
START = datetime.date(2023, 1, 1)
# Ups and downs of different sizes: no limit crossed, no unusual change, no repeat, no gap.
CLEAN = [100, 104, 99, 103, 98, 102, 101, 97, 103, 100, 96, 101]
SPIKED = [*CLEAN, 130]  # the last month alone is above the upper limit


def in_programme(min_points: int = 12) -> Adoption:
    """An adoption of a hub whose programme shows limits from ``min_points`` figures."""
    return Adoption(hub=Hub(programme=Programme(min_points_for_limits=min_points)))


def count_indicator(min_points: int = 12, **kwargs) -> Indicator:
    return Indicator(
        metric=Metric(kind=Metric.Kind.COUNT, unit="people"), adoption=in_programme(min_points), **kwargs
    )


def share_indicator() -> Indicator:
    return Indicator(metric=Metric(kind=Metric.Kind.PERCENTAGE, unit="%"), adoption=in_programme())


def month(index: int) -> datetime.date:
    return add_months(START, index)


def counts(values, status="approved") -> list[Total]:
    """Monthly totals from START, one a month; None leaves a month out."""
    return [
        Total(month(i), Decimal(value), None, None, status)
        for i, value in enumerate(values)
        if value is not None
    ]


def fractions(pairs) -> list[Total]:
    return [Total(month(i), None, n, d, "approved") for i, (n, d) in enumerate(pairs)]


# What detection reads of a breakdown dimension: whether its groups split people, and how many there are.
IMD = Dimension(1, "IMD quintile", partitions=True, groups=5)
ETHNIC = Dimension(2, "Ethnic group", partitions=True, groups=5)
SEX = Dimension(3, "Sex", partitions=True, groups=2)
PLUS = Dimension(4, "PLUS group", partitions=False, groups=0)


def quintile_sums(by_month: dict) -> dict:
    """IMD quintile sums by month, as ``Series.groups`` holds them."""
    return {period: {IMD: split} for period, split in by_month.items()}


def found(indicator, totals, groups=None, rebases=()):
    return detect(indicator, Series(totals, groups or {}), rebases)


def kinds_by_month(flags_found) -> dict:
    result: dict = {}
    for flag in flags_found:
        result.setdefault(flag.period, set()).add(flag.kind)
    return result


# Detection, on hand-made series ------------------------------------------------------------------


def test_a_clean_series_raises_no_flag():
    assert found(count_indicator(), counts(CLEAN)) == []


def test_a_clean_percentage_with_quintiles_that_add_up_raises_no_flag():
    pairs = [(value, 200 + i % 3) for i, value in enumerate(CLEAN)]
    quintiles = quintile_sums({month(0): GroupSum(5, None, pairs[0][0], pairs[0][1])})
    assert found(share_indicator(), fractions(pairs), quintiles) == []


def test_a_month_above_the_upper_limit_is_flagged_with_the_charts_own_limit():
    values = [*CLEAN, 140]
    chart = xmr(values)
    flag = next(f for f in found(count_indicator(), counts(values)) if f.kind == Kind.OUTSIDE_LIMITS)
    assert flag.period == month(12)
    assert flag.detail == f"140 is above the upper process limit ({format_number(chart.points[-1].upl, 2)})."


def test_a_run_chart_has_no_limits_to_be_outside_of_until_the_programmes_minimum():
    short = [*CLEAN[:7], 140]  # eight figures: a run chart under the default minimum of 12
    assert Kind.OUTSIDE_LIMITS not in {f.kind for f in found(count_indicator(), counts(short))}
    flagged = found(count_indicator(min_points=8), counts(short))
    assert [f.period for f in flagged if f.kind == Kind.OUTSIDE_LIMITS] == [month(7)]


def test_a_month_below_the_lower_limit_is_flagged():
    flag = next(f for f in found(count_indicator(), counts([*CLEAN, 60])) if f.kind == Kind.OUTSIDE_LIMITS)
    assert flag.period == month(12)
    assert "60 is below the lower process limit" in flag.detail


def test_the_limits_follow_the_indicators_rebase_points_and_baseline():
    # The process moved up to ~200 from month 12: against the old limits every new month is outside.
    values = [*CLEAN, *(v + 100 for v in CLEAN)]
    shifted = counts(values)
    outside = {f.period for f in found(count_indicator(), shifted) if f.kind == Kind.OUTSIDE_LIMITS}
    assert outside  # judged as one process, the shift is outside the limits
    rebased = found(count_indicator(), shifted, rebases=[month(12)])
    assert not [f for f in rebased if f.kind == Kind.OUTSIDE_LIMITS]
    # A baseline of the first 12 months: every later month is beyond their limits.
    baselined = found(count_indicator(baseline_length=12), shifted)
    assert {f.period for f in baselined if f.kind == Kind.OUTSIDE_LIMITS} == {month(i) for i in range(12, 24)}


def test_an_unusual_jump_is_flagged_with_its_modified_z_score():
    values = [
        100,
        104,
        99,
        103,
        98,
        102,
        101,
        97,
        125,
        121,
        117,
        122,
    ]  # +22 in month 8, then back to ups and downs
    jumps = [f for f in found(count_indicator(), counts(values)) if f.kind == Kind.UNUSUAL_JUMP]
    assert [f.period for f in jumps] == [month(8)]
    assert jumps[0].detail.startswith("A rise of 28 from August 2023 (97 to 125), where the usual change is")
    assert "modified z-score" in jumps[0].detail


def test_no_jump_is_flagged_on_too_short_a_history_or_when_changes_barely_vary():
    short = [f for f in found(count_indicator(), counts([100, 101, 100, 150])) if f.kind == Kind.UNUSUAL_JUMP]
    assert short == []
    steady = [100, 101, 102, 103, 104, 105, 106, 140]  # six changes of +1: no spread (MAD 0) to judge by
    assert [f for f in found(count_indicator(), counts(steady)) if f.kind == Kind.UNUSUAL_JUMP] == []


def test_a_figure_repeated_four_months_running_is_flagged_from_the_fourth():
    values = [100, 104, 99, 50, 50, 50, 50, 50, 103, 7, 7, 7]  # five 50s, then only three 7s
    same = [f for f in found(count_indicator(), counts(values)) if f.kind == Kind.SAME_VALUE]
    assert [f.period for f in same] == [month(6), month(7)]
    assert same[0].detail == "The same figure, 50, 4 months running (since April 2023)."
    assert same[1].detail == "The same figure, 50, 5 months running (since April 2023)."


def test_a_repeat_broken_by_a_missing_month_is_not_a_run():
    values = [50, 50, None, 50, 50]
    assert [f for f in found(count_indicator(), counts(values)) if f.kind == Kind.SAME_VALUE] == []


def test_a_denominator_changing_by_more_than_half_is_flagged_up_and_down():
    pairs = [(100, 200), (110, 300), (100, 150), (120, 400), (150, 390), (60, 150)]
    changes = [f for f in found(share_indicator(), fractions(pairs)) if f.kind == Kind.DENOMINATOR_CHANGE]
    # 200 → 300 is exactly +50% and 300 → 150 exactly −50%: not flagged; 150 → 400 and 390 → 150 are.
    assert [f.period for f in changes] == [month(3), month(5)]
    assert changes[0].detail == "The denominator went from 150 in March 2023 to 400 (up 167%)."
    assert changes[1].detail == "The denominator went from 390 in May 2023 to 150 (down 62%)."


def test_quintiles_adding_up_to_more_than_the_total_or_all_five_to_under_nine_tenths_are_flagged():
    totals = counts([100, 100, 100, 100, 100])
    quintiles = quintile_sums(
        {
            month(0): GroupSum(4, Decimal(110)),  # four given, more than the total
            month(1): GroupSum(5, Decimal(85)),  # all five, far short of the total
            month(2): GroupSum(5, Decimal(100)),  # all five, exactly the total
            month(3): GroupSum(3, Decimal(60)),  # three given, within the total
            month(4): GroupSum(5, Decimal(97)),  # all five, 3 people with no known quintile
        }
    )
    flagged = [
        f for f in found(count_indicator(), totals, quintiles) if f.kind == Kind.BREAKDOWN_NOT_ADDING_UP
    ]
    assert [f.period for f in flagged] == [month(0), month(1)]
    assert (
        flagged[0].detail
        == "IMD quintile: the counts of the 4 groups given add up to 110, more than the total (100)."
    )
    assert (
        flagged[1].detail
        == "IMD quintile: the counts of all 5 groups add up to 85, under nine tenths of the total (100)."
    )


def test_each_dimension_is_added_up_on_its_own_and_named_in_the_months_one_flag():
    totals = counts([100, 100, 100])
    groups = {
        # The quintiles add up; the ethnic groups come to more than everyone; sex to far less.
        month(0): {IMD: GroupSum(5, Decimal(100)), ETHNIC: GroupSum(5, Decimal(120)), SEX: GroupSum(2, Decimal(60))},
        # Every dimension adds up.
        month(1): {IMD: GroupSum(5, Decimal(98)), ETHNIC: GroupSum(4, Decimal(95)), SEX: GroupSum(2, Decimal(100))},
        # PLUS groups may overlap and leave most people out: never added up, whatever they come to.
        month(2): {PLUS: GroupSum(3, Decimal(250))},
    }  # fmt: skip
    flagged = [f for f in found(count_indicator(), totals, groups) if f.kind == Kind.BREAKDOWN_NOT_ADDING_UP]
    assert [f.period for f in flagged] == [month(0)]
    assert flagged[0].detail == (
        "Ethnic group: the counts of all 5 groups add up to 120, more than the total (100); "
        "Sex: the counts of both groups add up to 60, under nine tenths of the total (100)."
    )


def test_a_percentages_quintile_numerators_and_denominators_are_both_compared():
    quintiles = quintile_sums({month(0): GroupSum(5, None, 40, 220)})
    flag = found(share_indicator(), fractions([(40, 200)]), quintiles)[0]
    assert flag.kind == Kind.BREAKDOWN_NOT_ADDING_UP
    assert (
        flag.detail
        == "IMD quintile: the denominators of all 5 groups add up to 220, more than the total (200)."
    )


def test_months_missing_between_given_months_are_each_flagged():
    values = [100, 101, None, 99, None, None, 102]
    missing = [f for f in found(count_indicator(), counts(values)) if f.kind == Kind.MONTH_MISSING]
    assert [f.period for f in missing] == [month(2), month(4), month(5)]
    assert (
        missing[0].detail == "No figure for all people in March 2023, between February 2023 and April 2023."
    )


def test_a_returned_total_is_left_out_of_the_chart_but_is_not_a_missing_month():
    totals = counts([100, 101, 99])
    totals[1] = Total(month(1), Decimal(500), None, None, "returned")
    assert found(count_indicator(), totals) == []


# Stored flags, kept up to date by the measurement service ----------------------------------------


@pytest.fixture
def indicator(adoption):
    return Indicator.objects.select_related("metric", "adoption").get(
        pk=IndicatorFactory(adoption=adoption).pk
    )


def months_back(count: int) -> list[datetime.date]:
    last = add_months(datetime.date.today().replace(day=1), -1)
    return [add_months(last, -i) for i in reversed(range(count))]


def save(indicator, values, by, periods=None):
    periods = periods or months_back(len(values))
    figures = [
        ProposedFigure(indicator, period, None, Decimal(value))
        for period, value in zip(periods, values, strict=True)
        if value is not None
    ]
    return measurements.measurements_save(figures, by=by)


def active(indicator) -> dict:
    return {(f.period, f.kind): f for f in DataQualityFlag.objects.filter(indicator=indicator, active=True)}


def test_a_flagged_figure_is_saved_all_the_same_and_its_flag_stored(indicator, owner):
    outcomes = save(indicator, SPIKED, owner)
    assert [o.status for o in outcomes] == ["new"] * 13  # a flag never refuses a figure
    assert Measurement.objects.filter(indicator=indicator).count() == 13
    last = months_back(13)[-1]
    assert (last, Kind.OUTSIDE_LIMITS) in active(indicator)


def test_a_clean_series_stores_no_flag(indicator, owner):
    save(indicator, CLEAN, owner)
    assert not DataQualityFlag.objects.filter(indicator=indicator).exists()


def test_a_flag_that_goes_away_keeps_its_explanation_and_check_and_comes_back_with_them(
    indicator, owner, evaluator_user
):
    periods = months_back(13)
    save(indicator, SPIKED, owner, periods)
    flag = active(indicator)[periods[-1], Kind.OUTSIDE_LIMITS]
    flag = flags.flag_explain(flag=flag, by=owner, version=flag.version, explanation="A new clinic opened.")
    flag = flags.flag_check(flag=flag, by=evaluator_user, version=flag.version)

    save(indicator, [101], owner, periods[-1:])  # corrected: no longer outside the limits
    flag.refresh_from_db()
    assert not flag.active
    assert (flag.explanation, flag.explained_by, flag.checked_by) == (
        "A new clinic opened.",
        owner,
        evaluator_user,
    )

    save(indicator, [130], owner, periods[-1:])  # back again
    flag.refresh_from_db()
    assert flag.active
    assert (flag.explanation, flag.checked_by) == ("A new clinic opened.", evaluator_user)
    assert DataQualityFlag.objects.filter(indicator=indicator, kind=Kind.OUTSIDE_LIMITS).count() == 1
    assert [h.active for h in flag.history.order_by("history_date", "history_id")][:3] == [True, True, True]
    assert list(flag.history.order_by("history_id").values_list("active", flat=True))[-2:] == [False, True]


def test_a_rebase_moves_the_limits_and_the_flags_with_them(indicator, owner, evaluator_user):
    periods = months_back(24)
    save(indicator, [*CLEAN, *(v + 100 for v in CLEAN)], owner, periods)
    assert any(kind == Kind.OUTSIDE_LIMITS for _, kind in active(indicator))
    services.rebase_add(
        indicator=indicator, period=periods[12], reason="A second clinic opened.", by=evaluator_user
    )
    assert not any(kind == Kind.OUTSIDE_LIMITS for _, kind in active(indicator))


def test_refresh_takes_the_same_number_of_queries_however_many_months(adoption, owner):
    short = [IndicatorFactory(adoption=adoption, metric=MetricFactory(code=f"short-{i}")) for i in range(2)]
    other = AdoptionFactory(hub=adoption.hub, started_on=datetime.date(2015, 1, 1))
    long = [IndicatorFactory(adoption=other, metric=MetricFactory(code=f"long-{i}")) for i in range(2)]
    for indicators, count in ((short, 3), (long, 40)):
        for indicator in indicators:
            for i, period in enumerate(months_back(count)):
                if i != 1:  # a missing month: one flag each
                    MeasurementFactory(indicator=indicator, period=period, value=100 + (i * 7) % 11)
                    MeasurementFactory(indicator=indicator, period=period, group=imd(1), value=200)

    def queries(indicators) -> int:
        with CaptureQueriesContext(connection) as captured:
            flags.flags_refresh([indicator.pk for indicator in indicators])
        return len(captured)

    assert DataQualityFlag.objects.count() == 0
    assert queries(short) == queries(long)  # every kind raised, once each time
    assert DataQualityFlag.objects.filter(indicator__in=long, kind=Kind.BREAKDOWN_NOT_ADDING_UP).count() == 78
    assert queries(short) == queries(long)  # nothing changed: no writes at all


# Explaining and checking -------------------------------------------------------------------------


@pytest.fixture
def flag(indicator, owner):
    save(indicator, SPIKED, owner, months_back(13))
    return DataQualityFlag.objects.get(indicator=indicator, kind=Kind.OUTSIDE_LIMITS)


def test_hub_staff_explain_a_flag_and_the_evaluator_sees_it_and_marks_it_checked(
    client, flag, owner, evaluator_user
):
    client.force_login(owner)
    grid = reverse("evaluation:figures_grid", args=[flag.indicator.adoption_id, f"{flag.period:%Y-%m}"])
    page = client.get(grid).content.decode()
    assert "Outside the process limits." in page and flag.detail in page
    explain = reverse("evaluation:flag_explain", args=[flag.pk])
    assert explain in page
    response = client.post(
        explain, {"explanation": "A new clinic opened.", "version": flag.version, "next": grid}
    )
    assert response.status_code == 302 and response["Location"] == grid
    assert "A new clinic opened." in client.get(grid).content.decode()

    client.force_login(evaluator_user)
    review = reverse("evaluation:review_month", args=[flag.indicator_id, f"{flag.period:%Y-%m}"])
    page = client.get(review).content.decode()
    assert flag.detail in page and "A new clinic opened." in page and "Mark as checked" in page
    flag.refresh_from_db()
    response = client.post(reverse("evaluation:flag_check", args=[flag.pk]), {"version": flag.version})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.checked_by == evaluator_user
    check = reverse("evaluation:flag_check", args=[flag.pk])
    assert check not in client.get(review).content.decode()  # the flag's button is gone: it is checked
    assert [h.history_change_reason for h in flag.history.order_by("-history_date")[:2]] == [
        "Checked",
        "Explained",
    ]


def test_another_hubs_member_cannot_see_a_flag_nor_its_explanation(client, flag, owner, reader):
    flags.flag_explain(flag=flag, by=owner, version=flag.version, explanation="A new clinic opened.")
    client.force_login(reader)
    assert client.get(reverse("evaluation:flag_explain", args=[flag.pk])).status_code == 404
    assert client.post(reverse("evaluation:flag_check", args=[flag.pk]), {"version": 2}).status_code == 404
    page = client.get(reverse("evaluation:indicator", args=[flag.indicator_id])).content.decode()
    assert "A new clinic opened." not in page and flag.detail not in page
    assert not DataQualityFlag.objects.for_user(reader).exists()
    with pytest.raises(PermissionDenied):
        flags.flag_explain(flag=flag, by=reader, version=2, explanation="Not mine.")


def test_a_hub_member_cannot_mark_a_flag_checked_and_an_evaluator_cannot_explain_it(
    client, flag, owner, evaluator_user
):
    client.force_login(owner)
    assert client.post(reverse("evaluation:flag_check", args=[flag.pk]), {"version": 1}).status_code == 403
    with pytest.raises(PermissionDenied):
        flags.flag_check(flag=flag, by=owner, version=flag.version)
    client.force_login(evaluator_user)
    assert client.get(reverse("evaluation:flag_explain", args=[flag.pk])).status_code == 403
    flag.refresh_from_db()
    assert flag.checked_at is None and flag.explanation == ""


def test_the_indicator_page_lists_active_flags_to_the_hub_and_evaluators(client, flag, owner, evaluator_user):
    url = reverse("evaluation:indicator", args=[flag.indicator_id])
    for user in (owner, evaluator_user):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "Data-quality flags" in page and flag.detail in page


def test_an_explanation_is_refused_when_the_flag_changed_since_it_was_opened(flag, owner, evaluator_user):
    opened = flag.version
    flags.flag_check(flag=flag, by=evaluator_user, version=opened)
    with pytest.raises(EditConflict):
        flags.flag_explain(flag=flag, by=owner, version=opened, explanation="Seen too late.")


def test_an_explanation_is_bounded_and_a_changed_one_asks_for_a_new_check(
    client, flag, owner, evaluator_user
):
    client.force_login(owner)
    url = reverse("evaluation:flag_explain", args=[flag.pk])
    page = client.post(url, {"explanation": "x" * 2001, "version": flag.version}).content.decode()
    assert "The explanation must be 2,000 characters or fewer." in page
    assert "There is a problem" in page
    flag = flags.flag_explain(flag=flag, by=owner, version=flag.version, explanation="First reason.")
    flag = flags.flag_check(flag=flag, by=evaluator_user, version=flag.version)
    flag = flags.flag_explain(flag=flag, by=owner, version=flag.version, explanation="A better reason.")
    assert flag.checked_at is None


def test_flags_for_and_counts_by_hub_month(flag, indicator, hub):
    by_month = flags.flags_for([indicator.pk], [flag.period])
    kinds = [f.kind for f in by_month[indicator.pk, flag.period]]
    assert kinds == [Kind.OUTSIDE_LIMITS, Kind.UNUSUAL_JUMP]  # 130 is also a jump from 101
    assert flags.flag_counts_by_hub_month(hub_ids=[hub.pk]) == {(hub.pk, flag.period): 2}
    assert flags.flag_counts_by_hub_month(periods=[add_months(flag.period, -1)]) == {}


# The upload preview -------------------------------------------------------------------------------


def test_the_upload_preview_lists_the_flags_the_files_figures_would_raise(client, indicator, owner):
    periods = months_back(13)
    save(indicator, CLEAN, owner, periods[:12])
    lines = ["metric,month,imd_quintile,value", f"{indicator.metric.code},{periods[-1]:%Y-%m},,130"]
    lines.append(f"{indicator.metric.code},{periods[-1]:%Y-%m},1,100")
    lines.append(f"{indicator.metric.code},{periods[-1]:%Y-%m},2,100")
    upload = uploads.upload_receive(
        adoption=indicator.adoption, file_name="f.csv", content="\n".join(lines).encode(), by=owner
    )
    upload.refresh_from_db()
    assert upload.status == MeasurementUpload.Status.CHECKED
    listed = {(row["month"], row["kind"]) for row in upload.counts["flags"]["listed"]}
    month_name = f"{periods[-1]:%B %Y}"
    assert (month_name, "Outside the process limits") in listed
    assert (month_name, "A breakdown's groups do not add up to the total") in listed
    assert all(
        row["month"] == month_name for row in upload.counts["flags"]["listed"]
    )  # the file's month only
    assert not DataQualityFlag.objects.exists()  # nothing stored before the import
    client.force_login(owner)
    page = client.get(upload.get_absolute_url()).content.decode()
    assert "Figures worth a second look" in page and "is above the upper process limit" in page


def test_a_percentage_file_is_judged_against_the_saved_quintiles(adoption, owner):
    share = Indicator.objects.select_related("metric", "adoption").get(
        pk=IndicatorFactory(adoption=adoption, metric=percentage_metric()).pk
    )
    period = months_back(1)[0]
    MeasurementFactory(indicator=share, period=period, value=None, numerator=50, denominator=100)
    MeasurementFactory(indicator=share, period=period, group=imd(1), value=None, numerator=30, denominator=60)
    # Quintile 2 makes the denominators 60 + 50 = 110, more than the total's 100.
    figure = ProposedFigure(share, period, imd(2), None, 20, 50)
    found_now = flags.flags_for_figures([(figure, None)])
    assert [f.found.kind for f in found_now] == [Kind.BREAKDOWN_NOT_ADDING_UP]
    assert "add up to 110, more than the total (100)" in found_now[0].found.detail
    # Replacing quintile 1 (60) with 40 keeps them within it.
    existing = Measurement.objects.get(indicator=share, group=imd(1))
    replace = ProposedFigure(share, period, imd(1), None, 20, 40)
    assert flags.flags_for_figures([(figure, None), (replace, existing)]) == []


def test_an_evaluator_who_may_see_every_hub_sees_a_flag_and_an_ahsn_admin_does_not(flag, admin_user_ahsn):
    assert DataQualityFlag.objects.for_user(evaluator(username="other-evaluator")).filter(pk=flag.pk).exists()
    assert not DataQualityFlag.objects.for_user(admin_user_ahsn).exists()
