"""Evaluators approve or return submitted figures, a whole indicator-month or one by one."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.models import IndicatorSummary, Measurement
from evaluation.reporting import add_months
from evaluation.views.review import PAGE_SIZE
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    MeasurementFactory,
    ahsn_admin,
    imd,
    last_month,
    percentage_metric,
)
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db


def month_of_figures(indicator, period=None, *, by=None) -> list[Measurement]:
    """A submitted month: the total for all people, then one row per IMD quintile."""
    period = period or last_month()
    total = MeasurementFactory(indicator=indicator, period=period, value=Decimal("100"), submitted_by=by)
    quintiles = [
        MeasurementFactory(
            indicator=indicator, period=period, group=imd(q), value=Decimal("20"), submitted_by=by
        )
        for q in range(1, 6)
    ]
    return [total, *quintiles]


def review_url(indicator, period=None) -> str:
    return reverse("evaluation:review_month", args=[indicator.pk, f"{period or last_month():%Y-%m}"])


@pytest.fixture
def indicator(adoption):
    return IndicatorFactory(adoption=adoption)


@pytest.fixture
def figures(indicator, owner):
    return month_of_figures(indicator, by=owner)


def statuses(rows) -> list[str]:
    return [Measurement.objects.get(pk=row.pk).status for row in rows]


# Approving ---------------------------------------------------------------------------------------


def test_an_evaluator_approves_a_whole_month(client, evaluator_user, indicator, figures):
    client.force_login(evaluator_user)
    page = client.get(review_url(indicator)).content.decode()
    assert "Approve all figures for this month" in page
    assert "6 of 6 figures for this month are awaiting review" in page

    response = client.post(review_url(indicator), {"action": "approve"}, follow=True)

    assert response.redirect_chain[-1][0] == review_url(indicator)
    assert f"6 figures approved for {last_month():%B %Y}." in response.content.decode()
    for row in Measurement.objects.filter(pk__in=[f.pk for f in figures]):
        assert row.status == Measurement.Status.APPROVED
        assert row.reviewed_by == evaluator_user
        assert row.reviewed_at is not None
        latest = row.history.first()
        assert latest.status == Measurement.Status.APPROVED
        assert latest.history_user == evaluator_user
    assert IndicatorSummary.objects.get(indicator=indicator).latest_is_approved


def test_an_evaluator_approves_one_figure_at_a_time(client, evaluator_user, indicator, figures):
    total, quintile_1, *others = figures
    client.force_login(evaluator_user)

    response = client.post(
        review_url(indicator), {"action": "approve", "measurement": quintile_1.pk}, follow=True
    )

    assert "1 figure approved" in response.content.decode()
    quintile_1.refresh_from_db()
    assert quintile_1.status == Measurement.Status.APPROVED
    assert quintile_1.reviewed_by == evaluator_user
    assert statuses([total, *others]) == [Measurement.Status.SUBMITTED] * 5
    # The month's total is still awaiting review, so the latest figure is not approved yet.
    assert not IndicatorSummary.objects.get(indicator=indicator).latest_is_approved

    client.post(review_url(indicator), {"action": "approve", "measurement": total.pk})
    assert IndicatorSummary.objects.get(indicator=indicator).latest_is_approved


def test_percentages_show_their_fraction_for_review(client, evaluator_user, adoption):
    indicator = IndicatorFactory(adoption=adoption, metric=percentage_metric())
    MeasurementFactory(indicator=indicator, value=None, numerator=45, denominator=60)
    client.force_login(evaluator_user)
    assert "75.0% (45/60)" in client.get(review_url(indicator)).content.decode()
    assert "75.0% (45/60)" in client.get(reverse("evaluation:review_queue")).content.decode()


def test_the_review_page_shows_earlier_approved_totals(client, evaluator_user, indicator, figures):
    earlier = add_months(last_month(), -1)
    MeasurementFactory(indicator=indicator, period=earlier, value=Decimal("87"), status="approved")
    MeasurementFactory(indicator=indicator, period=add_months(last_month(), -2), value=Decimal("55"))
    client.force_login(evaluator_user)
    response = client.get(review_url(indicator))
    assert [m.period for m in response.context["previous"]] == [earlier]
    assert "Approved totals of earlier months" in response.content.decode()


# Returning ---------------------------------------------------------------------------------------


def test_returning_needs_a_note_and_changes_nothing_without_one(client, evaluator_user, indicator, figures):
    client.force_login(evaluator_user)
    history_before = Measurement.history.count()

    response = client.post(review_url(indicator), {"action": "return", "note": "   "})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Say what the hub should check." in page
    assert 'class="nhsuk-error-message"' in page
    assert statuses(figures) == [Measurement.Status.SUBMITTED] * 6
    assert Measurement.history.count() == history_before


def test_returned_figures_reach_the_hub_with_the_note(client, evaluator_user, owner, indicator, figures):
    note = "The quintiles add up to more than the total."
    client.force_login(evaluator_user)

    response = client.post(review_url(indicator), {"action": "return", "note": note}, follow=True)

    assert f"6 figures returned to {indicator.adoption.hub.name}" in response.content.decode()
    for row in Measurement.objects.filter(pk__in=[f.pk for f in figures]):
        assert row.status == Measurement.Status.RETURNED
        assert row.review_note == note
        assert row.reviewed_by == evaluator_user
    client.force_login(owner)
    assert note in client.get(indicator.get_absolute_url()).content.decode()
    # The hub can correct a returned figure; the form tells them why it came back.
    edit = client.get(reverse("evaluation:measurement_edit", args=[figures[0].pk]))
    assert edit.status_code == 200
    assert note in edit.content.decode()


def test_one_figure_can_be_returned_alone(client, evaluator_user, indicator, figures):
    total, quintile_1, *others = figures
    client.force_login(evaluator_user)
    form_page = client.get(review_url(indicator), {"measurement": quintile_1.pk}).content.decode()
    assert "You are returning the figure for IMD quintile: 1 (most deprived) only." in form_page

    client.post(
        review_url(indicator), {"action": "return", "measurement": quintile_1.pk, "note": "Check Q1."}
    )

    quintile_1.refresh_from_db()
    assert (quintile_1.status, quintile_1.review_note) == (Measurement.Status.RETURNED, "Check Q1.")
    assert statuses([total, *others]) == [Measurement.Status.SUBMITTED] * 5


def test_approved_figures_are_locked_for_hub_staff(client, evaluator_user, owner, indicator, figures):
    client.force_login(evaluator_user)
    client.post(review_url(indicator), {"action": "approve"})
    total = figures[0]

    client.force_login(owner)
    response = client.post(reverse("evaluation:measurement_edit", args=[total.pk]), {"value": "1"})

    assert response.status_code == 403
    total.refresh_from_db()
    assert total.value == Decimal("100")
    assert total.status == Measurement.Status.APPROVED


# Who may review ----------------------------------------------------------------------------------


def test_only_evaluators_review(client, owner, reader, admin_user_ahsn, indicator, figures):
    queue = reverse("evaluation:review_queue")
    for user in (owner, reader, admin_user_ahsn):
        client.force_login(user)
        assert client.get(queue).status_code == 403
        assert client.get(review_url(indicator)).status_code == 403
        assert client.post(review_url(indicator), {"action": "approve"}).status_code == 403
        assert client.post(review_url(indicator), {"action": "return", "note": "x"}).status_code == 403
    assert statuses(figures) == [Measurement.Status.SUBMITTED] * 6


def test_hub_staff_cannot_see_or_change_another_hubs_submitted_figure(client, reader, indicator, figures):
    client.force_login(reader)
    total = figures[0]
    assert (
        client.post(reverse("evaluation:measurement_edit", args=[total.pk]), {"value": "1"}).status_code
        == 404
    )
    assert client.get(reverse("evaluation:measurement_edit", args=[total.pk])).status_code == 404
    total.refresh_from_db()
    assert total.value == Decimal("100")


@pytest.mark.parametrize("month", ["2024-13", "2024-00", "2024-1", "24-01", "latest", "2024-01-01"])
def test_a_bad_month_is_not_found(client, evaluator_user, indicator, figures, month):
    client.force_login(evaluator_user)
    url = reverse("evaluation:review_month", args=[indicator.pk, month])
    assert client.get(url).status_code == 404


def test_a_month_without_figures_or_a_figure_from_another_month_is_not_found(
    client, evaluator_user, indicator, figures
):
    other_month = MeasurementFactory(indicator=indicator, period=add_months(last_month(), -1))
    client.force_login(evaluator_user)
    assert client.get(review_url(indicator, add_months(last_month(), -5))).status_code == 404
    assert (
        client.get(reverse("evaluation:review_month", args=[999999, f"{last_month():%Y-%m}"])).status_code
        == 404
    )
    response = client.post(review_url(indicator), {"action": "approve", "measurement": other_month.pk})
    assert response.status_code == 404
    assert client.post(review_url(indicator), {"action": "approve", "measurement": "x"}).status_code == 404
    other_month.refresh_from_db()
    assert other_month.status == Measurement.Status.SUBMITTED


# The queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_months_awaiting_review_oldest_first(
    client, evaluator_user, hub, other_hub, indicator
):
    older = add_months(last_month(), -3)
    month_of_figures(indicator)
    month_of_figures(indicator, older)
    MeasurementFactory(indicator=indicator, period=add_months(last_month(), -1), status="approved")
    elsewhere = IndicatorFactory(adoption=AdoptionFactory(hub=other_hub))
    MeasurementFactory(indicator=elsewhere, value=Decimal("7"))
    client.force_login(evaluator_user)

    rows = list(client.get(reverse("evaluation:review_queue")).context["page"])

    # Oldest month first; within a month, the earliest submitted first.
    assert [(row["period"], row["hub_name"], row["awaiting"]) for row in rows] == [
        (older, hub.name, 6),
        (last_month(), hub.name, 6),
        (last_month(), other_hub.name, 1),
    ]
    assert rows[0]["total"] == "100"
    assert rows[0]["url"] == review_url(indicator, older)

    filtered = client.get(reverse("evaluation:review_queue"), {"hub": other_hub.pk})
    assert [(row["hub_name"], row["total"]) for row in filtered.context["page"]] == [(other_hub.name, "7")]
    assert review_url(elsewhere) in filtered.content.decode()
    assert review_url(indicator) not in filtered.content.decode()


def test_the_queue_takes_a_fixed_number_of_queries_and_pages(client, evaluator_user, adoption):
    indicator = IndicatorFactory(adoption=adoption)
    client.force_login(evaluator_user)
    month_of_figures(indicator)
    warm_todo_count(client)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("evaluation:review_queue")).status_code == 200

    for back in range(1, PAGE_SIZE + 5):
        month_of_figures(indicator, add_months(last_month(), -back))
    for _ in range(3):
        MeasurementFactory(indicator=IndicatorFactory(adoption=AdoptionFactory(hub=HubFactory())))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("evaluation:review_queue"))

    assert len(many) == len(few)
    page = response.context["page"]
    assert page.paginator.count == PAGE_SIZE + 8  # 1 + 54 months of one indicator, 3 elsewhere
    assert len(page.object_list) == PAGE_SIZE
    assert 'rel="next"' in response.content.decode()
    second = client.get(reverse("evaluation:review_queue"), {"page": 2})
    assert len(second.context["page"].object_list) == 8
    assert 'rel="prev"' in second.content.decode()


def test_ahsn_admins_and_the_public_cannot_open_the_queue(client, db):
    assert client.get(reverse("evaluation:review_queue")).status_code == 302
    client.force_login(ahsn_admin(username="curator"))
    assert client.get(reverse("evaluation:review_queue")).status_code == 403
