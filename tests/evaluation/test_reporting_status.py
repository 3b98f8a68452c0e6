"""Reporting status: per hub and month, indicators due, submitted, approved, returned and missing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.months import add_months
from evaluation.models import Measurement
from evaluation.reporting import reporting_months, reporting_status, reporting_years
from hubs.models import Hub
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    MeasurementFactory,
    MetricFactory,
    imd,
    last_month,
)

pytestmark = pytest.mark.django_db

URL = reverse("evaluation:reporting_status")


def metric(n: int):
    return MetricFactory(code=f"metric-{n}", name=f"Metric {n}")


def indicators(adoption, count: int):
    return [IndicatorFactory(adoption=adoption, metric=metric(n)) for n in range(count)]


@pytest.fixture
def hand_built(hub, other_hub):
    """Dorset: two indicators since two months before last month, one more since last month.

    Last month: one total approved, one returned, one submitted (with quintile rows, not counted).
    The month before: one approved. Two months before: nothing. An archived adoption counts nowhere.
    """
    last = last_month()
    early = AdoptionFactory(hub=hub, started_on=add_months(last, -2).replace(day=15))
    late = AdoptionFactory(hub=hub, started_on=last.replace(day=20))
    a1, a2 = indicators(early, 2)
    (b1,) = indicators(late, 1)
    MeasurementFactory(indicator=a1, period=last, status=Measurement.Status.APPROVED)
    MeasurementFactory(indicator=a2, period=last, status=Measurement.Status.RETURNED, review_note="Check.")
    MeasurementFactory(indicator=b1, period=last)
    for quintile in range(1, 6):
        MeasurementFactory(indicator=b1, period=last, group=imd(quintile))
        MeasurementFactory(indicator=a1, period=add_months(last, -1), group=imd(quintile))
    MeasurementFactory(indicator=a1, period=add_months(last, -1), status=Measurement.Status.APPROVED)
    archived = AdoptionFactory(hub=hub, archived=True, archived_reason="Stopped.")
    MeasurementFactory(indicator=indicators(archived, 1)[0], period=last)
    # Manchester: one indicator for two years, last month's total submitted; a figure too old to show.
    (m1,) = indicators(AdoptionFactory(hub=other_hub), 1)
    MeasurementFactory(indicator=m1, period=last)
    MeasurementFactory(indicator=m1, period=add_months(last, -12), status=Measurement.Status.APPROVED)
    return hub, other_hub


def counts(status) -> list[tuple]:
    return [(m.period, m.due, m.submitted, m.approved, m.returned, m.missing) for m in status.months[:4]]


def test_counts_per_hub_and_month(hand_built):
    hub, other_hub = hand_built
    last = last_month()
    periods = reporting_months()
    assert periods == [add_months(last, -back) for back in range(12)]

    dorset, manchester = reporting_status(Hub.objects.order_by("name"), periods)

    assert dorset.hub == hub
    assert counts(dorset) == [
        (last, 3, 1, 1, 1, 0),
        (add_months(last, -1), 2, 0, 1, 0, 1),
        (add_months(last, -2), 2, 0, 0, 0, 2),
        (add_months(last, -3), 0, 0, 0, 0, 0),
    ]
    assert manchester.hub == other_hub
    assert [(m.due, m.submitted, m.approved, m.missing) for m in manchester.months] == [(1, 1, 0, 0)] + [
        (1, 0, 0, 1)
    ] * 11


def test_the_page_shows_each_hub_and_a_summary(client, evaluator_user, hand_built):
    client.force_login(evaluator_user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dorset" in page and "Manchester" in page
    # Last month across both hubs: 4 due, all 4 with a figure.
    assert (
        f"In {last_month():%B %Y}, across 2 hubs: 4 of 4 indicators due have a figure — "
        "1 approved, 2 awaiting review, 1 returned — and 0 are missing." in page
    )
    # The colour of a tag is never the only signal: the words say it.
    assert "2 missing" in page
    assert "None missing" in page


def test_a_chosen_year_shows_its_complete_months_newest_first(client, admin_user_ahsn, hand_built):
    client.force_login(admin_user_ahsn)
    year = last_month().year - 1
    response = client.get(URL, {"year": year})
    assert response.context["periods"] == [datetime.date(year, month, 1) for month in range(12, 0, -1)]
    assert f"Reporting status, {year}" in response.content.decode()
    assert year in reporting_years()


def test_a_year_not_offered_is_refused_with_a_message(client, evaluator_user, hand_built):
    client.force_login(evaluator_user)
    response = client.get(URL, {"year": 1990})
    assert "Choose a year from the list." in response.content.decode()
    assert len(response.context["periods"]) == 12


def test_reporting_months_of_the_current_year_stop_at_last_month():
    today = datetime.date(2025, 3, 10)
    assert reporting_months(2025, today) == [datetime.date(2025, 2, 1), datetime.date(2025, 1, 1)]
    assert reporting_months(2026, today) == []
    assert reporting_months(None, today)[-1] == datetime.date(2024, 3, 1)


def test_hub_staff_see_only_their_own_hubs(client, owner, reader, hand_built):
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    assert [status.hub.name for status in response.context["statuses"]] == ["Dorset"]
    assert "Manchester" not in response.content.decode()
    client.force_login(reader)
    assert [status.hub.name for status in client.get(URL).context["statuses"]] == ["Manchester"]


def test_reporting_status_takes_a_fixed_number_of_queries(client, evaluator_user, hand_built):
    client.force_login(evaluator_user)
    client.get(URL)  # what the header caches for the user (the to-do count) is cached from here on
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200

    for _ in range(3):
        adoption = AdoptionFactory(hub=HubFactory())
        for indicator in indicators(adoption, 3):
            for back in range(6):
                MeasurementFactory(indicator=indicator, period=add_months(last_month(), -back))
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200

    assert len(many) == len(few)


def test_reporting_is_in_hub_staffs_navigation(client, owner):
    client.force_login(owner)
    nav = client.get(reverse("home")).context["nav_items"]
    assert ("Reporting", URL) in [(item["label"], item["url"]) for item in nav]
