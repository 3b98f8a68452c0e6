"""Hub staff ask to reopen an approved month; an evaluator reopens it (it is reviewed again) or declines."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluation.measurements import hub_month_review, measurement_edit
from evaluation.models import Measurement, ReopenRequest
from evaluation.reopening import reopen_decide, reopen_request
from notifications.models import Kind, Notification
from tests.factories import IndicatorFactory, MeasurementFactory, evaluator, imd, last_month

pytestmark = pytest.mark.django_db

MONTH = f"{last_month():%Y-%m}"


@pytest.fixture
def indicator(adoption, owner):
    return IndicatorFactory(adoption=adoption, owner=owner)


@pytest.fixture
def approved(indicator, owner):
    total = MeasurementFactory(
        indicator=indicator, value=Decimal("120"), status="approved", submitted_by=owner
    )
    quintile = MeasurementFactory(
        indicator=indicator, group=imd(1), value=Decimal("30"), status="approved", submitted_by=owner
    )
    return [total, quintile]


def ask_url(indicator) -> str:
    return reverse("evaluation:reopen_ask", args=[indicator.pk, MONTH])


def decide_url(request) -> str:
    return reverse("evaluation:reopen_decide", args=[request.pk])


def test_the_whole_flow_reopen_correct_approve_again(
    client, hub, indicator, approved, owner, reader, evaluator_user
):
    other_evaluator = evaluator(username="second-evaluator")
    client.force_login(owner)
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert ask_url(indicator) in page  # "Ask to reopen" next to the approved month

    response = client.post(ask_url(indicator), {"reason": "We counted a practice twice."})
    assert response.status_code == 302
    asked = ReopenRequest.objects.get()
    assert (asked.status, asked.requested_by, asked.reason) == (
        "pending",
        owner,
        "We counted a practice twice.",
    )
    told = Notification.objects.filter(kind=Kind.REOPEN_REQUESTED)
    assert set(told.values_list("recipient__username", flat=True)) == {"evaluator", "second-evaluator"}
    assert told.first().url == decide_url(asked)
    assert "Reopen requested" in client.get(indicator.get_absolute_url()).content.decode()

    client.force_login(evaluator_user)
    queue = client.get(reverse("evaluation:review_queue")).content.decode()
    assert decide_url(asked) in queue and "We counted a practice twice." in queue
    response = client.post(decide_url(asked), {"decision": "reopen", "note": "", "version": asked.version})
    assert response.status_code == 302

    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == ("reopened", evaluator_user)
    total, quintile = (Measurement.objects.get(pk=m.pk) for m in approved)
    assert (total.status, total.revised_from, quintile.revised_from) == ("returned", "120", "30")
    assert "We counted a practice twice." in total.review_note
    assert total.history.first().history_change_reason == "Reopened"
    assert [r.history_change_reason for r in asked.history.order_by("history_date")] == [
        "Asked to reopen",
        "Reopened",
    ]
    decided = Notification.objects.get(kind=Kind.REOPEN_DECIDED)
    assert decided.recipient == owner and decided.title.startswith("Reopened")
    assert Notification.objects.filter(kind=Kind.FIGURES_RETURNED, recipient=owner).exists()
    assert not Notification.objects.filter(recipient=reader).exists()

    corrected = measurement_edit(measurement=total, by=owner, version=total.version, value=Decimal("110"))
    assert corrected.status == "submitted"
    assert Notification.objects.get(kind=Kind.FIGURES_RESUBMITTED).recipient == evaluator_user
    assert not Notification.objects.filter(kind=Kind.FIGURES_RESUBMITTED, recipient=other_evaluator).exists()

    hub_month_review(
        hub=hub,
        period=last_month(),
        by=evaluator_user,
        seen={m.pk: m.version for m in Measurement.objects.filter(indicator=indicator)},
        returns={},
    )
    corrected.refresh_from_db()
    assert (corrected.status, corrected.value, corrected.revised_from) == ("approved", Decimal("110"), "120")


def test_a_decline_needs_a_note_and_leaves_the_figures_approved(indicator, approved, owner, evaluator_user):
    asked = reopen_request(indicator=indicator, period=last_month(), reason="Typo.", by=owner)
    with pytest.raises(ValidationError):
        reopen_decide(request=asked, by=evaluator_user, reopen=False, note=" ", version=asked.version)
    declined = reopen_decide(
        request=asked,
        by=evaluator_user,
        reopen=False,
        note="The figure matches the source.",
        version=asked.version,
    )
    assert declined.status == "declined" and declined.decision_note == "The figure matches the source."
    assert {m.status for m in Measurement.objects.filter(indicator=indicator)} == {"approved"}
    told = Notification.objects.get(kind=Kind.REOPEN_DECIDED)
    assert told.recipient == owner and "The figure matches the source." in told.body
    with pytest.raises(ValidationError, match="already decided"):
        reopen_decide(request=asked, by=evaluator_user, reopen=True, version=declined.version)


def test_one_request_waits_at_a_time_and_only_for_an_approved_month(indicator, approved, owner):
    reopen_request(indicator=indicator, period=last_month(), reason="Typo.", by=owner)
    with pytest.raises(ValidationError, match="already waiting"):
        reopen_request(indicator=indicator, period=last_month(), reason="Again.", by=owner)
    other = IndicatorFactory(adoption=indicator.adoption, metric__code="other", metric__name="Other")
    MeasurementFactory(indicator=other)  # submitted, not approved
    with pytest.raises(ValidationError, match="approved"):
        reopen_request(indicator=other, period=last_month(), reason="Typo.", by=owner)
    with pytest.raises(ValidationError):
        reopen_request(indicator=indicator, period=last_month(), reason="   ", by=owner)


def test_access_to_asking_and_deciding(client, indicator, approved, owner, reader, evaluator_user):
    asked = reopen_request(indicator=indicator, period=last_month(), reason="Typo.", by=owner)
    # Another hub's member cannot ask for this indicator, nor see the page: 404, nothing written.
    client.force_login(reader)
    assert client.get(ask_url(indicator)).status_code == 404
    assert client.post(ask_url(indicator), {"reason": "Mine now."}).status_code == 404
    with pytest.raises(PermissionDenied):
        reopen_request(indicator=indicator, period=last_month(), reason="x", by=reader)
    # A hub member cannot decide: 403 on the evaluators' page, and from the service.
    for user in (owner, reader):
        client.force_login(user)
        assert client.get(decide_url(asked)).status_code == 403
        assert (
            client.post(decide_url(asked), {"decision": "reopen", "version": asked.version}).status_code
            == 403
        )
        with pytest.raises(PermissionDenied):
            reopen_decide(request=asked, by=user, reopen=True, version=asked.version)
    asked.refresh_from_db()
    assert asked.status == "pending"
    assert {m.status for m in Measurement.objects.filter(indicator=indicator)} == {"approved"}
    client.force_login(evaluator_user)
    assert client.get(reverse("evaluation:reopen_decide", args=[asked.pk + 999])).status_code == 404
    assert client.get(reverse("evaluation:reopen_ask", args=[indicator.pk, "2001-01"])).status_code == 404


def test_the_decide_page_refuses_a_stale_version(client, indicator, approved, owner, evaluator_user):
    asked = reopen_request(indicator=indicator, period=last_month(), reason="Typo.", by=owner)
    client.force_login(evaluator_user)
    response = client.post(decide_url(asked), {"decision": "reopen", "version": asked.version + 1})
    assert response.status_code == 200
    assert "changed since you opened it" in response.content.decode()
    response = client.post(decide_url(asked), {"decision": "decline", "note": "", "version": asked.version})
    assert "Say why the figures stay as approved" in response.content.decode()


def test_the_figures_grid_offers_to_reopen_an_approved_month(client, indicator, approved, owner):
    client.force_login(owner)
    grid = reverse("evaluation:figures_grid", args=[indicator.adoption_id, MONTH])
    assert client.get(grid).content.decode().count(ask_url(indicator)) == 1  # once, on the total's row
