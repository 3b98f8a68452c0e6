"""The cross-hub summary: one row per indicator, filters, sorting, pages, CSV, access and query counts."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import summaries
from evaluation.measurements import measurement_submit
from evaluation.models import IndicatorSummary, Measurement, Metric
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    InnovationFactory,
    MeasurementFactory,
    MetricFactory,
    last_month,
    member_of,
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
    assert summary.variation == IndicatorSummary.Variation.CONCERN
    assert summary.assurance == IndicatorSummary.Assurance.INCONSISTENT
    assert summary.completeness == round(100 * 13 / summary.months_due)
    html = response.content.decode()
    for text in ("Dorset", "BP@home", "People enrolled", "Reach", "Special cause concern"):
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
    assert 'aria-sort="ascending"' in first_page.content.decode()


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
    assert indicator.summary.variation == IndicatorSummary.Variation.COMMON_CAUSE
    hub_member = member_of(indicator.adoption.hub)
    measurement_submit(indicator=indicator, period=last_month(), value=Decimal("200"), by=hub_member)
    indicator.summary.refresh_from_db()
    assert indicator.summary.latest_value == 200.0
    assert indicator.summary.variation == IndicatorSummary.Variation.IMPROVEMENT
    assert not indicator.summary.latest_is_approved
    assert indicator.summary.includes_submitted


def test_the_page_costs_the_same_queries_for_5_or_60_indicators(
    client, evaluator_user, django_assert_num_queries
):
    client.force_login(evaluator_user)
    for _ in range(5):
        indicator_with([1, 2, 3])
    client.get(reverse("evaluation:summary"))  # warm the session
    with django_assert_num_queries(10) as few:  # 9, and the header's unread notifications count
        client.get(reverse("evaluation:summary"))
    for _ in range(55):
        indicator_with([1, 2, 3])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("evaluation:summary"))


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
