"""The benefits pages: who may read and change them, bad input on the page, and constant query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from value.models import Benefit, RealisedValue
from value.services import benefit_record_realised

from .conftest import add_benefit

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def page(client, user, url, data=None):
    if user is not None and user.is_authenticated:
        client.force_login(user)
    return client.post(url, data) if data is not None else client.get(url)


def form_data(**overrides):
    data = {
        "title": "Bed days saved",
        "description": "",
        "kind": "capacity_released",
        "measure": "Admissions avoided × average stay",
        "indicator": "",
        "expected_value": "120",
        "unit": "bed_days",
        "expected_by": "2027-03-31",
    }
    data.update(overrides)
    return data


@pytest.fixture
def realised(benefit, owner):
    return benefit_record_realised(
        benefit=benefit,
        by=owner,
        version=benefit.version,
        value=Decimal("4500"),
        as_of=YESTERDAY,
        evidence="Ledger",
    )


@pytest.mark.parametrize(
    "who, read, change, sign_off",
    [
        ("lead", 200, 200, 200),
        ("owner", 200, 200, 403),
        ("reader", 200, 403, 403),
        ("evaluator_user", 200, 403, 200),
        ("admin_user_ahsn", 200, 403, 403),
    ],
)
def test_access_for_every_role(client, request, benefit, realised, who, read, change, sign_off):
    user = request.getfixturevalue(who)
    client.force_login(user)
    adoption = benefit.adoption
    for url in (
        reverse("value:adoption_benefits", args=[adoption.pk]),
        reverse("value:benefit_detail", args=[benefit.pk]),
        reverse("value:hub_benefits", args=[adoption.hub.slug]),
        adoption.get_absolute_url(),
        adoption.hub.get_absolute_url(),
    ):
        assert client.get(url).status_code == read, url
    for name, target in (
        ("value:benefit_add", adoption.pk),
        ("value:benefit_edit", benefit.pk),
        ("value:benefit_realised", benefit.pk),
        ("value:benefit_archive", benefit.pk),
    ):
        assert client.get(reverse(name, args=[target])).status_code == change, name
    assert client.get(reverse("value:benefit_sign_off", args=[benefit.pk])).status_code == sign_off


def test_the_public_is_sent_to_sign_in_and_unknown_records_are_404(client, benefit, owner):
    response = client.get(reverse("value:benefit_detail", args=[benefit.pk]))
    assert response.status_code == 302 and "login" in response.url
    client.force_login(owner)
    assert client.get(reverse("value:benefit_detail", args=[benefit.pk + 999])).status_code == 404
    assert client.get(reverse("value:benefit_edit", args=[benefit.pk + 999])).status_code == 404
    assert client.get(reverse("value:hub_benefits", args=["nowhere"])).status_code == 404


def test_another_hubs_staff_cannot_post_either(client, benefit, reader):
    response = page(client, reader, reverse("value:benefit_edit", args=[benefit.pk]), form_data(version=1))
    assert response.status_code == 403
    assert Benefit.objects.get().title == "Fewer outpatient follow-ups"


def test_add_a_benefit_and_see_it_on_the_adoption_page(client, adoption, owner):
    response = page(client, owner, reverse("value:benefit_add", args=[adoption.pk]), form_data())
    benefit = Benefit.objects.get()
    assert response.status_code == 302 and response.url == benefit.get_absolute_url()
    assert benefit.expected_value == Decimal("120.00") and benefit.created_by == owner
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert "Bed days saved" in html and "120 bed days" in html


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("expected_value", "-5", "Enter zero or more."),
        ("expected_value", "12.345", "Enter an amount with no more than 2 decimal places."),
        ("expected_value", "99999999999", "Enter an amount below 10,000,000,000."),
        ("expected_value", "lots", "Enter an amount as a number"),
        ("expected_by", "2027-02-30", "Enter a real date"),
        ("title", "", "Enter what the benefit is."),
        ("title", "x" * 201, "Ensure this value has at most 200 characters"),
        ("kind", "priceless", "Select a valid choice"),
        ("unit", "hours", "A cash-releasing benefit is measured in pounds"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(
    client, adoption, owner, field, value, message
):
    data = form_data(kind="cash_releasing", unit="gbp")
    data[field] = value
    response = page(client, owner, reverse("value:benefit_add", args=[adoption.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert f'id="id_{field}-error"' in html or f"id_{field}" in html
    assert message in html
    assert not Benefit.objects.exists()


def test_an_indicator_of_another_adoption_is_refused(client, adoption, owner):
    from tests.factories import IndicatorFactory

    elsewhere = IndicatorFactory()
    data = form_data(indicator=str(elsewhere.pk))
    html = page(client, owner, reverse("value:benefit_add", args=[adoption.pk]), data).content.decode()
    assert "Choose one of this adoption&#x27;s own indicators." in html
    assert not Benefit.objects.exists()


def test_record_realised_then_sign_off_as_lead(client, benefit, owner, lead):
    url = reverse("value:benefit_realised", args=[benefit.pk])
    bad = page(client, owner, url, {"value": "100", "as_of": "2999-01-01", "evidence": "", "version": 1})
    html = bad.content.decode()
    assert "nhsuk-error-summary" in html and "cannot be in the future" not in html  # evidence missing first
    assert "Say what the evidence is." in html
    future = page(
        client, owner, url, {"value": "100", "as_of": "2999-01-01", "evidence": "Audit", "version": 1}
    )
    assert "The date cannot be in the future" in future.content.decode()
    assert not RealisedValue.objects.exists()
    done = page(
        client,
        owner,
        url,
        {"value": "2500.50", "as_of": YESTERDAY.isoformat(), "evidence": "Audit", "version": 1},
    )
    assert done.status_code == 302
    detail = client.get(benefit.get_absolute_url()).content.decode()
    assert "£2,500.50" in detail and "Not signed off" in detail
    benefit.refresh_from_db()
    signed = page(
        client, lead, reverse("value:benefit_sign_off", args=[benefit.pk]), {"version": benefit.version}
    )
    assert signed.status_code == 302
    assert RealisedValue.objects.get().signed_off_by == lead


def test_a_stale_edit_says_what_changed(client, benefit, owner, lead):
    url = reverse("value:benefit_edit", args=[benefit.pk])
    page(client, owner, url, form_data(kind="cash_releasing", unit="gbp", expected_value="20000", version=1))
    client.logout()
    response = page(
        client, lead, url, form_data(kind="cash_releasing", unit="gbp", title="Renamed", version=1)
    )
    html = response.content.decode()
    assert "Someone else saved this since you opened it" in html
    assert Benefit.objects.get().title == "Bed days saved"


def test_archive_from_the_page(client, benefit, owner):
    url = reverse("value:benefit_archive", args=[benefit.pk])
    assert (
        "Say why the benefit is archived."
        in page(client, owner, url, {"reason": "", "version": 1}).content.decode()
    )
    assert page(client, owner, url, {"reason": "Counted twice", "version": 1}).status_code == 302
    benefit.refresh_from_db()
    assert benefit.archived
    listing = client.get(reverse("value:adoption_benefits", args=[benefit.adoption_id])).content.decode()
    assert "Archived benefits" in listing and "Counted twice" in listing


def test_hub_summary_shows_expected_and_realised_by_kind_and_no_return_without_spend(
    client, benefit, realised, reader
):
    add_benefit(
        benefit.adoption,
        realised.recorded_by,
        kind="capacity_released",
        unit="hours",
        expected_value=Decimal("300"),
    )
    html = page(
        client, reader, reverse("value:hub_benefits", args=[benefit.adoption.hub.slug])
    ).content.decode()
    assert "£12,000" in html and "£4,500" in html and "300 hours" in html
    assert "No approved spend yet" in html
    assert "never added" in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_number_of_benefits(client, adoption, owner, lead):
    client.force_login(lead)
    add_benefit(adoption, owner)
    urls = [
        reverse("value:adoption_benefits", args=[adoption.pk]),
        reverse("value:hub_benefits", args=[adoption.hub.slug]),
        adoption.get_absolute_url(),
        adoption.hub.get_absolute_url(),
    ]
    [_queries(client, url) for url in urls]  # the first request also reads the session's first bits
    few = [_queries(client, url) for url in urls]
    for index in range(6):
        benefit = add_benefit(
            adoption, owner, title=f"Benefit {index}", kind="quality", unit="percentage_points"
        )
        benefit_record_realised(
            benefit=benefit,
            by=owner,
            version=benefit.version,
            value=Decimal(index),
            as_of=YESTERDAY,
            evidence="x",
        )
    detail_few = _queries(client, reverse("value:benefit_detail", args=[benefit.pk]))
    for _ in range(5):
        benefit.refresh_from_db()
        benefit_record_realised(
            benefit=benefit,
            by=owner,
            version=benefit.version,
            value=Decimal(9),
            as_of=YESTERDAY,
            evidence="y",
        )
    assert [_queries(client, url) for url in urls] == few
    assert _queries(client, reverse("value:benefit_detail", args=[benefit.pk])) == detail_few


def test_a_few_people_read_as_fewer_than_eight_but_to_the_hub_and_evaluators(
    client, adoption, owner, reader, evaluator_user, admin_user_ahsn
):
    equity = add_benefit(
        adoption,
        owner,
        title="People reached in IMD 1",
        kind="equity",
        unit="people",
        expected_value=Decimal("40"),
    )
    benefit_record_realised(
        benefit=equity,
        by=owner,
        version=equity.version,
        value=Decimal("5"),
        as_of=YESTERDAY,
        evidence="Records",
    )
    urls = [
        reverse("value:hub_benefits", args=[adoption.hub.slug]),
        reverse("value:adoption_benefits", args=[adoption.pk]),
        equity.get_absolute_url(),
        adoption.get_absolute_url(),
    ]
    for user, shown in (
        (owner, "5 people"),
        (evaluator_user, "5 people"),
        (reader, "&lt;8 people"),
        (admin_user_ahsn, "&lt;8 people"),
    ):
        client.force_login(user)
        for url in urls:
            html = client.get(url).content.decode()
            assert shown in html, (user, url)
            assert "40 people" in html
            if shown != "5 people":
                assert ">5 people" not in html and " 5 people" not in html
