"""The equity dashboard: what it shows, who may open it, and its query count."""

import html as html_module
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.months import add_months
from evaluation import dashboards
from evaluation.models import Measurement
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    MeasurementFactory,
    MetricFactory,
    imd,
    last_month,
)
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip())


def quintile_rows(indicator, period, counts, status=Measurement.Status.APPROVED):
    """One figure per quintile 1..5, and the all-people total, for one month."""
    for quintile, count in enumerate(counts, start=1):
        MeasurementFactory(
            indicator=indicator, period=period, group=imd(quintile), value=Decimal(count), status=status
        )
    MeasurementFactory(indicator=indicator, period=period, value=Decimal(sum(counts)), status=status)


@pytest.fixture
def enrolled(adoption):
    return IndicatorFactory(adoption=adoption, metric=MetricFactory())


def equity_row(content: str, innovation: str) -> list[str]:
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", content, re.S):
        cells = [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) > 1 and cells[1] == innovation:
            return cells
    raise AssertionError(f"no equity row for {innovation!r}")


def test_the_share_is_people_over_people_not_an_average_of_monthly_shares(client, evaluator_user, enrolled):
    this, earlier = last_month(), add_months(last_month(), -1)
    quintile_rows(enrolled, earlier, [90, 10, 0, 0, 0])  # 90% in quintile 1, of 100 people
    quintile_rows(enrolled, this, [10, 490, 300, 100, 100])  # 1% in quintile 1, of 1,000 people
    client.force_login(evaluator_user)
    content = client.get(reverse("evaluation:equity")).content.decode()
    hub, innovation, q1, everyone, share, gap, verdict = equity_row(
        content, enrolled.adoption.innovation.name
    )
    assert (q1, everyone) == ("100", "1,100")
    assert share == "9.1%"  # averaging the months' shares would say 45.5%
    assert gap == "−10.9"
    assert verdict == "Below its population share"
    assert "45.5%" not in content
    # The chart says it too, in words on the bar and in its text alternative.
    assert "9.1%, below 20%" in content
    assert "<title" in content and "<desc" in content
    assert "20% population share" in content


def test_only_approved_figures_in_the_last_12_complete_months_count(client, evaluator_user, enrolled):
    this = last_month()
    quintile_rows(enrolled, this, [30, 20, 20, 15, 15])
    quintile_rows(enrolled, add_months(this, -1), [500, 0, 0, 0, 0], status=Measurement.Status.SUBMITTED)
    quintile_rows(enrolled, add_months(this, -2), [500, 0, 0, 0, 0], status=Measurement.Status.RETURNED)
    a_year_before = this
    for _ in range(12):
        a_year_before = add_months(a_year_before, -1)
    quintile_rows(enrolled, a_year_before, [500, 0, 0, 0, 0])  # just outside the 12 months
    client.force_login(evaluator_user)
    content = client.get(reverse("evaluation:equity")).content.decode()
    cells = equity_row(content, enrolled.adoption.innovation.name)
    assert cells[2:7] == ["30", "100", "30.0%", "+10.0", "Above its population share"]


def test_an_ahsn_admin_sees_a_small_quintile_one_count_as_under_eight_and_no_share(
    client, admin_user_ahsn, enrolled
):
    quintile_rows(enrolled, last_month(), [5, 40, 30, 20, 25])
    client.force_login(admin_user_ahsn)
    content = client.get(reverse("evaluation:equity")).content.decode()
    cells = equity_row(content, enrolled.adoption.innovation.name)
    assert cells[2] == "<8"
    assert cells[3] == "120"
    assert "4.2%" not in content  # 5 / 120 would give the count away
    assert cells[6].startswith("Not shown")


def test_an_evaluator_reviews_the_same_small_count_as_it_is(client, evaluator_user, enrolled):
    quintile_rows(enrolled, last_month(), [5, 40, 30, 20, 25])
    client.force_login(evaluator_user)
    content = client.get(reverse("evaluation:equity")).content.decode()
    cells = equity_row(content, enrolled.adoption.innovation.name)
    assert cells[2:5] == ["5", "120", "4.2%"]
    assert cells[6] == "Below its population share"


def test_the_equity_rows_come_from_one_grouped_query_per_metric_hub_and_innovation(enrolled, other_hub):
    offered = IndicatorFactory(
        adoption=enrolled.adoption,
        metric=MetricFactory(code="people-offered", name="People offered"),
    )
    elsewhere = IndicatorFactory(
        adoption=AdoptionFactory(hub=other_hub, innovation=enrolled.adoption.innovation),
        metric=enrolled.metric,
    )
    for indicator in (enrolled, offered, elsewhere):
        quintile_rows(indicator, last_month(), [20, 20, 20, 20, 20])
        quintile_rows(indicator, add_months(last_month(), -1), [40, 20, 20, 20, 0])
    first, last = dashboards.equity_months()
    with CaptureQueriesContext(connection) as queries:
        rows = dashboards.equity_rows(Measurement.objects.all(), first=first, last=last)
    assert len(queries) == 1
    assert [(row.metric, row.hub, row.quintile_one, row.all_quintiles) for row in rows] == [
        ("People enrolled", "Dorset", 60, 200),
        ("People enrolled", "Manchester", 60, 200),
        ("People offered", "Dorset", 60, 200),
    ]


@pytest.mark.parametrize("role", ["owner", "reader"])
def test_hub_staff_may_not_open_the_equity_page(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("evaluation:equity")).status_code == 403


@pytest.mark.parametrize("role", ["evaluator_user", "admin_user_ahsn"])
def test_evaluators_and_ahsn_admins_open_the_equity_page(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("evaluation:equity")).status_code == 200


def test_the_public_is_sent_to_sign_in(client):
    response = client.get(reverse("evaluation:equity"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def equity_page_queries(client) -> int:
    warm_todo_count(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("evaluation:equity")).status_code == 200
    return len(queries)


def test_the_equity_page_runs_a_fixed_number_of_queries(client, evaluator_user, enrolled, other_hub):
    client.force_login(evaluator_user)
    quintile_rows(enrolled, last_month(), [20, 20, 20, 20, 20])
    few = equity_page_queries(client)
    offered = MetricFactory(code="people-offered", name="People offered")
    for equity_hub in (other_hub, HubFactory(), HubFactory()):
        for metric in (enrolled.metric, offered):
            indicator = IndicatorFactory(adoption=AdoptionFactory(hub=equity_hub), metric=metric)
            quintile_rows(indicator, last_month(), [20, 20, 20, 20, 20])
            quintile_rows(indicator, add_months(last_month(), -1), [9, 20, 20, 20, 20])
    assert equity_page_queries(client) == few
