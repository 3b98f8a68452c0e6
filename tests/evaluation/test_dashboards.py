"""The equity dashboard: what it shows, who may open it, and its query count."""

import datetime
import html as html_module
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.months import add_months
from evaluation import dashboards
from evaluation.models import BreakdownDimension, BreakdownGroup, Measurement, PopulationShare
from evaluation.vocabulary import AGE_BAND, ETHNIC_GROUP, IMD, PLUS, SEX
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    MeasurementFactory,
    MetricFactory,
    PlusGroupFactory,
    breakdown_group,
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


def equity_table(content: str, innovation: str) -> dict[str, list[str]]:
    """An adoption's table on the equity page: group → its cells, as read."""
    heading = content.index(f">{innovation} in ")
    table = re.search(r"<tbody.*?</tbody>", content[heading:], re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        group = text_of(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        rows[group] = [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return rows


def equity_page(client, user, **query) -> str:
    client.force_login(user)
    response = client.get(reverse("evaluation:equity"), query)
    assert response.status_code == 200
    return response.content.decode()


def local_population(hub, dimension: str, shares: dict[str, str], **extra):
    """The hub's local population shares of a dimension's groups (by code), from the census."""
    for code, share in shares.items():
        PopulationShare.objects.create(
            hub=hub,
            group=breakdown_group(dimension, code),
            share=Decimal(share),
            source="ONS Census 2021",
            source_date=datetime.date(2021, 3, 21),
            **extra,
        )


Q1 = "1 (most deprived)"


def test_the_share_is_people_over_people_not_an_average_of_monthly_shares(client, evaluator_user, enrolled):
    this, earlier = last_month(), add_months(last_month(), -1)
    quintile_rows(enrolled, earlier, [90, 10, 0, 0, 0])  # 90% in quintile 1, of 100 people
    quintile_rows(enrolled, this, [10, 400, 390, 100, 100])  # 1% in quintile 1, of 1,000 people
    local_population(enrolled.adoption.hub, IMD, {"1": "20", "2": "22.5"})
    content = equity_page(client, evaluator_user)
    rows = equity_table(content, enrolled.adoption.innovation.name)
    assert rows[Q1] == ["100", "1,100", "9.1%", "20.0%", "−10.9", "Below its share of the local population"]
    assert "45.5%" not in content  # averaging the months' shares would say so
    assert rows["2"][2:5] == ["37.3%", "22.5%", "+14.8"]
    # A group whose local share the hub has not entered is reached, but not compared.
    assert rows["3"][3:] == ["Not entered", "—None", "No local population share entered"]
    # The chart says it too, in words on the bar and in its text alternative.
    assert "9.1%; population 20.0%" in content
    assert "35.5%; no population share entered" in content
    assert "<title" in content and "<desc" in content
    assert "Local population: ONS Census 2021, 21 March 2021" in content


def test_only_approved_figures_in_the_last_12_complete_months_count(client, evaluator_user, enrolled):
    this = last_month()
    quintile_rows(enrolled, this, [30, 20, 20, 15, 15])
    quintile_rows(enrolled, add_months(this, -1), [500, 0, 0, 0, 0], status=Measurement.Status.SUBMITTED)
    quintile_rows(enrolled, add_months(this, -2), [500, 0, 0, 0, 0], status=Measurement.Status.RETURNED)
    a_year_before = this
    for _ in range(12):
        a_year_before = add_months(a_year_before, -1)
    quintile_rows(enrolled, a_year_before, [500, 0, 0, 0, 0])  # just outside the 12 months
    local_population(enrolled.adoption.hub, IMD, {"1": "20"})
    rows = equity_table(equity_page(client, evaluator_user), enrolled.adoption.innovation.name)
    assert rows[Q1] == ["30", "100", "30.0%", "20.0%", "+10.0", "Above its share of the local population"]


def test_any_breakdown_is_compared_with_its_hubs_own_population(client, evaluator_user, enrolled, other_hub):
    hub = enrolled.adoption.hub
    for code, count in (("white", 60), ("asian", 30), ("black", 10)):
        MeasurementFactory(
            indicator=enrolled,
            group=breakdown_group(ETHNIC_GROUP, code),
            value=Decimal(count),
            status="approved",
        )
    MeasurementFactory(indicator=enrolled, value=Decimal(110), status="approved")
    local_population(hub, ETHNIC_GROUP, {"white": "80", "asian": "12.5"})
    local_population(other_hub, ETHNIC_GROUP, {"white": "30"})  # another hub's: not Dorset's
    content = equity_page(client, evaluator_user, breakdown=ETHNIC_GROUP)
    rows = equity_table(content, enrolled.adoption.innovation.name)
    assert list(rows) == [
        "Asian, Asian British or Asian Welsh",
        "Black, Black British, Black Welsh, Caribbean or African",
        "White",
    ]
    assert rows["White"][:5] == ["60", "100", "60.0%", "80.0%", "−20.0"]
    assert rows["Asian, Asian British or Asian Welsh"][2:5] == ["30.0%", "12.5%", "+17.5"]
    assert "1 of 2 groups reached above their share of the local population" in content
    # Every breakdown is offered; the IMD quintiles are the page's first.
    assert '<option value="ethnic-group" selected>Ethnic group</option>' in content
    assert "No approved figures broken down by IMD quintile" in equity_page(client, evaluator_user)


def test_a_hubs_plus_groups_are_shares_of_everyone_reached(client, evaluator_user, enrolled):
    hub = enrolled.adoption.hub
    homeless = PlusGroupFactory(hub=hub, label="People experiencing homelessness")
    this, earlier = last_month(), add_months(last_month(), -1)
    MeasurementFactory(indicator=enrolled, period=this, value=Decimal(200), status="approved")
    MeasurementFactory(indicator=enrolled, period=this, group=homeless, value=Decimal(12), status="approved")
    MeasurementFactory(indicator=enrolled, period=earlier, value=Decimal(300), status="approved")  # no PLUS
    PopulationShare.objects.create(
        hub=hub, group=homeless, share=Decimal("0.4"), source="Local count", source_date=this
    )
    rows = equity_table(
        equity_page(client, evaluator_user, breakdown=PLUS), enrolled.adoption.innovation.name
    )
    # 12 of the 200 reached in the month the hub gave its PLUS figures for; not of the 500 in both.
    assert rows["People experiencing homelessness"][:5] == ["12", "200", "6.0%", "0.4%", "+5.6"]


def test_one_hub_can_be_chosen(client, evaluator_user, enrolled, other_hub):
    elsewhere = IndicatorFactory(adoption=AdoptionFactory(hub=other_hub), metric=enrolled.metric)
    for indicator in (enrolled, elsewhere):
        quintile_rows(indicator, last_month(), [20, 20, 20, 20, 20])
    content = equity_page(client, evaluator_user, hub=other_hub.slug)
    assert f">{elsewhere.adoption.innovation.name} in Manchester" in content
    assert " in Dorset<" not in content


def test_an_ahsn_admin_sees_a_small_count_as_under_eight_and_no_share(client, admin_user_ahsn, enrolled):
    quintile_rows(enrolled, last_month(), [5, 40, 30, 20, 25])
    local_population(enrolled.adoption.hub, IMD, {"1": "20"})
    content = equity_page(client, admin_user_ahsn)
    rows = equity_table(content, enrolled.adoption.innovation.name)
    assert rows[Q1] == [
        "<8",
        "120",
        "—Not shown",
        "20.0%",
        "—None",
        "Not shown: fewer than 8 people in the group",
    ]
    assert "4.2%" not in content  # 5 / 120 would give the count away
    assert "Share not shown: fewer than 8 people in the group" in content  # the chart's bar


def test_an_evaluator_reviews_the_same_small_count_as_it_is(client, evaluator_user, enrolled):
    quintile_rows(enrolled, last_month(), [5, 40, 30, 20, 25])
    rows = equity_table(equity_page(client, evaluator_user), enrolled.adoption.innovation.name)
    assert rows[Q1][:3] == ["5", "120", "4.2%"]


def test_the_equity_rows_come_from_grouped_queries_whatever_the_groups(enrolled, other_hub):
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
    imd_dimension = BreakdownDimension.objects.get(code=IMD)
    with CaptureQueriesContext(connection) as queries:
        rows = dashboards.equity_rows(
            Measurement.objects.all(), dimension=imd_dimension, first=first, last=last
        )
    assert len(queries) == 3  # the sums, the groups, the population shares
    assert [(row.metric, row.hub, row.groups[0].people, row.groups[0].base) for row in rows] == [
        ("People enrolled", "Dorset", 60, 200),
        ("People enrolled", "Manchester", 60, 200),
        ("People offered", "Dorset", 60, 200),
    ]
    assert [group.label for group in rows[0].groups] == [Q1, "2", "3", "4", "5 (least deprived)"]


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


def equity_page_queries(client, **query) -> int:
    warm_todo_count(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("evaluation:equity"), query).status_code == 200
    return len(queries)


def test_the_equity_pages_queries_do_not_grow_with_the_number_of_groups(client, evaluator_user, enrolled):
    """Two sexes or seven age bands, a PLUS group or ten: the same queries."""
    client.force_login(evaluator_user)
    hub = enrolled.adoption.hub
    MeasurementFactory(indicator=enrolled, value=Decimal(500), status="approved")
    for dimension in (SEX, AGE_BAND):
        for group in BreakdownGroup.objects.filter(dimension__code=dimension):
            MeasurementFactory(indicator=enrolled, group=group, value=Decimal(20), status="approved")
    plus = [PlusGroupFactory(hub=hub) for _ in range(10)]
    MeasurementFactory(indicator=enrolled, group=plus[0], value=Decimal(20), status="approved")
    one_plus = equity_page_queries(client, breakdown=PLUS)
    for group in plus[1:]:
        MeasurementFactory(indicator=enrolled, group=group, value=Decimal(20), status="approved")
    assert equity_page_queries(client, breakdown=PLUS) == one_plus
    assert equity_page_queries(client, breakdown=SEX) == equity_page_queries(client, breakdown=AGE_BAND)


def test_the_equity_page_runs_a_fixed_number_of_queries(client, evaluator_user, enrolled, other_hub):
    client.force_login(evaluator_user)
    quintile_rows(enrolled, last_month(), [20, 20, 20, 20, 20])
    few = equity_page_queries(client)
    local_population(enrolled.adoption.hub, IMD, {"1": "20", "2": "20", "3": "20"})
    offered = MetricFactory(code="people-offered", name="People offered")
    for equity_hub in (other_hub, HubFactory(), HubFactory()):
        for metric in (enrolled.metric, offered):
            indicator = IndicatorFactory(adoption=AdoptionFactory(hub=equity_hub), metric=metric)
            quintile_rows(indicator, last_month(), [20, 20, 20, 20, 20])
            quintile_rows(indicator, add_months(last_month(), -1), [9, 20, 20, 20, 20])
    assert equity_page_queries(client) == few
