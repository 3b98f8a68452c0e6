"""The NASSS complexity check: its rules, its refusals, who may add one, and the adoption page's history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from innovations.complexity import REASON_MAX_LENGTH, history_rows, movement, next_check_due, profile_summary
from innovations.models import ComplexityCheck
from innovations.services import adoption_archive, complexity_check_add
from tests.factories import AdoptionFactory

from .complexity_data import make_check, ratings

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def adoption(hub):
    return AdoptionFactory(hub=hub, started_on=TODAY - datetime.timedelta(days=400))


def test_a_check_rates_all_seven_domains_with_reasons(adoption, owner):
    check = complexity_check_add(
        adoption=adoption,
        checked_on=TODAY,
        by=owner,
        **ratings(technology="complex", adopters="complex", organisations="complicated"),
    )
    assert check.checked_by == owner
    assert [r.rating for r in check.ratings] == [
        "simple",
        "complex",
        "simple",
        "complex",
        "complicated",
        "simple",
        "simple",
    ]
    assert check.summary == "2 complex, 1 complicated, 4 simple"
    assert check.ratings[1].reason == "Why the technology is complex."


def test_profile_words_and_movement():
    assert profile_summary(["complex"] * 7) == "7 complex"
    assert movement(None, "simple") == "First check"
    assert movement("simple", "simple") == "No change"
    assert movement("simple", "complex") == "More complex (was simple)"
    assert movement("complex", "complicated") == "Simpler (was complex)"


def refused(adoption, by, **fields):
    with pytest.raises(ValidationError) as refusal:
        complexity_check_add(adoption=adoption, by=by, **fields)
    assert not ComplexityCheck.objects.exists()
    return refusal.value.message_dict


def test_a_missing_rating_or_reason_refuses_the_whole_check(adoption, owner):
    fields = ratings()
    del fields["embedding"]
    fields["condition_reason"] = "   "
    errors = refused(adoption, owner, checked_on=TODAY, **fields)
    assert errors == {
        "embedding": ["Rate embedding and adaptation over time: simple, complicated or complex."],
        "condition_reason": ["Say in a few words why the condition is rated so."],
    }


def test_a_rating_outside_the_three_and_a_long_reason_are_refused(adoption, owner):
    fields = ratings(wider_system="chaotic")
    fields["technology_reason"] = "x" * (REASON_MAX_LENGTH + 1)
    errors = refused(adoption, owner, checked_on=TODAY, **fields)
    assert set(errors) == {"wider_system", "technology_reason"}
    assert (
        f"{REASON_MAX_LENGTH} characters or fewer (it has {REASON_MAX_LENGTH + 1})"
        in errors["technology_reason"][0]
    )


@pytest.mark.parametrize(
    "on, message",
    [
        (TODAY + datetime.timedelta(days=1), "cannot be in the future"),
        (TODAY - datetime.timedelta(days=401), "cannot be before the adoption started"),
        (None, "Enter the date of the check."),
    ],
)
def test_the_date_is_not_in_the_future_nor_before_the_start(adoption, owner, on, message):
    assert message in refused(adoption, owner, checked_on=on, **ratings())["checked_on"][0]


def test_one_check_per_day(adoption, owner):
    make_check(adoption, TODAY)
    with pytest.raises(ValidationError) as refusal:
        complexity_check_add(adoption=adoption, by=owner, checked_on=TODAY, **ratings("complex"))
    assert "already has a complexity check on that date" in refusal.value.message_dict["checked_on"][0]
    assert ComplexityCheck.objects.get().condition == "simple"


def test_an_archived_adoption_is_not_checked(adoption, owner):
    adoption_archive(adoption=adoption, reason="Merged into a wider programme", by=owner)
    with pytest.raises(ValidationError):
        complexity_check_add(adoption=adoption, by=owner, checked_on=TODAY, **ratings())
    assert not ComplexityCheck.objects.exists()


@pytest.mark.parametrize("who", ["reader", "evaluator_user", "admin_user_ahsn", "public", "former_member"])
def test_only_the_hubs_own_staff_add_checks(adoption, who, request):
    with pytest.raises(PermissionDenied):
        complexity_check_add(
            adoption=adoption, by=request.getfixturevalue(who), checked_on=TODAY, **ratings()
        )
    assert not ComplexityCheck.objects.exists()


def test_the_hub_lead_adds_a_check(adoption, lead):
    complexity_check_add(adoption=adoption, by=lead, checked_on=TODAY, **ratings())
    assert ComplexityCheck.objects.get().checked_by == lead


def test_checks_are_never_changed_nor_deleted_through_the_portal(adoption, owner, admin_user_ahsn):
    make_check(adoption, TODAY)
    assert not ComplexityCheck.objects.changeable_by(owner).exists()
    assert not ComplexityCheck.objects.changeable_by(admin_user_ahsn).exists()


def test_history_rows_say_how_each_domain_moved(adoption):
    first = make_check(adoption, TODAY - datetime.timedelta(days=200), technology="complex")
    second = make_check(adoption, TODAY, technology="complicated", wider_system="complex")
    rows = {row.label: row.cells for row in history_rows([first, second])}
    assert [c.moved for c in rows["The technology"]] == ["First check", "Simpler (was complex)"]
    assert [c.moved for c in rows["The wider system"]] == ["First check", "More complex (was simple)"]
    assert [c.moved for c in rows["The condition"]] == ["First check", "No change"]


# Pages -------------------------------------------------------------------------------------------


def add_url(adoption):
    return reverse("innovations:complexity_check_add", args=[adoption.pk])


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("lead", 200),
        ("reader", 403),
        ("evaluator_user", 403),
        ("admin_user_ahsn", 403),
    ],
)
def test_the_add_page_is_for_the_hubs_own_staff(client, adoption, who, status, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(add_url(adoption)).status_code == status
    assert client.post(add_url(adoption), {"checked_on": TODAY, **ratings()}).status_code in (
        {302} if status == 200 else {403}
    )
    assert ComplexityCheck.objects.count() == (1 if status == 200 else 0)


def test_the_public_is_sent_to_sign_in_and_reads_no_check(client, adoption, public, evaluator_user):
    make_check(adoption, TODAY)
    for url in (add_url(adoption), adoption.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    client.post(add_url(adoption), {"checked_on": TODAY - datetime.timedelta(days=1), **ratings()})
    assert ComplexityCheck.objects.count() == 1
    assert not ComplexityCheck.objects.for_user(public).exists()
    assert ComplexityCheck.objects.for_user(evaluator_user).count() == 1


def test_an_adoption_nobody_may_see_is_404_for_the_add_page(client, owner):
    client.force_login(owner)
    assert client.get(reverse("innovations:complexity_check_add", args=[999999])).status_code == 404


def test_bad_input_shows_messages_next_to_the_fields_and_a_summary(client, adoption, owner):
    client.force_login(owner)
    fields = ratings()
    fields["adopters_reason"] = ""
    del fields["organisations"]
    response = client.post(add_url(adoption), {"checked_on": TODAY + datetime.timedelta(days=3), **fields})
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert "Say in a few words why the adopters (staff, patients, carers) is rated so." in html
    assert "Rate the organisations: simple, complicated or complex." in html
    assert 'id="id_adopters_reason"' in html and "nhsuk-textarea--error" in html
    assert not ComplexityCheck.objects.exists()


def test_a_service_refusal_lands_next_to_the_date(client, adoption, owner):
    client.force_login(owner)
    response = client.post(
        add_url(adoption), {"checked_on": TODAY - datetime.timedelta(days=500), **ratings()}
    )
    assert "cannot be before the adoption started" in response.content.decode()
    assert not ComplexityCheck.objects.exists()


@pytest.mark.parametrize("who", ["owner", "reader", "evaluator_user", "admin_user_ahsn"])
def test_everyone_signed_in_reads_the_history_on_the_adoption_page(client, adoption, who, request):
    make_check(adoption, TODAY - datetime.timedelta(days=190), technology="complex", adopters="complicated")
    make_check(adoption, TODAY - datetime.timedelta(days=10), technology="complicated", adopters="complex")
    client.force_login(request.getfixturevalue(who))
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert "Complexity (NASSS)" in html
    assert "1 complex, 1 complicated, 5 simple, checked" in html  # the latest profile
    assert "Simpler (was complex)" in html and "More complex (was complicated)" in html
    due = next_check_due(adoption.started_on, TODAY - datetime.timedelta(days=10))
    assert f"{due.day} {due:%B %Y}" in html
    assert ("Add a complexity check" in html) == (who == "owner")


def test_the_page_says_when_the_first_check_is_due(client, hub, owner):
    adoption = AdoptionFactory(hub=hub, started_on=datetime.date(2026, 8, 31))
    client.force_login(owner)
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert "Not checked yet" in html
    assert "30 November 2026" in html
