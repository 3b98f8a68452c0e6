"""Breakdowns as data: the national dimensions and groups, and each hub's own PLUS groups, kept by its lead."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from evaluation import breakdowns
from evaluation.models import BreakdownDimension, BreakdownGroup, Measurement
from evaluation.vocabulary import AGE_BAND, ETHNIC_GROUP, IMD, PLUS, SEX
from hubs.models import Membership
from tests.factories import MeasurementFactory, MembershipFactory, PlusGroupFactory, UserFactory, last_month

pytestmark = pytest.mark.django_db


def page_url(hub) -> str:
    return reverse("evaluation:hub_breakdowns", args=[hub.slug])


def archive_url(group) -> str:
    return reverse("evaluation:group_archive", args=[group.hub.slug, group.pk])


def test_the_national_breakdowns_are_there_in_order_with_the_ons_groups():
    dimensions = {d.code: d for d in BreakdownDimension.objects.all()}
    assert list(dimensions) == [IMD, ETHNIC_GROUP, AGE_BAND, SEX, PLUS]
    labels = lambda code: list(  # noqa: E731
        BreakdownGroup.objects.filter(dimension__code=code, hub=None).values_list("label", flat=True)
    )
    assert labels(ETHNIC_GROUP) == [
        "Asian, Asian British or Asian Welsh",
        "Black, Black British, Black Welsh, Caribbean or African",
        "Mixed or Multiple ethnic groups",
        "White",
        "Other ethnic group",
    ]
    assert labels(SEX) == ["Female", "Male"]
    assert labels(AGE_BAND)[0] == "0 to 17" and labels(AGE_BAND)[-1] == "85 and over"
    assert labels(PLUS) == []  # each hub's own
    # Groups that split people are added up to the total (flags); PLUS groups, which overlap, are not.
    assert [code for code, d in dimensions.items() if not d.partitions] == [PLUS]


def test_a_hubs_lead_adds_a_plus_group_with_a_code_for_files(client, hub, lead):
    client.force_login(lead)
    response = client.post(page_url(hub), {"label": "  People experiencing   homelessness "}, follow=True)
    assert "“People experiencing homelessness” is added" in response.content.decode()
    group = BreakdownGroup.objects.get(hub=hub)
    assert (group.dimension.code, group.code, group.label) == (
        PLUS,
        "people-experiencing-homelessness",
        group.label,
    )
    assert group.history.get().history_user == lead
    # The same name again, in any case, is refused next to the field; a name whose code is taken gets another.
    response = client.post(page_url(hub), {"label": "PEOPLE EXPERIENCING HOMELESSNESS"})
    assert response.context["form"].errors["label"] == [
        "Dorset already has a group called “People experiencing homelessness”."
    ]
    added = breakdowns.group_add(hub=hub, label="People experiencing homelessness!", by=lead)
    assert added.code == "people-experiencing-homelessness-2"


def test_names_are_bounded(hub, lead):
    with pytest.raises(ValidationError, match="100 characters or fewer"):
        breakdowns.group_add(hub=hub, label="x" * 101, by=lead)
    with pytest.raises(ValidationError, match="Enter the group's name"):
        breakdowns.group_add(hub=hub, label="   ", by=lead)


def test_the_database_holds_one_name_per_hub_and_lets_two_hubs_share_one(hub, other_hub):
    PlusGroupFactory(hub=hub, label="Carers", code="carers")
    PlusGroupFactory(hub=other_hub, label="Carers", code="carers")  # another hub's choice, the same name
    with pytest.raises(IntegrityError), transaction.atomic():
        PlusGroupFactory(hub=hub, label="CARERS", code="carers-2")


def test_only_the_hubs_lead_adds_or_archives_its_groups(client, hub, owner, lead, evaluator_user):
    group = PlusGroupFactory(hub=hub)
    for user in (owner, evaluator_user):  # a member, and an evaluator who reads every hub
        client.force_login(user)
        assert client.get(page_url(hub)).status_code == 200
        assert client.post(page_url(hub), {"label": "Carers"}).status_code == 403
        assert client.post(archive_url(group), {"archived": "1"}).status_code == 403
        with pytest.raises(PermissionDenied):
            breakdowns.group_add(hub=hub, label="Carers", by=user)
    assert (
        BreakdownGroup.objects.filter(hub=hub).count() == 1
        and not BreakdownGroup.objects.get(hub=hub).archived
    )


def test_another_hubs_staff_can_neither_see_nor_touch_a_hubs_groups(client, hub, other_hub):
    group = PlusGroupFactory(hub=hub, label="People experiencing homelessness")
    their_lead = MembershipFactory(
        hub=other_hub, user=UserFactory(username="their-lead"), role=Membership.Role.LEAD
    ).user
    client.force_login(their_lead)
    assert client.get(page_url(hub)).status_code == 404
    assert client.post(archive_url(group), {"archived": "1"}).status_code == 404
    # Nor through their own hub's page.
    their_url = reverse("evaluation:group_archive", args=[other_hub.slug, group.pk])
    assert client.post(their_url, {"archived": "1"}).status_code == 404
    assert not BreakdownGroup.objects.for_user(their_lead).filter(pk=group.pk).exists()
    assert "homelessness" not in client.get(reverse("hubs:detail", args=[hub.slug])).content.decode()
    group.refresh_from_db()
    assert not group.archived


def test_an_archived_group_keeps_its_figures_takes_no_new_ones_and_can_be_restored(
    client, hub, lead, adoption
):
    group = PlusGroupFactory(hub=hub, label="Coastal communities")
    MeasurementFactory(indicator__adoption=adoption, group=group, value=4)
    client.force_login(lead)
    response = client.post(archive_url(group), {"archived": "1"}, follow=True)
    assert "“Coastal communities” is archived" in response.content.decode()
    group.refresh_from_db()
    assert group.archived and Measurement.objects.filter(group=group).count() == 1
    assert [
        g.code for d in breakdowns.dimensions_of_hub(hub.pk) for g in d.current_groups if d.code == PLUS
    ] == []
    client.post(archive_url(group), {"archived": "0"})
    group.refresh_from_db()
    assert not group.archived
    assert [r.history_change_reason for r in group.history.order_by("history_date")][-2:] == [
        "Archived",
        "Restored",
    ]


def test_a_group_with_figures_cannot_be_deleted(hub, adoption):
    group = PlusGroupFactory(hub=hub)
    MeasurementFactory(indicator__adoption=adoption, group=group, value=4, period=last_month())
    with pytest.raises(IntegrityError), transaction.atomic():
        group.delete()


def test_the_hubs_page_links_to_its_breakdowns_for_its_staff(client, hub, owner, reader):
    link = page_url(hub)
    client.force_login(owner)
    assert link in client.get(reverse("hubs:detail", args=[hub.slug])).content.decode()
    client.force_login(reader)
    assert link not in client.get(reverse("hubs:detail", args=[hub.slug])).content.decode()
