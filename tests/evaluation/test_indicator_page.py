"""The indicator page (chart, icons, figures, history) and the evaluators' SPC options."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils.html import escape

from evaluation import services
from evaluation.mdc import IMPROVEMENT_HIGH, Reading, read, variation_reading
from evaluation.models import Indicator, IndicatorSummary, Measurement, RebasePoint
from evaluation.spc import PointType, xmr
from evaluation.summaries import refresh
from evaluation.vocabulary import ETHNIC_GROUP
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    PlusGroupFactory,
    breakdown_group,
    imd,
    percentage_metric,
)
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db

APPROVED = Measurement.Status.APPROVED
STEADY = [100, 104, 98, 102, 101, 99, 103, 97, 100, 102, 98, 101]


def month(offset: int, start: datetime.date = datetime.date(2024, 1, 1)) -> datetime.date:
    number = start.year * 12 + start.month - 1 + offset
    return datetime.date(number // 12, number % 12 + 1, 1)


def add_series(indicator, values, *, status=APPROVED, start=0):
    return [
        MeasurementFactory(indicator=indicator, period=month(start + i), value=Decimal(value), status=status)
        for i, value in enumerate(values)
    ]


@pytest.fixture
def indicator(adoption):
    indicator = IndicatorFactory(adoption=adoption, target=Decimal("90"))
    add_series(indicator, STEADY)
    refresh([indicator.pk])
    return indicator


def page(client, user, indicator) -> str:
    client.force_login(user)
    response = client.get(indicator.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def chart_description(html: str) -> str:
    return re.search(r'<desc id="chart-desc">(.*?)</desc>', html, re.S).group(1)


def figures_table(html: str) -> str:
    return re.search(
        r'<table class="nhsuk-table">\s*<caption[^>]*id="figures-caption".*?</table>', html, re.S
    ).group(0)


# What the page shows


def test_the_page_shows_the_chart_with_a_text_alternative_the_icons_and_their_labels(
    client, owner, indicator
):
    html = page(client, owner, indicator)
    assert '<svg class="hp-xmr__svg" role="img" aria-labelledby="chart-title chart-desc"' in html
    assert '<title id="chart-title">XmR chart of People enrolled' in html
    description = chart_description(html)
    assert description.startswith("12 monthly figures from Jan 2024 to Dec 2024.")
    assert "Target 90: consistently passing" in description
    # Each icon is hidden from assistive technology; its visible label carries the meaning.
    assert "Common cause variation</span>" in html
    assert "Consistently passing the target</span>" in html
    assert 'aria-hidden="true"' in html
    # The key says what each shape means, so colour is never the only signal.
    assert 'aria-label="Key to the chart"' in html and "Special cause concern: lower values</li>" in html
    for label in ("RE-AIM dimension", "Direction of improvement", "Higher is better", "Data completeness"):
        assert label in html


def test_a_special_cause_point_shows_as_such_in_the_chart_and_the_table(client, owner, indicator):
    Indicator.objects.filter(pk=indicator.pk).update(baseline_length=12)
    MeasurementFactory(indicator=indicator, period=month(12), value=Decimal("150"), status=APPROVED)
    html = page(client, owner, indicator)
    assert "Special cause improvement: higher values</span>" in html
    table = figures_table(html)
    row = re.search(r"Jan 2025</th>(.*?)</tr>", table, re.S).group(1)
    assert "Special cause improvement: higher values (above the upper process limit)" in row
    assert (
        "(Jan 2025): special cause improvement: higher values (above the upper process limit)"
        in chart_description(html)
    )
    assert "1 of 13 points show special cause variation" in chart_description(html)


def test_submitted_figures_are_marked_in_the_chart_and_the_table(client, owner, indicator):
    MeasurementFactory(indicator=indicator, period=month(12), value=Decimal("103"))
    html = page(client, owner, indicator)
    assert "The chart includes figures that are submitted but not yet approved" in html
    assert "Hollow: submitted, not yet approved</li>" in html
    assert "Submitted (not yet approved)" in figures_table(html)
    assert "1 figure is submitted and not yet approved." in chart_description(html)


def test_another_hubs_member_sees_approved_figures_only(client, reader, indicator):
    MeasurementFactory(indicator=indicator, period=month(12), value=Decimal("777"))
    html = page(client, reader, indicator)
    assert "777" not in chart_description(html)
    assert "777" not in figures_table(html)
    assert "12 monthly figures" in chart_description(html)
    assert "not yet approved" not in html


def test_the_owner_and_evaluators_see_the_submitted_figure(client, owner, evaluator_user, indicator):
    MeasurementFactory(indicator=indicator, period=month(12), value=Decimal("777"))
    for user in (owner, evaluator_user):
        html = page(client, user, indicator)
        assert "Latest value 777 (Jan 2025, not yet approved)" in chart_description(html)


def test_returned_figures_stay_in_the_table_for_correction_but_leave_the_chart(client, owner, indicator):
    returned = MeasurementFactory(
        indicator=indicator, period=month(12), value=Decimal("5"), status="returned", review_note="Typo?"
    )
    html = page(client, owner, indicator)
    assert "12 monthly figures" in chart_description(html)
    assert "Not in the chart while it is being corrected" in html and "Returned: Typo?" in html
    assert reverse("evaluation:measurement_edit", args=[returned.pk]) in html


def breakdown_table(html: str, dimension: str) -> str:
    """A breakdown's table, as text: its caption, header and rows."""
    table = re.search(rf'id="breakdown-{dimension}-caption">(.*?</table>)', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", table).split())


def test_each_breakdown_has_a_table_of_its_own(client, owner, indicator):
    MeasurementFactory(
        indicator=indicator, period=month(11), group=imd(1), value=Decimal("31"), status=APPROVED
    )
    for code, count in (("white", "60"), ("asian", "22")):
        MeasurementFactory(
            indicator=indicator,
            period=month(11),
            group=breakdown_group(ETHNIC_GROUP, code),
            value=Decimal(count),
        )
    plus = PlusGroupFactory(hub=indicator.adoption.hub, label="People experiencing homelessness")
    MeasurementFactory(indicator=indicator, period=month(10), group=plus, value=Decimal("9"), status=APPROVED)
    html = page(client, owner, indicator)
    assert "31" not in figures_table(html)
    assert (
        breakdown_table(html, "imd") == "Figures by group: IMD quintile Month 1 (most deprived) Dec 2024 31"
    )
    # The groups with a figure, in the dimension's order; the figure not yet approved says so.
    assert breakdown_table(html, "ethnic-group").startswith(
        "Figures by group: Ethnic group Month Asian, Asian British or Asian Welsh White Dec 2024 22 (submitted)"
    )
    assert (
        breakdown_table(html, "plus")
        == "Figures by group: PLUS group Month People experiencing homelessness Nov 2024 9"
    )
    # The tables come in the dimensions' order: IMD, ethnic group, then the hub's PLUS groups.
    assert (
        html.index("breakdown-imd-caption")
        < html.index("breakdown-ethnic-group-caption")
        < html.index("breakdown-plus-caption")
    )


def test_another_hubs_staff_never_see_a_hubs_own_groups(client, reader, evaluator_user, indicator):
    plus = PlusGroupFactory(hub=indicator.adoption.hub, label="People experiencing homelessness")
    MeasurementFactory(indicator=indicator, period=month(10), group=plus, value=Decimal("9"), status=APPROVED)
    MeasurementFactory(
        indicator=indicator, period=month(10), group=imd(1), value=Decimal("40"), status=APPROVED
    )
    html = page(client, reader, indicator)
    assert "homelessness" not in html and "breakdown-plus-caption" not in html
    assert "breakdown-imd-caption" in html  # the national breakdowns, once approved, as ever
    assert "People experiencing homelessness" in page(client, evaluator_user, indicator)


def test_a_percentage_metric_is_charted_from_its_fractions(client, owner, adoption):
    indicator = IndicatorFactory(adoption=adoption, metric=percentage_metric(), target=Decimal("70"))
    for i in range(3):
        MeasurementFactory(
            indicator=indicator, period=month(i), value=None, numerator=60 + i, denominator=100
        )
    html = page(client, owner, indicator)
    assert "Latest value 62% (Mar 2024, not yet approved)" in chart_description(html)
    assert "62.0% (62/100)" in figures_table(html)


def test_an_indicator_without_figures_says_so(client, owner, adoption):
    html = page(client, owner, IndicatorFactory(adoption=adoption))
    assert "No figures you can see yet" in html
    assert "Too few figures (0 of 12)" in html and "No target to assess" not in html
    assert "12 more months of figures are needed before process limits are shown" in html
    assert '<svg class="hp-xmr__svg"' not in html


def test_only_evaluators_are_offered_the_spc_options(client, owner, evaluator_user, indicator):
    option_link = reverse("evaluation:rebase_add", args=[indicator.pk])
    assert option_link not in page(client, owner, indicator)
    assert option_link in page(client, evaluator_user, indicator)


def test_the_page_takes_a_fixed_number_of_queries(
    client, evaluator_user, indicator, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(evaluator_user)
    url = indicator.get_absolute_url()
    warm_todo_count(client)
    # 15 with the header's notification count, the page's data-quality flags, and the events
    # marked on the chart (stage moves, notes: one query each).
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    add_series(indicator, [100] * 12, start=12)
    add_series(indicator, [20] * 12, start=24)
    MeasurementFactory(indicator=indicator, period=month(5), group=imd(2), value=Decimal("3"))
    services.rebase_add(indicator=indicator, period=month(12), reason="New pathway", by=evaluator_user)
    services.rebase_add(indicator=indicator, period=month(24), reason="New team", by=evaluator_user)
    services.indicator_set_baseline(indicator=indicator, baseline_length=6, by=evaluator_user)
    with django_assert_num_queries(len(few.captured_queries)):
        assert "Rebase 2" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("variation", "improvement", "letter", "label"),
    [
        ("common_cause", "increase", "", "Common cause variation"),
        ("special_cause_improvement", "increase", "H", "Special cause improvement: higher values"),
        ("special_cause_improvement", "decrease", "L", "Special cause improvement: lower values"),
        ("special_cause_concern", "increase", "L", "Special cause concern: lower values"),
        ("special_cause_concern", "decrease", "H", "Special cause concern: higher values"),
        ("special_cause_neutral_low", "neutral", "L", "Special cause variation, lower values"),
        ("", "increase", "", "Too few figures (0 of 12)"),
    ],
)
def test_the_variation_icon_picks_the_variant_and_labels_it(variation, improvement, letter, label):
    points = 12 if variation else 0
    reading = Reading(variation_reading(variation, improvement), None, points, 12)
    html = Template("{% load mdc %}{% variation_of reading %}").render(Context({"reading": reading}))
    assert label in html
    assert "stroke-dasharray" not in html  # a variation icon has no target line
    if letter:
        assert f">{letter}</text>" in html and 'aria-hidden="true"' in html


def test_a_variation_icon_cannot_be_drawn_without_its_metrics_direction():
    # No tag takes a chart's variation: only a Reading, which mdc.read makes with the direction.
    with pytest.raises(TemplateSyntaxError):
        Template("{% load mdc %}{% variation_icon variation improvement %}")
    with pytest.raises(ValueError, match="direction of improvement"):
        variation_reading("special_cause_improvement", "")
    with pytest.raises(TypeError):
        read(xmr([1, 2, 3]), min_points=2)  # type: ignore[call-arg]


# Evaluators set the baseline and the rebase points


def test_an_evaluator_sets_the_baseline_and_the_history_says_who_and_why(client, evaluator_user, indicator):
    client.force_login(evaluator_user)
    url = reverse("evaluation:indicator_baseline", args=[indicator.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"baseline_length": "6", "reason": "Stable before go-live"})
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.baseline_length == 6
    record = indicator.history.latest()
    assert (record.history_user, record.history_change_reason) == (evaluator_user, "Stable before go-live")

    html = page(client, evaluator_user, indicator)
    assert "The first 6 months of each group set the mean and process limits" in html
    assert "Baseline changed to the first 6 months of each group" in html
    assert "Stable before go-live" in html

    client.post(url, {"baseline_length": "", "reason": ""})
    indicator.refresh_from_db()
    assert indicator.baseline_length is None


def test_an_evaluator_adds_and_removes_a_rebase_with_reasons(client, evaluator_user, indicator):
    client.force_login(evaluator_user)
    add_url = reverse("evaluation:rebase_add", args=[indicator.pk])
    assert f'value="{month(6).isoformat()}"' in client.get(add_url).content.decode()
    add_series(indicator, [140, 142, 139, 141, 143, 138], start=12)

    response = client.post(add_url, {"period": month(12).isoformat(), "reason": "Second clinic opened"})
    assert response.status_code == 302
    rebase = RebasePoint.objects.get(indicator=indicator)
    assert (rebase.period, rebase.reason, rebase.created_by) == (
        month(12),
        "Second clinic opened",
        evaluator_user,
    )
    # The new group is read on its own, and its 6 figures are too few for limits of their own:
    # the minimum is counted since the rebase, not over the 18 figures before and after it.
    summary = IndicatorSummary.objects.get(indicator=indicator)
    assert (summary.variation, summary.reading.label) == ("", "Too few figures (6 of 12)")
    html = page(client, evaluator_user, indicator)
    assert "Rebase added from Jan 2025" in html and "Second clinic opened" in html
    assert "Rebased once; the current median starts in Jan 2025 (Second clinic opened)." in chart_description(
        html
    )
    assert "6 more months of figures are needed before process limits are shown" in html
    assert "from 12 monthly figures since the latest rebase; this indicator has 6 since Jan 2025" in html

    remove_url = reverse("evaluation:rebase_remove", args=[rebase.pk])
    assert client.get(remove_url).status_code == 200
    response = client.post(remove_url, {"reason": "Clinic opening was delayed"})
    assert response.status_code == 302
    assert not RebasePoint.objects.filter(pk=rebase.pk).exists()
    removal = RebasePoint.history.filter(id=rebase.pk, history_type="-").get()
    assert (removal.history_user, removal.history_change_reason) == (
        evaluator_user,
        "Clinic opening was delayed",
    )
    assert removal.reason == "Second clinic opened"  # what was entered is kept
    assert IndicatorSummary.objects.get(indicator=indicator).variation == IMPROVEMENT_HIGH
    html = page(client, evaluator_user, indicator)
    assert "Rebase from Jan 2025 removed" in html and "Clinic opening was delayed" in html


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"period": "", "reason": "x"}, "Choose the month the new limits start from."),
        ({"period": month(3).isoformat(), "reason": "  "}, "Enter a reason for the rebase."),
        ({"period": month(40).isoformat(), "reason": "x"}, "Choose one of the indicator&#x27;s months."),
        ({"period": month(6).isoformat(), "reason": "Again"}, "There is already a rebase at this month."),
    ],
)
def test_a_bad_rebase_shows_why_and_saves_nothing(client, evaluator_user, indicator, form, message):
    services.rebase_add(indicator=indicator, period=month(6), reason="First", by=evaluator_user)
    client.force_login(evaluator_user)
    response = client.post(reverse("evaluation:rebase_add", args=[indicator.pk]), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(message) == 2  # in the error summary and beside the field
    assert "<title>Error: " in html
    assert RebasePoint.objects.filter(indicator=indicator).count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1", "A baseline needs at least 2 months."),
        ("six", "Enter the baseline as a whole number of months."),
    ],
)
def test_a_bad_baseline_shows_why_and_saves_nothing(client, evaluator_user, indicator, value, message):
    client.force_login(evaluator_user)
    response = client.post(
        reverse("evaluation:indicator_baseline", args=[indicator.pk]), {"baseline_length": value}
    )
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.baseline_length is None
    assert indicator.history.count() == 1


def test_removing_a_rebase_needs_a_reason(client, evaluator_user, indicator):
    rebase = services.rebase_add(indicator=indicator, period=month(6), reason="First", by=evaluator_user)
    client.force_login(evaluator_user)
    response = client.post(reverse("evaluation:rebase_remove", args=[rebase.pk]), {"reason": ""})
    assert "Enter a reason for removing the rebase." in response.content.decode()
    assert RebasePoint.objects.filter(pk=rebase.pk).exists()


def test_hub_staff_cannot_change_the_spc_options(client, owner, reader, evaluator_user, indicator):
    rebase = services.rebase_add(indicator=indicator, period=month(6), reason="First", by=evaluator_user)
    posts = [
        (reverse("evaluation:indicator_baseline", args=[indicator.pk]), {"baseline_length": "4"}),
        (
            reverse("evaluation:rebase_add", args=[indicator.pk]),
            {"period": month(3).isoformat(), "reason": "x"},
        ),
        (reverse("evaluation:rebase_remove", args=[rebase.pk]), {"reason": "x"}),
    ]
    for user in (owner, reader):
        client.force_login(user)
        for url, data in posts:
            assert client.get(url).status_code == 403
            assert client.post(url, data).status_code == 403
    indicator.refresh_from_db()
    assert indicator.baseline_length is None
    assert list(RebasePoint.objects.values_list("pk", flat=True)) == [rebase.pk]


def test_unknown_indicators_and_rebases_are_404_for_evaluators(client, evaluator_user):
    client.force_login(evaluator_user)
    for name in ("indicator_baseline", "rebase_add", "rebase_remove"):
        assert client.get(reverse(f"evaluation:{name}", args=[999999])).status_code == 404


# The services, directly


def test_the_services_refuse_anyone_but_an_evaluator(owner, indicator):
    with pytest.raises(PermissionDenied):
        services.indicator_set_baseline(indicator=indicator, baseline_length=4, by=owner)
    with pytest.raises(PermissionDenied):
        services.rebase_add(indicator=indicator, period=month(3), reason="x", by=owner)
    assert Indicator.objects.get(pk=indicator.pk).baseline_length is None


def test_the_baseline_refreshes_the_summary(evaluator_user, indicator):
    # 111 is within limits set by all 13 months, but above those of the first 12.
    MeasurementFactory(indicator=indicator, period=month(12), value=Decimal("111"), status=APPROVED)
    refresh([indicator.pk])
    assert IndicatorSummary.objects.get(indicator=indicator).variation == PointType.COMMON_CAUSE
    services.indicator_set_baseline(indicator=indicator, baseline_length=12, by=evaluator_user)
    assert IndicatorSummary.objects.get(indicator=indicator).variation == IMPROVEMENT_HIGH
