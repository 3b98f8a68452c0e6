"""Who sends an indicator's figures: hub staff choose a member of its hub, or leave it to the hub's lead."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation.models import Indicator
from evaluation.owners import owner_of
from evaluation.services import indicator_update
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def edit_url(indicator):
    return reverse("evaluation:indicator_edit", args=[indicator.pk])


@pytest.fixture
def colleague(hub):
    return member_of(hub, username="colleague", first_name="Sam", last_name="Jones")


def test_left_empty_the_hubs_lead_answers_and_the_page_says_who(client, enrolled, owner, lead):
    client.force_login(owner)
    html = client.get(edit_url(enrolled)).content.decode()
    assert "Left empty: the hub’s lead (Lee Lead)" in html
    assert owner_of(enrolled) == lead


def test_hub_staff_choose_a_member_of_the_hub(client, enrolled, owner, lead, colleague):
    client.force_login(owner)
    response = client.post(edit_url(enrolled), {"target": "", "owner": colleague.pk, "version": 1})
    assert response.status_code == 302
    enrolled.refresh_from_db()
    assert (enrolled.owner, enrolled.version) == (colleague, 2)
    assert owner_of(enrolled) == colleague
    latest = enrolled.history.latest()
    assert (latest.owner_id, latest.history_user) == (colleague.pk, owner)
    # Emptied again, the lead answers once more.
    client.post(edit_url(enrolled), {"target": "", "owner": "", "version": 2})
    enrolled.refresh_from_db()
    assert enrolled.owner is None and owner_of(enrolled) == lead


def test_only_active_members_of_the_hub_are_offered(client, enrolled, owner, reader, colleague):
    member_of(enrolled.adoption.hub, username="gone", first_name="Gone", last_name="Away", is_active=False)
    client.force_login(owner)
    offered = list(client.get(edit_url(enrolled)).context["form"].fields["owner"].queryset)
    assert colleague in offered and owner in offered
    assert reader not in offered
    assert all(user.is_active for user in offered)


def test_someone_outside_the_hub_is_refused_by_the_field(client, enrolled, owner, reader):
    client.force_login(owner)
    response = client.post(edit_url(enrolled), {"target": "", "owner": reader.pk, "version": 1})
    assert response.status_code == 200
    assert response.context["form"].errors["owner"] == ["Choose a member of Dorset."]
    assert "Choose a member of Dorset." in response.content.decode()
    assert Indicator.objects.get(pk=enrolled.pk).owner is None


def test_the_service_refuses_an_owner_outside_the_hub_or_inactive(enrolled, owner, reader):
    with pytest.raises(ValidationError) as refused:
        indicator_update(indicator=enrolled, by=owner, version=1, owner=reader)
    assert refused.value.message_dict == {
        "owner": ["Choose a member of Dorset: Alex " + reader.last_name + " is not one."]
    }
    gone = member_of(enrolled.adoption.hub, username="gone", is_active=False)
    with pytest.raises(ValidationError):
        indicator_update(indicator=enrolled, by=owner, version=1, owner=gone)
    assert Indicator.objects.get(pk=enrolled.pk).owner is None


def test_an_inactive_owner_hands_back_to_the_lead(enrolled, colleague, lead, owner):
    indicator_update(indicator=enrolled, by=owner, version=1, owner=colleague)
    colleague.is_active = False
    colleague.save()
    assert owner_of(Indicator.objects.select_related("owner", "adoption").get(pk=enrolled.pk)) == lead
