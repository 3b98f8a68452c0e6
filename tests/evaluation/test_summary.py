"""The cross-hub summary: one row per indicator, filters, sorting, pages, CSV, access and query counts."""

import csv
import datetime
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from evaluation import mdc, summaries
from evaluation.charts import long_month
from evaluation.measurements import measurement_submit
from evaluation.models import IndicatorSummary, Measurement, Metric
from evaluation.spc import Assurance
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    InnovationFactory,
    MeasurementFactory,
    MetricFactory,
    last_month,
    member_of,
    percentage_metric,
)

pytestmark = pytest.mark.django_db

STEADY = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100]
FALLING_AWAY = [*STEADY, 60]  # an "increase" metric far below its lower limit: a concern


def months_back(count: int) -> list[datetime.date]:
    """The last ``count`` complete months, oldest first."""
    months = [last_month()]
    for _ in range(count - 1):
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return months[::-1]


def indicator_with(
    values, *, adoption=None, metric=None, status=Measurement.Status.APPROVED, gap_at_end=0, **kwargs
):
    """An indicator with these monthly figures, ending ``gap_at_end`` months before last month."""
    indicator = IndicatorFactory(
        adoption=adoption or AdoptionFactory(), metric=metric or MetricFactory(), **kwargs
    )
    periods = months_back(len(values) + gap_at_end)[: len(values)]
    for period, value in zip(periods, values, strict=True):
        MeasurementFactory(indicator=indicator, period=period, value=Decimal(value), status=status)
    summaries.refresh([indicator.pk])
    return indicator


def rows(response) -> list[IndicatorSummary]:
    return list(response.context["page"])


def test_each_indicator_shows_its_latest_figure_signal_and_completeness(client, evaluator_user):
    hub = HubFactory(name="Dorset")
    adoption = AdoptionFactory(hub=hub, innovation=InnovationFactory(name="BP@home"))
    indicator = indicator_with(FALLING_AWAY, adoption=adoption, target=Decimal("95"))
    client.force_login(evaluator_user)
    response = client.get(reverse("evaluation:summary"))
    [summary] = rows(response)
    assert summary.indicator == indicator
    assert (summary.latest_period, summary.latest_value) == (last_month(), 60.0)
    assert summary.variation == mdc.CONCERN_LOW  # stored with its direction
    assert summary.assurance == Assurance.INCONSISTENT
    assert summary.completeness == round(100 * 13 / summary.months_due)
    html = response.content.decode()
    for text in ("Dorset", "BP@home", "People enrolled", "Reach", "Special cause concern: lower values"):
        assert text in html


def test_filters_by_hub_innovation_dimension_and_signal(client, evaluator_user):
    concern = indicator_with(FALLING_AWAY)
    steady = indicator_with(STEADY)
    effectiveness = indicator_with(
        STEADY,
        metric=MetricFactory(code="admissions", name="Admissions", dimension=Metric.Dimension.EFFECTIVENESS),
    )
    client.force_login(evaluator_user)
    url = reverse("evaluation:summary")

    def shown(**params):
        return {s.indicator for s in rows(client.get(url, params))}

    assert shown() == {concern, steady, effectiveness}
    assert shown(signal="concern") == {concern}
    assert shown(signal="common") == {steady, effectiveness}
    assert shown(dimension="effectiveness") == {effectiveness}
    assert shown(hub=steady.adoption.hub_id) == {steady}
    assert shown(innovation=concern.adoption.innovation.name.upper()) == {concern}


def test_sorting_and_pages(client, evaluator_user):
    for number in range(55):
        indicator_with([10, 11], adoption=AdoptionFactory(hub=HubFactory(name=f"Hub {number:02d}")))
    client.force_login(evaluator_user)
    first_page = client.get(reverse("evaluation:summary"), {"sort": "hub"})
    names = [s.indicator.adoption.hub.name for s in rows(first_page)]
    assert names == sorted(names) and len(names) == 50
    assert first_page.context["page"].paginator.num_pages == 2
    second_page = client.get(reverse("evaluation:summary"), {"sort": "hub", "page": 2})
    assert len(rows(second_page)) == 5
    by_metric = client.get(reverse("evaluation:summary"), {"sort": "metric"}).content.decode()
    assert '<th scope="col" class="nhsuk-table__header" aria-sort="ascending">Indicator</th>' in by_metric


def test_csv_export_follows_the_filters(client, evaluator_user):
    concern = indicator_with(FALLING_AWAY)
    indicator_with(STEADY)
    client.force_login(evaluator_user)
    response = client.get(reverse("evaluation:summary_csv"), {"signal": "concern"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(content)))
    assert table[0][:3] == ["Hub", "Innovation", "Metric"]
    assert len(table) == 2
    assert table[1][0] == concern.adoption.hub.name
    assert table[1][8] == "Special cause concern: lower values"  # the indicator page's words


def test_hub_staff_cannot_open_the_summary_or_its_csv(client, owner):
    indicator_with(STEADY)
    client.force_login(owner)
    assert client.get(reverse("evaluation:summary")).status_code == 403
    assert client.get(reverse("evaluation:summary_csv")).status_code == 403


def test_archived_adoptions_are_left_out(client, evaluator_user):
    indicator = indicator_with(STEADY)
    indicator.adoption.archived = True
    indicator.adoption.archived_reason = "Merged into another adoption"
    indicator.adoption.save()
    client.force_login(evaluator_user)
    assert rows(client.get(reverse("evaluation:summary"))) == []


def test_a_new_figure_updates_the_summary_at_once(evaluator_user):
    indicator = indicator_with(STEADY[:-1], gap_at_end=1)
    assert indicator.summary.reading.label == "Too few figures (11 of 12)"
    hub_member = member_of(indicator.adoption.hub)
    measurement_submit(indicator=indicator, period=last_month(), value=Decimal("200"), by=hub_member)
    indicator.summary.refresh_from_db()
    assert indicator.summary.latest_value == 200.0
    assert indicator.summary.variation == mdc.IMPROVEMENT_HIGH  # the 12th figure: icons from now on
    assert not indicator.summary.latest_is_approved
    assert indicator.summary.includes_submitted


@pytest.mark.parametrize("reader", ["evaluator_user", "admin_user_ahsn"])
def test_the_board_costs_the_same_queries_for_5_or_50_indicators(
    client, reader, request, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(reader))
    for number in range(5):
        indicator_with([1, 2, 3], gap_at_end=number % 3)  # sparklines ending in different months
    client.get(reverse("evaluation:summary"))  # warm the session
    # 9, the sparklines' figures (one query for the page), the header's unread notifications count,
    # and the metrics with a funnel plot
    with django_assert_num_queries(12) as few:
        response = client.get(reverse("evaluation:summary"))
    assert response.content.decode().count('class="hp-spark"') == 5
    for number in range(45):
        indicator_with([1, 2, 3], gap_at_end=number % 3)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("evaluation:summary"))
    assert response.content.decode().count('class="hp-spark"') == 50


def test_least_complete_indicators_sort_first(client, evaluator_user):
    patchy = indicator_with([1, 2], gap_at_end=3)
    complete = indicator_with([1, 2, 3, 4, 5])
    client.force_login(evaluator_user)
    ordered = [s.indicator for s in rows(client.get(reverse("evaluation:summary"), {"sort": "completeness"}))]
    assert ordered == [patchy, complete]


def test_the_monthly_refresh_brings_completeness_up_to_date(evaluator_user):
    from evaluation.tasks import refresh_indicator_summaries

    indicator = indicator_with([1, 2, 3])
    IndicatorSummary.objects.filter(pk=indicator.pk).update(months_due=1)
    assert refresh_indicator_summaries() == 1
    indicator.summary.refresh_from_db()
    assert indicator.summary.months_due > 3


# -- The board: groups, sparklines, targets ------------------------------------------------------


def text_of(html: str) -> str:
    """The words in some HTML, without the pictures a screen reader skips (the icons' letters)."""
    html = re.sub(r'<svg [^>]*aria-hidden="true".*?</svg>', " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def sparkline_marks(content: str) -> tuple[int, int]:
    """How many lines and dots the page's sparklines draw."""
    drawn = "".join(re.findall(r'<svg class="hp-spark".*?</svg>', content, re.S))
    return drawn.count("<polyline"), drawn.count("<circle")


def board(client, **params) -> list[tuple[str, list[str]]]:
    """The board as a reader scans it: each group's name, and the text of each row under it."""
    content = client.get(reverse("evaluation:summary"), params).content.decode()
    return [
        (
            text_of(re.search(r'<th scope="rowgroup"[^>]*>(.*?)</th>', group, re.S)[1]),
            [text_of(row) for row in re.findall(r'<tr class="nhsuk-table__row">(.*?)</tr>', group, re.S)],
        )
        for group in re.findall(r'<tbody class="nhsuk-table__body">(.*?)</tbody>', content, re.S)
    ]


def test_the_board_groups_indicators_by_hub_or_by_innovation(client, evaluator_user):
    dorset, york = HubFactory(name="Dorset"), HubFactory(name="York")
    bp, wards = InnovationFactory(name="BP@home"), InnovationFactory(name="Virtual wards")
    for hub, innovation in [(york, bp), (dorset, wards), (dorset, bp)]:
        indicator_with(STEADY, adoption=AdoptionFactory(hub=hub, innovation=innovation))
    client.force_login(evaluator_user)

    by_hub = board(client)
    assert [name for name, _ in by_hub] == ["Hub: Dorset", "Hub: York"]
    # Under its hub, each row names its innovation (and the group names the hub).
    assert [row.split(" Latest figure")[0] for row in by_hub[0][1]] == [
        "People enrolled BP@home",
        "People enrolled Virtual wards",
    ]

    by_innovation = board(client, group="innovation")
    assert [name for name, _ in by_innovation] == ["Innovation: BP@home", "Innovation: Virtual wards"]
    assert [row.split(" Latest figure")[0] for row in by_innovation[0][1]] == [
        "People enrolled Dorset",
        "People enrolled York",
    ]
    # The CSV keeps the board's order.
    response = client.get(reverse("evaluation:summary_csv"), {"group": "innovation"})
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[:2] for row in table[1:]] == [
        ["Dorset", "BP@home"],
        ["York", "BP@home"],
        ["Dorset", "Virtual wards"],
    ]


def test_each_row_shows_the_latest_figure_its_months_icons_target_and_completeness(client, evaluator_user):
    indicator_with(FALLING_AWAY, target=Decimal("95"))
    client.force_login(evaluator_user)
    [(_, [row])] = board(client)
    months = months_back(13)
    assert f"Latest figure 60 {last_month():%b %Y}" in row
    assert "Variation Special cause concern: lower values" in row
    assert "Assurance Inconsistent: may pass or fall short of the target" in row
    assert "Target 95 people" in row
    summary = IndicatorSummary.objects.get()
    assert f"Data completeness {summary.completeness}% (13 of {summary.months_due} months)" in row
    # The sparkline: named by its months, the last 12 of the 13, each read out with its figure.
    assert f"Figures from {long_month(months[1])} to {long_month(months[-1])}" in row
    assert f"{long_month(months[1])}: 102; {long_month(months[2])}: 98;" in row
    assert f"{long_month(months[-1])}: 60." in row
    assert long_month(months[0]) not in row


def test_a_month_without_a_figure_is_a_gap_in_the_sparkline_and_said_so(client, evaluator_user):
    indicator = indicator_with([10, 11, 12, 13, 14, 15])
    Measurement.objects.filter(indicator=indicator, period=months_back(6)[2]).delete()
    summaries.refresh([indicator.pk])
    client.force_login(evaluator_user)
    content = client.get(reverse("evaluation:summary")).content.decode()
    assert f"{long_month(months_back(6)[2])}: no figure;" in content
    assert f"{long_month(months_back(12)[0])}: no figure;" in content  # before the first figure
    # Two lines, either side of the missing month, and the latest month marked.
    assert sparkline_marks(content) == (2, 1)


def test_a_target_reads_in_its_metrics_unit(client, evaluator_user):
    indicator_with(STEADY, metric=percentage_metric(), target=Decimal("70"))
    indicator_with(STEADY, metric=MetricFactory(code="cost", name="Cost", unit="£"), target=Decimal("1250.5"))
    indicator_with(STEADY, target=Decimal("1500"))
    indicator_with(STEADY, metric=MetricFactory(code="sites", name="Sites", unit="sites"))
    client.force_login(evaluator_user)
    content = text_of(client.get(reverse("evaluation:summary")).content.decode())
    for target in ("Target 70%", "Target £1,250.5", "Target 1,500 people", "Target None set"):
        assert target in content


def test_an_ahsn_admin_sees_a_small_count_as_under_eight_and_no_point_for_it(client, admin_user_ahsn):
    indicator_with([20, 5, 30])
    client.force_login(admin_user_ahsn)
    content = client.get(reverse("evaluation:summary")).content.decode()
    months = months_back(3)
    assert (
        f"{long_month(months[0])}: 20; {long_month(months[1])}: &lt;8; {long_month(months[2])}: 30."
        in content
    )
    # Neither month beside it joins a line through it: two dots, the latest one marked.
    assert sparkline_marks(content) == (0, 2)
