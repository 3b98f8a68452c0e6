"""A hub's reporting page (each indicator-month's status, owner, due date) and what waits for hub staff."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.months import add_months, this_month
from evaluation.calendar import FigureStatus, due_date
from evaluation.models import Indicator, Measurement
from evaluation.reporting import adoptions_reporting, figures_due_for
from tests.factories import (
    AdoptionFactory,
    IndicatorFactory,
    MeasurementFactory,
    MetricFactory,
    imd,
    last_month,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2027, 1, 12)  # December 2026's figures are due on Friday 15 January 2027


def metric(n: int):
    return MetricFactory(code=f"metric-{n}", name=f"Metric {n}")


def hub_url(hub):
    return reverse("evaluation:reporting_hub", args=[hub.slug])


@pytest.fixture
def calendar_hub(hub, other_hub, lead, owner, evaluator_user):
    """Dorset, an adoption begun 20 Sep 2026: ``sent`` has every kind of figure, ``silent`` none.

    September: resubmitted after a return; October: submitted; November: returned with a note;
    December: approved. ``silent`` is owned by ``owner``; ``sent`` by the lead, by default.
    Manchester has an indicator with nothing sent, which Dorset's staff never see.
    """
    adoption = AdoptionFactory(hub=hub, started_on=D(2026, 9, 20))
    sent = IndicatorFactory(adoption=adoption, metric=metric(1))
    silent = IndicatorFactory(adoption=adoption, metric=metric(2), owner=owner)
    reviewed = {"reviewed_by": evaluator_user, "reviewed_at": timezone.now()}
    MeasurementFactory(indicator=sent, period=D(2026, 9, 1), **reviewed)
    MeasurementFactory(indicator=sent, period=D(2026, 10, 1))
    MeasurementFactory(
        indicator=sent,
        period=D(2026, 11, 1),
        status=Measurement.Status.RETURNED,
        review_note="Too high?",
        **reviewed,
    )
    MeasurementFactory(indicator=sent, period=D(2026, 12, 1), status=Measurement.Status.APPROVED, **reviewed)
    # Quintile rows without a total are no figure.
    MeasurementFactory(indicator=silent, period=D(2026, 12, 1), group=imd(1))
    archived = AdoptionFactory(hub=hub, archived=True, archived_reason="Stopped.", started_on=D(2026, 1, 5))
    IndicatorFactory(adoption=archived, metric=metric(3))
    IndicatorFactory(adoption=AdoptionFactory(hub=other_hub, started_on=D(2026, 1, 5)), metric=metric(4))
    return adoption, sent, silent


def statuses(row):
    return [month.status for month in row.months]


def test_each_indicator_month_has_its_status_owner_and_due_date(calendar_hub, lead, owner):
    adoption, sent, silent = calendar_hub
    periods = [D(2027, 1, 1), D(2026, 12, 1), D(2026, 11, 1), D(2026, 10, 1), D(2026, 9, 1), D(2026, 8, 1)]

    (section,) = adoptions_reporting([adoption], periods, TODAY)

    sent_row, silent_row = section.rows
    assert statuses(sent_row) == [
        FigureStatus.NOT_DUE,
        FigureStatus.APPROVED,
        FigureStatus.RETURNED,
        FigureStatus.SUBMITTED,
        FigureStatus.RESUBMITTED,
        FigureStatus.NOT_DUE,  # before the adoption began
    ]
    assert statuses(silent_row) == [FigureStatus.NOT_DUE, FigureStatus.DUE] + [FigureStatus.OVERDUE] * 3 + [
        FigureStatus.NOT_DUE
    ]
    assert (sent_row.owner, sent_row.owner_chosen) == (lead, False)
    assert (silent_row.owner, silent_row.owner_chosen) == (owner, True)
    assert [month.due for month in silent_row.months[:2]] == [D(2027, 2, 12), D(2027, 1, 15)]
    assert sent_row.months[2].note == "Too high?"
    # On the due date itself still due; the day after, overdue.
    assert (
        adoptions_reporting([adoption], [D(2026, 12, 1)], D(2027, 1, 15))[0].rows[1].months[0].status == "due"
    )
    assert (
        adoptions_reporting([adoption], [D(2026, 12, 1)], D(2027, 1, 16))[0].rows[1].months[0].status
        == "overdue"
    )


def test_what_waits_for_hub_staff_most_urgent_first(calendar_hub, owner, lead, reader, evaluator_user):
    adoption, sent, silent = calendar_hub

    waiting = figures_due_for(owner, TODAY)

    assert [(item.indicator, item.period, item.status) for item in waiting] == [
        (silent, D(2026, 9, 1), FigureStatus.OVERDUE),
        (silent, D(2026, 10, 1), FigureStatus.OVERDUE),
        (silent, D(2026, 11, 1), FigureStatus.OVERDUE),
        (sent, D(2026, 11, 1), FigureStatus.RETURNED),
        (silent, D(2026, 12, 1), FigureStatus.DUE),
    ]
    returned = waiting[3]
    assert returned.note == "Too high?"
    assert returned.returned_by == evaluator_user.get_full_name()
    assert returned.due == D(2026, 12, 14)
    assert waiting[-1].due == D(2027, 1, 15)
    assert {item.owner for item in waiting} == {owner, lead}
    # Another hub's member sees only their own hub's gaps; an evaluator, without a hub, none.
    assert {item.adoption.hub.name for item in figures_due_for(reader, TODAY)} == {"Manchester"}
    assert figures_due_for(evaluator_user, TODAY) == []


def test_earlier_gaps_are_found_between_months_with_figures(hub, owner):
    adoption = AdoptionFactory(hub=hub, started_on=D(2026, 6, 1))
    indicator = IndicatorFactory(adoption=adoption, metric=metric(1))
    for period in (D(2026, 6, 1), D(2026, 8, 1), D(2026, 11, 1)):
        MeasurementFactory(indicator=indicator, period=period)
    gaps = [(item.period, item.status) for item in figures_due_for(owner, TODAY)]
    assert gaps == [
        (D(2026, 7, 1), "overdue"),
        (D(2026, 9, 1), "overdue"),
        (D(2026, 10, 1), "overdue"),
        (D(2026, 12, 1), "due"),
    ]


def test_a_total_before_the_adoptions_start_fills_no_month(hub, owner):
    """A start date corrected to later leaves earlier totals behind: they neither fill nor hide a gap."""
    adoption = AdoptionFactory(hub=hub, started_on=D(2026, 9, 1))
    # As many totals as months from its start to its latest, one of them before the start.
    with_gap = IndicatorFactory(adoption=adoption, metric=metric(1))
    only_before = IndicatorFactory(adoption=adoption, metric=metric(2))
    for period in (D(2026, 7, 1), D(2026, 9, 1), D(2026, 11, 1)):
        MeasurementFactory(indicator=with_gap, period=period)
    MeasurementFactory(indicator=only_before, period=D(2026, 8, 1))
    gaps = [(item.indicator, item.period, item.status) for item in figures_due_for(owner, TODAY)]
    assert sorted(gaps, key=lambda gap: (gap[0].pk, gap[1])) == [
        (with_gap, D(2026, 10, 1), "overdue"),
        (with_gap, D(2026, 12, 1), "due"),
        (only_before, D(2026, 9, 1), "overdue"),
        (only_before, D(2026, 10, 1), "overdue"),
        (only_before, D(2026, 11, 1), "overdue"),
        (only_before, D(2026, 12, 1), "due"),
    ]


def test_what_waits_costs_the_same_queries_however_many_indicators(calendar_hub, owner, hub):
    figures_due_for(owner, TODAY)  # roles cached on the user
    with CaptureQueriesContext(connection) as few:
        figures_due_for(owner, TODAY)
    for n in range(5, 15):
        adoption = AdoptionFactory(hub=hub, started_on=D(2025, n - 4, 1))
        indicator = IndicatorFactory(adoption=adoption, metric=metric(n))
        MeasurementFactory(indicator=indicator, period=D(2026, 3, 1))  # gaps before and after
        MeasurementFactory(indicator=indicator, period=D(2026, 11, 1), status=Measurement.Status.RETURNED)
    with CaptureQueriesContext(connection) as many:
        assert len(figures_due_for(owner, TODAY)) > 100
    # Six at most: the indicators' starts, their totals counted, the months of those with a gap in
    # the middle, returned totals, then only the indicators with something to show, and their leads.
    assert len(few) <= len(many) <= 6


# The pages ------------------------------------------------------------------------------------


def test_hub_staff_see_their_hubs_page_and_not_anothers(client, calendar_hub, owner, reader, other_hub, hub):
    client.force_login(owner)
    assert client.get(hub_url(hub)).status_code == 200
    assert client.get(hub_url(other_hub)).status_code == 404
    client.force_login(reader)
    assert client.get(hub_url(hub)).status_code == 404
    assert client.get(hub_url(other_hub)).status_code == 200
    client.logout()
    assert client.get(hub_url(hub)).status_code == 302  # to sign in


@pytest.mark.parametrize("who", ["evaluator_user", "admin_user_ahsn"])
def test_evaluators_and_admins_see_every_hubs_page(client, request, calendar_hub, hub, other_hub, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(hub_url(hub)).status_code == 200
    assert client.get(hub_url(other_hub)).status_code == 200
    assert client.get(reverse("evaluation:reporting_hub", args=["no-such-hub"])).status_code == 404


def adoption_this_year(hub, n_indicators: int, first_metric: int = 1):
    adoption = AdoptionFactory(hub=hub, started_on=add_months(this_month(), -3))
    indicators = [
        IndicatorFactory(adoption=adoption, metric=metric(first_metric + n)) for n in range(n_indicators)
    ]
    return adoption, indicators


def test_the_page_shows_tags_in_words_owners_due_dates_and_links_to_the_work(
    client, hub, owner, lead, evaluator_user
):
    adoption, (submitted, missing) = adoption_this_year(hub, 2)
    last = last_month()
    figure = MeasurementFactory(indicator=submitted, period=last)
    client.force_login(owner)
    html = client.get(hub_url(hub)).content.decode()
    assert "Not due yet" in html and "Submitted" in html
    assert ("Due" in html) or ("Overdue" in html)
    assert f"due {due_date(last, hub.programme):%-d %b}" in html
    assert "Lee Lead" in html and "(the hub’s lead)" in html
    grid = reverse("evaluation:figures_grid", args=[adoption.pk, f"{last:%Y-%m}"])
    assert f'href="{grid}"' in html
    assert reverse("evaluation:indicator_edit", args=[missing.pk]) in html

    client.force_login(evaluator_user)
    html = client.get(hub_url(hub)).content.decode()
    review = reverse("evaluation:review_month", args=[figure.indicator_id, f"{last:%Y-%m}"])
    assert f'href="{review}"' in html
    assert f'href="{grid}"' not in html
    assert reverse("evaluation:indicator_edit", args=[missing.pk]) not in html


def test_the_status_page_links_each_hub_to_its_page(client, hub, owner):
    client.force_login(owner)
    html = client.get(reverse("evaluation:reporting_status")).content.decode()
    assert hub_url(hub) in html


def test_the_hub_page_costs_the_same_queries_however_many_indicators_and_adoptions(client, hub, owner, lead):
    adoption_this_year(hub, 1)
    client.force_login(owner)
    client.get(hub_url(hub))
    with CaptureQueriesContext(connection) as few:
        assert client.get(hub_url(hub)).status_code == 200

    for n in range(4):
        adoption, indicators = adoption_this_year(hub, 5, first_metric=10 * (n + 1))
        for indicator in indicators:
            MeasurementFactory(indicator=indicator, period=last_month())
        Indicator.objects.filter(pk=indicators[0].pk).update(owner=owner)
    with CaptureQueriesContext(connection) as many:
        response = client.get(hub_url(hub))
    assert response.status_code == 200
    assert sum(len(rows) for _, rows in response.context["sections"]) == 21
    assert len(many) == len(few)
