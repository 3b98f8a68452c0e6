"""The home page per role, the hub directory and the hub page: what each user sees, in few queries."""

import pytest
from django.urls import reverse

from evaluation.models import Measurement
from hubs.models import Partnership
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    InnovationFactory,
    MeasurementFactory,
    OrganisationFactory,
    member_of,
)
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_hubs_with_adoptions(hub, other_hub):
    AdoptionFactory(hub=hub, innovation=InnovationFactory(name="BP@home"), stage="testing")
    AdoptionFactory(hub=hub, innovation=InnovationFactory(name="FeNO testing"), stage="sustained")
    AdoptionFactory(
        hub=hub, innovation=InnovationFactory(name="Old pilot"), archived=True, archived_reason="Merged"
    )
    AdoptionFactory(hub=other_hub, innovation=InnovationFactory(name="Virtual wards"), stage="testing")
    return hub, other_hub


def test_hub_staff_see_only_their_hubs_adoptions_grouped_by_stage(client, owner, two_hubs_with_adoptions):
    client.force_login(owner)
    html = client.get(reverse("home")).content.decode()
    assert "BP@home" in html and "FeNO testing" in html
    assert "Virtual wards" not in html  # another hub's
    assert "Old pilot" not in html  # archived
    assert html.index("Testing (PDSA cycles)") < html.index("Sustained")


def test_someone_in_no_hub_is_told_how_to_join(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("newcomer"))
    assert "You are not a member of any hub yet" in client.get(reverse("home")).content.decode()


def test_evaluators_and_admins_start_at_their_to_do_list_with_their_pages_one_click_away(
    client, evaluator_user, admin_user_ahsn
):
    client.force_login(evaluator_user)
    html = client.get(reverse("home")).content.decode()
    assert "Your to-do list" in html and "Indicators across the hubs" in html
    client.force_login(admin_user_ahsn)
    html = client.get(reverse("home")).content.decode()
    assert "Your to-do list" in html and "Programme overview" in html


def test_hub_staff_cannot_open_the_programme_overview(client, owner):
    client.force_login(owner)
    assert client.get(reverse("overview")).status_code == 403


def test_the_programme_overview_counts_adoptions_by_stage(client, evaluator_user, two_hubs_with_adoptions):
    hub, other_hub = two_hubs_with_adoptions
    MeasurementFactory(indicator=IndicatorFactory(adoption=hub.adoptions.first()))
    client.force_login(evaluator_user)
    response = client.get(reverse("overview"))
    rows = {row["hub"].name: row for row in response.context["rows"]}
    labels = response.context["stage_labels"]
    dorset = dict(zip(labels, rows["Dorset"]["counts"], strict=True))
    assert dorset["Testing (PDSA cycles)"] == 1 and dorset["Sustained"] == 1
    assert sum(rows["Dorset"]["counts"]) == 2  # the archived one is not counted
    assert rows["Dorset"]["awaiting_review"] == 1
    assert response.context["status_counts"]["Submitted"] == 1
    assert "Programme overview" in response.content.decode()


def test_the_directory_shows_each_hubs_profile(client, owner, hub):
    partner = OrganisationFactory(name="Dorset Council", kind="local_authority")
    Partnership.objects.create(
        hub=hub, organisation=partner, role=Partnership.Role.DELIVERY, joined_on=hub.start_date
    )
    hub.plus_groups = "Coastal communities"
    hub.save()
    client.force_login(owner)
    html = client.get(reverse("hubs:directory")).content.decode()
    for text in (hub.name, hub.region, hub.host_ahsn.name, hub.lead_organisation.name, "£450,000"):
        assert text in html
    assert "Dorset Council" in html and "Coastal communities" in html


def test_the_hub_page_lists_current_adoptions_and_offers_edit_to_members(
    client, owner, reader, two_hubs_with_adoptions
):
    hub, _ = two_hubs_with_adoptions
    client.force_login(owner)
    html = client.get(hub.get_absolute_url()).content.decode()
    assert "BP@home" in html and "Old pilot" not in html
    assert "Edit the hub&#x27;s profile" in html or "Edit the hub's profile" in html
    client.force_login(reader)
    html = client.get(hub.get_absolute_url()).content.decode()
    assert "BP@home" in html
    assert "Edit the hub" not in html


def test_pages_take_a_fixed_number_of_queries(client, owner, evaluator_user, django_assert_max_num_queries):
    """More hubs and adoptions must not mean more queries (no query per row)."""
    for _ in range(6):
        extra = HubFactory()
        for _ in range(3):
            adoption = AdoptionFactory(hub=extra)
            MeasurementFactory(
                indicator=IndicatorFactory(adoption=adoption), status=Measurement.Status.SUBMITTED
            )
        member_of(extra, username=f"m-{extra.slug}")
        owner.memberships.create(hub=extra)
    client.force_login(owner)
    # the to-do list: a few aggregate queries per kind of work (hub staff: the indicators with a
    # month to show are loaded in full only once the aggregates found some; +1 for complexity checks due)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("home")).status_code == 200
    # +1 on every page: the header counts the person's unread notifications (one COUNT).
    with django_assert_max_num_queries(11):
        assert client.get(reverse("hubs:directory")).status_code == 200
    # The hub page: +2 for the value panel (the hub's benefits, and its approved spend for the return).
    with django_assert_max_num_queries(15):
        assert client.get(extra.get_absolute_url()).status_code == 200
    client.force_login(evaluator_user)
    warm_todo_count(client)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("overview")).status_code == 200


def test_one_header_item_is_current_even_when_urls_nest(client, owner, adoption):
    client.force_login(owner)
    response = client.get(reverse("innovations:adoption_list"))
    current = [item["label"] for item in response.context["nav_items"] if item["active"]]
    assert current == ["Adoptions"]
    response = client.get(reverse("innovations:catalogue"))
    assert [item["label"] for item in response.context["nav_items"] if item["active"]] == ["Innovations"]
