"""The spend pages for every role: who reads, who enters, who submits, who reviews; errors on the field."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubs.models import Membership
from tests.factories import HubFactory, MembershipFactory
from value.models import SpendLine, SpendQuarter
from value.services import spend_quarter_open

from .spend_helpers import approved_quarter, nth_quarter, submitted_quarter


@pytest.fixture
def users(hub, owner, lead, reader, evaluator_user, admin_user_ahsn):
    return {
        "lead": lead,
        "member": owner,
        "other hub": reader,
        "evaluator": evaluator_user,
        "ahsn admin": admin_user_ahsn,
    }


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    "role, hub_page, overview",
    [
        ("lead", 200, 403),
        ("member", 200, 403),
        ("other hub", 200, 403),
        ("evaluator", 200, 200),
        ("ahsn admin", 200, 200),
        (None, 302, 302),
    ],
)
def test_who_reads_the_spend_pages(client, hub, users, role, hub_page, overview):
    user = users[role] if role else None
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=users["member"])
    assert _get(client, user, reverse("value:hub_spend", args=[hub.slug])).status_code == hub_page
    assert _get(client, user, reverse("value:spend_overview")).status_code == overview
    assert _get(client, user, reverse("value:quarter", args=[quarter.pk])).status_code == hub_page
    if role is None:  # the public is sent to sign in, and never sees spend
        assert "/accounts/login/" in client.get(reverse("value:hub_spend", args=[hub.slug]))["Location"]


def test_anyone_signed_in_sees_no_hub_that_does_not_exist(client, reader):
    client.force_login(reader)
    assert client.get(reverse("value:hub_spend", args=["nowhere"])).status_code == 404
    assert client.get(reverse("value:quarter", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    "role, status", [("member", 302), ("lead", 302), ("other hub", 403), ("evaluator", 403)]
)
def test_only_the_hubs_staff_start_a_quarter(client, hub, users, role, status):
    client.force_login(users[role])
    response = client.post(
        reverse("value:quarter_open", args=[hub.slug]), {"start": _typed(nth_quarter(hub, 1))}
    )
    assert response.status_code == status
    assert SpendQuarter.objects.count() == (1 if status == 302 else 0)


def _typed(start) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("2001 Q1", "outside the award period"),
        ("2099 Q4", "outside the award period"),
        ("Spring", "Enter a quarter as a year and Q1 to Q4"),
    ],
)
def test_a_bad_quarter_is_refused_next_to_the_field_and_in_the_summary(client, hub, owner, typed, message):
    client.force_login(owner)
    response = client.post(reverse("value:quarter_open", args=[hub.slug]), {"start": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "nhsuk-error-summary" in html and 'id="id_start-error"' in html or "nhsuk-error-message" in html
    assert not SpendQuarter.objects.exists()


def test_a_duplicate_quarter_is_refused_on_the_page(client, hub, owner):
    spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    client.force_login(owner)
    response = client.post(
        reverse("value:quarter_open", args=[hub.slug]), {"start": _typed(nth_quarter(hub, 1))}
    )
    assert "already has spend" in response.content.decode()
    assert SpendQuarter.objects.count() == 1


def test_a_member_adds_a_line_and_a_negative_one_is_refused_on_its_field(client, hub, owner):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    client.force_login(owner)
    url = reverse("value:line_add", args=[quarter.pk])
    fields = {"category": "staff", "amount": "-12.50", "version": quarter.version, "description": "Salary"}
    response = client.post(url, fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be negative unless it is marked as a refund" in html
    assert "nhsuk-error-summary" in html
    assert not SpendLine.objects.exists()
    response = client.post(url, {**fields, "amount": "1250.10", "staff_hours": "37.5", "staff_wte": "0.2"})
    assert response.status_code == 302
    page = client.get(reverse("value:quarter", args=[quarter.pk])).content.decode()
    assert "£1,250.10" in page and "37.5 hours" in page and "0.20 WTE" in page


def test_a_stale_line_is_refused_and_says_so(client, hub, owner, lead):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    client.force_login(lead)
    url = reverse("value:line_add", args=[quarter.pk])
    client.post(url, {"category": "staff", "amount": "10", "version": quarter.version})
    client.force_login(owner)
    response = client.post(url, {"category": "digital", "amount": "20", "version": quarter.version})
    assert "Someone else saved this since you opened it" in response.content.decode()
    assert SpendLine.objects.count() == 1


def test_the_lead_submits_a_member_cannot(client, hub, owner, lead):
    quarter = spend_quarter_open(hub=hub, start=nth_quarter(hub, 1), by=owner)
    client.force_login(owner)
    client.post(
        reverse("value:line_add", args=[quarter.pk]), {"category": "staff", "amount": "10", "version": 1}
    )
    quarter.refresh_from_db()
    page = client.get(reverse("value:quarter", args=[quarter.pk])).content.decode()
    assert "Submit the quarter" not in page
    url = reverse("value:quarter_submit", args=[quarter.pk])
    assert client.post(url, {"version": quarter.version}).status_code == 403
    client.force_login(lead)
    assert "Submit the quarter" in client.get(reverse("value:quarter", args=[quarter.pk])).content.decode()
    client.post(url, {"version": quarter.version})
    quarter.refresh_from_db()
    assert quarter.status == SpendQuarter.Status.SUBMITTED


def test_an_evaluator_approves_or_returns_others_cannot(
    client, hub, lead, reader, evaluator_user, admin_user_ahsn
):
    quarter = submitted_quarter(hub, nth_quarter(hub, 1), lead=lead, amounts=["100"])
    url = reverse("value:quarter_review", args=[quarter.pk])
    for user in (lead, reader, admin_user_ahsn):
        client.force_login(user)
        assert client.post(url, {"version": quarter.version, "decision": "approve"}).status_code == 403
    client.force_login(evaluator_user)
    response = client.post(url, {"version": quarter.version, "decision": "return", "note": ""})
    assert "a returned quarter needs a note" in response.content.decode()
    client.post(url, {"version": quarter.version, "decision": "return", "note": "Split staff costs."})
    quarter.refresh_from_db()
    assert quarter.status == SpendQuarter.Status.RETURNED
    client.force_login(lead)
    assert "Split staff costs." in client.get(reverse("value:quarter", args=[quarter.pk])).content.decode()


def test_the_hub_page_shows_spend_forecast_chart_and_warnings(client, hub, lead, evaluator_user):
    hub.award = Decimal("1000.00")
    hub.save()
    approved_quarter(hub, nth_quarter(hub, 0), lead=lead, evaluator=evaluator_user, amounts=["400"])
    client.force_login(lead)
    html = client.get(reverse("value:hub_spend", args=[hub.slug])).content.decode()
    assert "£400.00" in html
    assert "<title" in html and "<svg" in html
    assert "Forecast passes the award" in html
    assert "average approved spend of the last 4" in html
    assert "Spend against the award" in client.get(hub.get_absolute_url()).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_quarters_or_hubs(client, hub, lead, evaluator_user):
    client.force_login(evaluator_user)
    hub_url = reverse("value:hub_spend", args=[hub.slug])
    approved_quarter(hub, nth_quarter(hub, 0), lead=lead, evaluator=evaluator_user, amounts=["1"])
    _queries(client, hub_url)  # the first page of a session counts the to-do list; later ones read it
    few = (_queries(client, hub_url), _queries(client, reverse("value:spend_overview")))
    for n in (1, 2, 3):
        approved_quarter(hub, nth_quarter(hub, n), lead=lead, evaluator=evaluator_user, amounts=["1", "2"])
    other = HubFactory()
    other_lead = MembershipFactory(hub=other, role=Membership.Role.LEAD).user
    approved_quarter(other, nth_quarter(other, 0), lead=other_lead, evaluator=evaluator_user, amounts=["5"])
    many = (_queries(client, hub_url), _queries(client, reverse("value:spend_overview")))
    assert many == few
