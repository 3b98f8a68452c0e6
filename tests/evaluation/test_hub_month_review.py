"""Evaluators review a hub's month at once: approve all, or all but those ticked to return with a note."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.months import add_months
from evaluation.hub_months import INDICATORS_PER_PAGE, hub_months_awaiting_review
from evaluation.measurements import HubMonthChanged, hub_month_review, measurement_edit
from evaluation.models import DataQualityFlag, Measurement
from notifications.models import Kind, Notification
from tests.factories import (
    AdoptionFactory,
    IndicatorFactory,
    InnovationFactory,
    MeasurementFactory,
    MetricFactory,
    evaluator,
    imd,
    last_month,
    member_of,
)

pytestmark = pytest.mark.django_db


def metric(n: int):
    return MetricFactory(code=f"metric-{n}", name=f"Metric {n}")


def month_url(hub, period=None) -> str:
    return reverse("evaluation:review_hub_month", args=[hub.slug, f"{period or last_month():%Y-%m}"])


@pytest.fixture
def indicators(adoption, owner):
    """Three indicators of the hub, the first owned by ``owner``; each with a submitted total and history."""
    made = []
    for n in range(3):
        indicator = IndicatorFactory(adoption=adoption, metric=metric(n), owner=owner if n == 0 else None)
        for back in range(8, 0, -1):
            MeasurementFactory(
                indicator=indicator,
                period=add_months(last_month(), -back),
                value=Decimal(100 + back % 3),
                status=Measurement.Status.APPROVED,
            )
        MeasurementFactory(indicator=indicator, value=Decimal("101"), submitted_by=owner)
        made.append(indicator)
    MeasurementFactory(indicator=made[0], group=imd(1), value=Decimal("30"), submitted_by=owner)
    return made


def seen_of(hub):
    return {
        m.pk: m.version for m in Measurement.objects.filter(indicator__adoption__hub=hub, period=last_month())
    }


def in_month(indicator):
    return list(Measurement.objects.filter(indicator=indicator, period=last_month()))


# The service ----------------------------------------------------------------------------------------


def test_approving_a_hub_month_approves_every_submitted_figure(hub, indicators, evaluator_user):
    done = hub_month_review(hub=hub, period=last_month(), by=evaluator_user, seen=seen_of(hub), returns={})
    assert len(done.approved) == 4 and done.returned == []
    for indicator in indicators:
        assert {m.status for m in in_month(indicator)} == {Measurement.Status.APPROVED}
    assert hub_months_awaiting_review() == []


def test_all_but_the_ticked_are_approved_and_the_ticked_returned_with_their_note(
    hub, indicators, evaluator_user
):
    first, second, third = indicators
    hub_month_review(
        hub=hub,
        period=last_month(),
        by=evaluator_user,
        seen=seen_of(hub),
        returns={second.pk: "  Twice last month's: check the export.  "},
    )
    assert {m.status for m in in_month(first) + in_month(third)} == {Measurement.Status.APPROVED}
    (returned,) = in_month(second)
    assert returned.status == Measurement.Status.RETURNED
    assert returned.review_note == "Twice last month's: check the export."
    assert returned.history.first().history_user == evaluator_user


def test_a_figure_changed_since_the_page_opened_refuses_the_whole_review(
    hub, indicators, evaluator_user, owner
):
    seen = seen_of(hub)
    total = Measurement.objects.get(indicator=indicators[2], period=last_month(), group=None)
    measurement_edit(measurement=total, by=owner, version=total.version, value=Decimal("150"))

    with pytest.raises(HubMonthChanged) as refused:
        hub_month_review(hub=hub, period=last_month(), by=evaluator_user, seen=seen, returns={})

    assert "Metric 2" in str(refused.value) and "is now 150" in str(refused.value)
    assert not Measurement.objects.filter(period=last_month(), status=Measurement.Status.APPROVED).exists()


def test_a_figure_submitted_since_the_page_opened_refuses_the_review(hub, indicators, evaluator_user, owner):
    seen = seen_of(hub)
    MeasurementFactory(indicator=indicators[1], group=imd(2), value=Decimal("10"), submitted_by=owner)
    with pytest.raises(HubMonthChanged):
        hub_month_review(hub=hub, period=last_month(), by=evaluator_user, seen=seen, returns={})
    assert not Measurement.objects.filter(period=last_month(), status=Measurement.Status.APPROVED).exists()


def test_a_returned_indicator_needs_a_note(hub, indicators, evaluator_user):
    with pytest.raises(ValidationError):
        hub_month_review(
            hub=hub,
            period=last_month(),
            by=evaluator_user,
            seen=seen_of(hub),
            returns={indicators[0].pk: " "},
        )
    assert not Measurement.objects.filter(period=last_month(), status=Measurement.Status.APPROVED).exists()


def test_only_evaluators_review_a_hub_month(hub, indicators, owner):
    with pytest.raises(PermissionDenied):
        hub_month_review(hub=hub, period=last_month(), by=owner, seen=seen_of(hub), returns={})


def test_another_hubs_indicator_cannot_be_returned_through_this_hub(
    hub, other_hub, indicators, evaluator_user
):
    elsewhere = IndicatorFactory(adoption=AdoptionFactory(hub=other_hub), metric=metric(9))
    with pytest.raises(ValidationError):
        hub_month_review(
            hub=hub, period=last_month(), by=evaluator_user, seen=seen_of(hub), returns={elsewhere.pk: "x"}
        )


# Notifications -------------------------------------------------------------------------------------


def test_returned_figures_reach_the_owner_and_the_lead_once_and_nobody_else(
    hub, other_hub, indicators, evaluator_user, owner, lead, reader
):
    bystander = member_of(hub, username="bystander")
    hub_month_review(
        hub=hub,
        period=last_month(),
        by=evaluator_user,
        seen=seen_of(hub),
        returns={indicators[0].pk: "Quintile 1 looks high.", indicators[1].pk: "Check the total."},
    )
    told = Notification.objects.filter(kind=Kind.FIGURES_RETURNED)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["lead", "owner"]
    to_owner = told.get(recipient=owner)
    assert "Quintile 1 looks high." in to_owner.body and "Check the total." not in to_owner.body
    assert to_owner.url == reverse(
        "evaluation:figures_grid", args=[indicators[0].adoption_id, f"{last_month():%Y-%m}"]
    )
    to_lead = told.get(recipient=lead)  # the lead hears of every indicator returned, in one notice
    assert "Quintile 1 looks high." in to_lead.body and "Check the total." in to_lead.body
    assert not Notification.objects.filter(recipient__in=[reader, bystander, evaluator_user]).exists()


def test_a_long_review_still_tells_in_one_notice_of_bounded_length(hub, adoption, owner, evaluator_user):
    many = [IndicatorFactory(adoption=adoption, metric=metric(n), owner=owner) for n in range(30)]
    for indicator in many:
        MeasurementFactory(indicator=indicator)
    hub_month_review(
        hub=hub,
        period=last_month(),
        by=evaluator_user,
        seen=seen_of(hub),
        returns={indicator.pk: "Check this figure against the source. " * 50 for indicator in many},
    )
    told = Notification.objects.get(kind=Kind.FIGURES_RETURNED, recipient=owner)
    assert told.title.startswith("30 figures")
    assert len(told.body) <= 5000 and "more." in told.body


def test_returning_one_indicator_month_tells_its_owner_too(client, hub, indicators, evaluator_user, owner):
    client.force_login(evaluator_user)
    client.post(
        reverse("evaluation:review_month", args=[indicators[0].pk, f"{last_month():%Y-%m}"]),
        {"action": "return", "note": "Please check."},
    )
    assert Notification.objects.get(kind=Kind.FIGURES_RETURNED).recipient == owner


def test_a_figure_saved_again_after_a_return_tells_the_evaluator_who_returned_it(
    hub, indicators, evaluator_user, owner
):
    other_evaluator = evaluator(username="other-evaluator")
    hub_month_review(
        hub=hub,
        period=last_month(),
        by=evaluator_user,
        seen=seen_of(hub),
        returns={indicators[1].pk: "Check."},
    )
    (returned,) = in_month(indicators[1])
    measurement_edit(measurement=returned, by=owner, version=returned.version, value=Decimal("104"))

    told = Notification.objects.get(kind=Kind.FIGURES_RESUBMITTED)
    assert told.recipient == evaluator_user
    assert told.url == month_url(hub)
    assert "101 → 104" in told.body
    assert not Notification.objects.filter(recipient=other_evaluator).exists()
    row = hub_months_awaiting_review()[0]
    assert (row.hub, row.awaiting, row.resubmitted) == (hub, 1, 1)


def test_a_returned_figure_the_hub_finds_right_goes_back_as_it_is_and_the_evaluator_is_told(
    client, hub, indicators, evaluator_user, owner
):
    hub_month_review(
        hub=hub,
        period=last_month(),
        by=evaluator_user,
        seen=seen_of(hub),
        returns={indicators[1].pk: "Check."},
    )
    (returned,) = in_month(indicators[1])
    client.force_login(owner)
    grid = client.get(
        reverse("evaluation:figures_grid", args=[returned.indicator.adoption_id, f"{last_month():%Y-%m}"])
    )
    edit_url = reverse("evaluation:measurement_edit", args=[returned.pk])
    assert f'href="{edit_url}">Correct it, or submit it again as it is' in grid.content.decode()

    response = client.post(edit_url, {"value": "101", "version": returned.version})

    assert response.status_code == 302
    (again,) = in_month(indicators[1])
    assert (again.status, again.value, again.version) == (
        Measurement.Status.SUBMITTED,
        Decimal("101"),
        returned.version + 1,
    )
    assert again.history.first().history_type == "~"
    told = Notification.objects.get(kind=Kind.FIGURES_RESUBMITTED)
    assert told.recipient == evaluator_user and "101, unchanged: the hub checked it" in told.body
    assert hub_months_awaiting_review()[0].resubmitted == 1


def test_saving_a_submitted_figure_as_it_is_changes_nothing(hub, indicators, owner):
    (submitted,) = in_month(indicators[2])
    again = measurement_edit(measurement=submitted, by=owner, version=submitted.version, value=Decimal("101"))
    assert again.version == submitted.version
    assert not Notification.objects.filter(kind=Kind.FIGURES_RESUBMITTED).exists()


# The page ------------------------------------------------------------------------------------------


def post(client, hub, action, **fields):
    return client.post(
        month_url(hub),
        {"action": action, "seen": " ".join(f"{k}:{v}" for k, v in seen_of(hub).items()), **fields},
    )


def test_the_page_shows_every_indicator_with_its_figure_status_chart_flags_and_previous_months(
    client, hub, indicators, evaluator_user, adoption
):
    quiet = IndicatorFactory(adoption=adoption, metric=metric(7))
    DataQualityFlag.objects.create(
        indicator=indicators[1],
        period=last_month(),
        kind=DataQualityFlag.Kind.OUTSIDE_LIMITS,
        detail="101 is above the upper process limit (100.9).",
        explanation="A new practice joined.",
    )
    client.force_login(evaluator_user)
    page = client.get(month_url(hub)).content.decode()
    for n in range(3):
        assert f"Metric {n}" in page
    assert quiet.metric.name in page and "No figure yet" in page
    assert "by group: IMD quintile: 1 (most deprived) 30" in page
    assert "process limits" in page and "<svg" in page
    assert "Outside the process limits" in page and "A new practice joined." in page
    assert "Totals of the 6 months before" in page and f"{add_months(last_month(), -6):%b %Y}" in page
    assert reverse("evaluation:indicator", args=[indicators[0].pk]) in page
    assert reverse("evaluation:review_month", args=[indicators[0].pk, f"{last_month():%Y-%m}"]) in page


def test_approve_all_through_the_page_then_the_next_hub_month(
    client, hub, other_hub, indicators, evaluator_user
):
    elsewhere = IndicatorFactory(adoption=AdoptionFactory(hub=other_hub), metric=metric(5))
    MeasurementFactory(indicator=elsewhere)
    client.force_login(evaluator_user)
    page = client.get(month_url(hub)).content.decode()
    assert f"Next hub-month awaiting review: Manchester, {last_month():%B %Y}" in page

    response = post(client, hub, "approve_all")
    assert response.status_code == 302
    assert response.url == month_url(other_hub)  # nothing of Dorset's month is left: on to the next
    page = client.get(response.url).content.decode()
    assert "4 figures approved" in page and "Review Manchester" in page
    assert not Measurement.objects.filter(indicator__adoption__hub=hub, status="submitted").exists()


def many_awaiting(adoption, count):
    """``count`` indicators, each with a submitted total last month, in the page's order (by metric name)."""
    made = [IndicatorFactory(adoption=adoption, metric=metric(100 + n)) for n in range(count)]
    for indicator in made:
        MeasurementFactory(indicator=indicator)
    return made


def test_a_hub_month_of_many_indicators_is_reviewed_a_page_at_a_time(client, hub, adoption, evaluator_user):
    made = many_awaiting(adoption, INDICATORS_PER_PAGE + 5)
    client.force_login(evaluator_user)
    page = client.get(month_url(hub)).content.decode()
    assert f"{INDICATORS_PER_PAGE + 5} indicators: {INDICATORS_PER_PAGE + 5} submitted." in " ".join(
        page.split()
    )
    assert "This is page 1 of 2" in page and "Page 2 of 2" in page and "?page=2" in page
    assert "Approve all on this page" in page
    assert made[0].metric.name in page and made[-1].metric.name not in page

    response = client.post(
        month_url(hub), {"action": "approve_all", "seen": re.search(r'name="seen" value="([^"]*)"', page)[1]}
    )
    assert response.url == month_url(hub) + "?page=2"  # the page still awaiting review
    approved = set(Measurement.objects.filter(status="approved").values_list("indicator", flat=True))
    assert approved == {indicator.pk for indicator in made[:INDICATORS_PER_PAGE]}

    page = client.get(response.url).content.decode()
    assert f"{INDICATORS_PER_PAGE} figures approved" in page
    assert made[-1].metric.name in page and made[0].metric.name not in page
    # Page 1, reviewed, says that the rest waits elsewhere; the month still heads the queue.
    assert "other pages of Dorset" in client.get(month_url(hub)).content.decode()
    assert [(row.hub, row.awaiting) for row in hub_months_awaiting_review()] == [(hub, 5)]


def test_a_review_covers_only_the_indicators_shown(hub, indicators, evaluator_user):
    first, second, third = indicators
    shown = {m.pk: m.version for m in in_month(first) + in_month(second)}
    done = hub_month_review(
        hub=hub, period=last_month(), by=evaluator_user, seen=shown, returns={second.pk: "Check."}
    )
    assert (len(done.approved), len(done.returned)) == (2, 1)
    assert [m.status for m in in_month(third)] == ["submitted"]
    with pytest.raises(ValidationError):  # an indicator not shown cannot be returned through the review
        hub_month_review(
            hub=hub,
            period=last_month(),
            by=evaluator_user,
            seen={m.pk: m.version for m in in_month(first)},
            returns={third.pk: "Check."},
        )
    assert [m.status for m in in_month(third)] == ["submitted"]


def test_a_ticked_indicator_without_a_note_shows_an_error_by_its_field(
    client, hub, indicators, evaluator_user
):
    client.force_login(evaluator_user)
    response = post(client, hub, "return_ticked", **{f"return-{indicators[1].pk}": "on"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "a returned indicator needs a note" in page
    assert f'href="#id_note-{indicators[1].pk}"' in page  # the error summary links to the field
    assert 'nhsuk-error-message" id="id_note-' in page
    assert (
        not Measurement.objects.filter(indicator__adoption__hub=hub, period=last_month())
        .exclude(status="submitted")
        .exists()
    )


def test_approve_all_with_ticks_is_refused_so_a_tick_is_never_ignored(
    client, hub, indicators, evaluator_user
):
    client.force_login(evaluator_user)
    response = post(
        client,
        hub,
        "approve_all",
        **{f"return-{indicators[1].pk}": "on", f"note-{indicators[1].pk}": "Check."},
    )
    assert "You ticked 1 indicator to return" in response.content.decode()
    assert not Measurement.objects.filter(period=last_month(), status="approved").exists()


def test_return_the_ticked_approves_the_rest(client, hub, indicators, evaluator_user):
    client.force_login(evaluator_user)
    response = post(
        client,
        hub,
        "return_ticked",
        **{f"return-{indicators[1].pk}": "on", f"note-{indicators[1].pk}": "Check."},
    )
    assert response.status_code == 302
    assert [m.status for m in in_month(indicators[1])] == ["returned"]
    assert {m.status for m in in_month(indicators[0])} == {"approved"}


def test_the_page_refuses_a_review_of_figures_changed_since_it_opened(
    client, hub, indicators, evaluator_user, owner
):
    client.force_login(evaluator_user)
    seen = " ".join(f"{k}:{v}" for k, v in seen_of(hub).items())
    total = Measurement.objects.get(indicator=indicators[0], period=last_month(), group=None)
    measurement_edit(measurement=total, by=owner, version=total.version, value=Decimal("99"))
    response = client.post(month_url(hub), {"action": "approve_all", "seen": seen})
    assert response.status_code == 200
    assert "Figures changed since you opened this page, so nothing was reviewed" in response.content.decode()
    assert not Measurement.objects.filter(period=last_month(), status="approved").exists()


def test_access_to_the_hub_month_page(
    client, hub, indicators, owner, reader, admin_user_ahsn, evaluator_user
):
    for user in (owner, reader, admin_user_ahsn):
        client.force_login(user)
        assert client.get(month_url(hub)).status_code == 403
        assert post(client, hub, "approve_all").status_code == 403
    assert not Measurement.objects.filter(period=last_month(), status="approved").exists()
    client.force_login(evaluator_user)
    assert client.get(reverse("evaluation:review_hub_month", args=["nowhere", "2020-01"])).status_code == 404
    assert client.get(month_url(hub, add_months(last_month(), -20))).status_code == 404
    assert client.get(reverse("evaluation:review_hub_month", args=[hub.slug, "2020-13"])).status_code == 404


def test_the_page_costs_the_same_queries_however_many_indicators(
    client, hub, adoption, evaluator_user, django_assert_max_num_queries
):
    def add(n):
        indicator = IndicatorFactory(adoption=adoption, metric=metric(n))
        for back in range(3, -1, -1):
            MeasurementFactory(
                indicator=indicator, period=add_months(last_month(), -back), value=Decimal(50 + n)
            )
        MeasurementFactory(indicator=indicator, group=imd(1), value=Decimal("5"))
        DataQualityFlag.objects.create(
            indicator=indicator, period=last_month(), kind="same_value", detail="x"
        )

    client.force_login(evaluator_user)
    add(0)
    client.get(month_url(hub))
    with CaptureQueriesContext(connection) as few:
        assert client.get(month_url(hub)).status_code == 200
    for n in range(1, 8):
        add(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(month_url(hub)).status_code == 200


# The queue -----------------------------------------------------------------------------------------


def test_the_queue_groups_hub_months_oldest_first_and_links_indicators(
    client, hub, other_hub, indicators, evaluator_user
):
    older = add_months(last_month(), -1)
    elsewhere = IndicatorFactory(
        adoption=AdoptionFactory(hub=other_hub, innovation=InnovationFactory()), metric=metric(5)
    )
    MeasurementFactory(indicator=elsewhere, period=older)
    MeasurementFactory(indicator=elsewhere, period=older, group=imd(3), value=Decimal("4"))
    DataQualityFlag.objects.create(indicator=elsewhere, period=older, kind="same_value", detail="x")

    rows = hub_months_awaiting_review()
    assert [(row.hub.name, row.period, row.awaiting, row.flags) for row in rows] == [
        ("Manchester", older, 2, 1),
        ("Dorset", last_month(), 4, 0),
    ]
    assert [row.hub for row in hub_months_awaiting_review([hub.pk])] == [hub]

    client.force_login(evaluator_user)
    page = client.get(reverse("evaluation:review_queue")).content.decode()
    assert page.index(month_url(other_hub, older)) < page.index(month_url(hub))
    assert f'href="{reverse("evaluation:indicator", args=[elsewhere.pk])}"' in page
    assert reverse("evaluation:review_month", args=[elsewhere.pk, f"{older:%Y-%m}"]) in page
