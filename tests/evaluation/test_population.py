"""A hub's local population shares: entered by its lead or an AHSN admin, bounded, from a named source."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import PopulationShare
from evaluation.vocabulary import IMD, PLUS, SEX
from hubs.models import Membership
from tests.factories import MembershipFactory, PlusGroupFactory, UserFactory, breakdown_group, imd

pytestmark = pytest.mark.django_db

CENSUS = {"source": "ONS Census 2021, TS021", "source_date": "2021-03-21"}


def url(hub, code: str) -> str:
    return reverse("evaluation:population_edit", args=[hub.slug, code])


def opened(client, hub, code: str) -> dict:
    """The form as the page gives it: the hidden token of what it showed, and the fields' values."""
    form = client.get(url(hub, code)).context["form"]
    return {name: "" if form[name].value() is None else str(form[name].value()) for name in form.fields}


def imd_shares(*shares) -> dict:
    return {f"share_{imd(q).pk}": str(share) for q, share in enumerate(shares, start=1)}


def test_the_hubs_lead_enters_the_shares_with_their_source_and_date(client, hub, lead):
    client.force_login(lead)
    data = opened(client, hub, IMD) | imd_shares(35.5, 25, 20, 12, 7.5) | CENSUS
    response = client.post(url(hub, IMD), data, follow=True)
    html = response.content.decode()
    assert "population shares are saved: IMD quintile." in html
    shares = dict(PopulationShare.objects.filter(hub=hub).values_list("group__code", "share"))
    assert shares == {"1": Decimal("35.5"), "2": 25, "3": 20, "4": 12, "5": Decimal("7.5")}
    first = PopulationShare.objects.get(hub=hub, group=imd(1))
    assert (first.source, first.source_date, first.entered_by) == (
        "ONS Census 2021, TS021",
        datetime.date(2021, 3, 21),
        lead,
    )
    assert first.history.get().history_user == lead
    # The hub's page shows them, with their source.
    assert "35.5%" in html and "Source: ONS Census 2021, TS021, 21 March 2021." in html


@pytest.mark.parametrize(
    "typed, message",
    [
        ("101", "Enter a number no larger than 100."),
        ("-1", "A share cannot be negative."),
        ("12.345", "Enter a number with at most 2 decimal places."),
        ("lots", "Enter a number."),
    ],
)
def test_each_share_is_bounded_next_to_its_field(client, hub, lead, typed, message):
    client.force_login(lead)
    data = opened(client, hub, IMD) | imd_shares(typed, 20) | CENSUS
    errors = client.post(url(hub, IMD), data).context["form"].errors
    assert errors[f"share_{imd(1).pk}"] == [message]
    assert not PopulationShare.objects.exists()


def test_the_shares_of_a_breakdown_that_splits_people_cannot_pass_100_but_plus_groups_may(client, hub, lead):
    client.force_login(lead)
    data = opened(client, hub, IMD) | imd_shares(40, 30, 20, 10, 0.01) | CENSUS
    response = client.post(url(hub, IMD), data)
    assert response.context["form"].non_field_errors() == [
        "The IMD quintile shares add up to 100.01%: each person is in one group, "
        "so together they cannot be more than 100%."
    ]
    assert "There is a problem" in response.content.decode()  # the error summary
    assert not PopulationShare.objects.exists()
    # A person may be in more than one PLUS group: theirs are not added up.
    carers, coastal = PlusGroupFactory(hub=hub, label="Carers"), PlusGroupFactory(hub=hub, label="Coastal")
    data = opened(client, hub, PLUS) | {f"share_{carers.pk}": "60", f"share_{coastal.pk}": "55"} | CENSUS
    assert client.post(url(hub, PLUS), data).status_code == 302
    assert PopulationShare.objects.filter(hub=hub).count() == 2


def test_a_source_and_a_date_not_in_the_future_are_needed(client, hub, lead):
    client.force_login(lead)
    data = opened(client, hub, SEX) | {f"share_{breakdown_group(SEX, 'female').pk}": "51"}
    errors = client.post(url(hub, SEX), data | {"source": "", "source_date": ""}).context["form"].errors
    assert errors["source"] == ["Say where the shares come from."]
    assert errors["source_date"] == ["Enter the date of the source."]
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    errors = (
        client.post(url(hub, SEX), data | {**CENSUS, "source_date": f"{tomorrow:%Y-%m-%d}"})
        .context["form"]
        .errors
    )
    assert errors["source_date"] == ["The date of the source cannot be in the future."]
    assert not PopulationShare.objects.exists()


def test_a_share_left_blank_is_removed_and_its_history_kept(client, hub, lead):
    client.force_login(lead)
    client.post(url(hub, IMD), opened(client, hub, IMD) | imd_shares(30, 20) | CENSUS)
    data = opened(client, hub, IMD) | {f"share_{imd(2).pk}": ""}
    assert client.post(url(hub, IMD), data).status_code == 302
    assert list(PopulationShare.objects.values_list("group__code", flat=True)) == ["1"]
    assert PopulationShare.history.filter(history_type="-").count() == 1


def test_shares_changed_since_the_page_opened_are_not_overwritten(client, hub, lead, admin_user_ahsn):
    client.force_login(lead)
    stale = opened(client, hub, IMD) | imd_shares(30) | CENSUS
    client.force_login(admin_user_ahsn)  # an AHSN admin enters them meanwhile
    client.post(url(hub, IMD), opened(client, hub, IMD) | imd_shares(28) | CENSUS)
    client.force_login(lead)
    response = client.post(url(hub, IMD), stale)
    assert (
        "Someone else changed these population shares since you opened the page" in response.content.decode()
    )
    assert PopulationShare.objects.get().share == 28
    # Having seen them, saving again is a choice: the form now carries what is saved.
    again = {**stale, "seen": response.context["form"].data["seen"]}
    assert client.post(url(hub, IMD), again).status_code == 302
    assert PopulationShare.objects.get().share == 30


def test_who_may_enter_a_hubs_shares(client, hub, owner, evaluator_user, admin_user_ahsn, other_hub):
    other_lead = MembershipFactory(
        hub=other_hub, user=UserFactory(username="x-lead"), role=Membership.Role.LEAD
    )
    for user, status in ((owner, 403), (evaluator_user, 403), (other_lead.user, 404)):
        client.force_login(user)
        assert client.get(url(hub, IMD)).status_code == status, user
        assert client.post(url(hub, IMD), imd_shares(10) | CENSUS).status_code == status
    assert not PopulationShare.objects.exists()
    client.force_login(admin_user_ahsn)  # an AHSN admin enters any hub's
    assert client.post(url(hub, IMD), opened(client, hub, IMD) | imd_shares(10) | CENSUS).status_code == 302
    assert PopulationShare.objects.get().entered_by == admin_user_ahsn


def test_another_hubs_own_group_is_not_a_breakdown_here(client, hub, lead, other_hub):
    theirs = PlusGroupFactory(hub=other_hub, label="Gypsy, Roma and Traveller communities")
    client.force_login(lead)
    assert client.get(url(hub, PLUS)).status_code == 404  # Dorset has no PLUS groups of its own
    ours = PlusGroupFactory(hub=hub, label="Carers")
    data = opened(client, hub, PLUS) | {f"share_{ours.pk}": "3", f"share_{theirs.pk}": "50"} | CENSUS
    client.post(url(hub, PLUS), data)
    assert list(PopulationShare.objects.values_list("group", flat=True)) == [ours.pk]
