"""A hub's partners: their roles and dates, who may change them, and the partner matrix across hubs."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.concurrency import EditConflict
from hubs.engagement import partner_matrix
from hubs.models import Hub, Partnership
from hubs.services import partnership_add, partnership_update
from tests.factories import HubFactory, OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Dorset Community Action")


class TestRules:
    def test_the_lead_adds_a_partner_with_its_role_and_joining_day(self, hub, lead, organisation):
        joined = TODAY - datetime.timedelta(days=10)
        partnership = partnership_add(
            hub=hub, organisation=organisation, role=Partnership.Role.COMMUNITY, joined_on=joined, by=lead
        )
        assert (partnership.role, partnership.joined_on, partnership.left_on) == ("community", joined, None)
        assert partnership.history.first().history_user == lead

    def test_a_joining_day_in_the_future_is_refused_next_to_its_field(self, hub, lead, organisation):
        with pytest.raises(ValidationError) as refused:
            partnership_add(
                hub=hub,
                organisation=organisation,
                role="delivery",
                joined_on=TODAY + datetime.timedelta(days=1),
                by=lead,
            )
        assert "future" in refused.value.message_dict["joined_on"][0]
        assert not Partnership.objects.filter(organisation=organisation).exists()

    def test_a_current_partner_cannot_be_added_twice(self, hub, lead, organisation):
        PartnershipFactory(hub=hub, organisation=organisation)
        with pytest.raises(ValidationError) as refused:
            partnership_add(hub=hub, organisation=organisation, role="delivery", joined_on=TODAY, by=lead)
        assert "already a partner" in refused.value.message_dict["organisation"][0]
        assert Partnership.objects.filter(organisation=organisation).count() == 1

    def test_a_partner_that_left_stays_on_record_and_may_rejoin(self, hub, lead, organisation):
        first = PartnershipFactory(hub=hub, organisation=organisation)
        partnership_update(
            partnership=first,
            version=first.version,
            by=lead,
            left_on=TODAY - datetime.timedelta(days=5),
            reason="Funding ended",
        )
        again = partnership_add(
            hub=hub, organisation=organisation, role="supporter", joined_on=TODAY, by=lead
        )
        assert Partnership.objects.filter(organisation=organisation).count() == 2
        first.refresh_from_db()
        assert first.left_on == TODAY - datetime.timedelta(days=5)
        assert first.history.first().history_change_reason == "Funding ended"
        assert again.left_on is None

    def test_a_change_over_someone_elses_newer_one_is_refused_and_changes_nothing(
        self, hub, lead, organisation
    ):
        partnership = PartnershipFactory(hub=hub, organisation=organisation)
        opened_at = partnership.version
        partnership_update(partnership=partnership, version=opened_at, by=lead, role="supporter")
        with pytest.raises(EditConflict):
            partnership_update(partnership=partnership, version=opened_at, by=lead, role="community")
        partnership.refresh_from_db()
        assert partnership.role == "supporter"

    def test_leaving_before_joining_is_refused(self, hub, lead, organisation):
        partnership = PartnershipFactory(hub=hub, organisation=organisation, joined_on=TODAY)
        with pytest.raises(ValidationError) as refused:
            partnership_update(
                partnership=partnership, version=1, by=lead, left_on=TODAY - datetime.timedelta(days=1)
            )
        assert "on or after it joined" in refused.value.message_dict["left_on"][0]
        partnership.refresh_from_db()
        assert partnership.left_on is None

    @pytest.mark.parametrize("who", ["owner", "reader", "evaluator_user", "admin_user_ahsn"])
    def test_only_the_hubs_lead_changes_its_partners(self, request, who, hub, organisation):
        user = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            partnership_add(hub=hub, organisation=organisation, role="delivery", joined_on=TODAY, by=user)
        partnership = PartnershipFactory(hub=hub)
        with pytest.raises(PermissionDenied):
            partnership_update(partnership=partnership, version=1, by=user, role="supporter")
        partnership.refresh_from_db()
        assert partnership.role == "delivery"

    def test_another_hubs_lead_cannot_change_this_hubs_partners(self, hub, other_hub, organisation):
        from tests.factories import MembershipFactory

        other_lead = MembershipFactory(hub=other_hub, role="lead").user
        with pytest.raises(PermissionDenied):
            partnership_add(
                hub=hub, organisation=organisation, role="delivery", joined_on=TODAY, by=other_lead
            )


class TestPages:
    def test_everyone_signed_in_reads_the_partners_and_only_the_lead_sees_how_to_change_them(
        self, client, hub, lead, owner, reader, evaluator_user, admin_user_ahsn, organisation
    ):
        PartnershipFactory(hub=hub, organisation=organisation, role=Partnership.Role.COMMUNITY)
        url = reverse("hubs:partners", args=[hub.slug])
        for user in (lead, owner, reader, evaluator_user, admin_user_ahsn):
            client.force_login(user)
            page = client.get(url)
            assert page.status_code == 200
            assert "Dorset Community Action" in page.content.decode()
            assert ("Add a partner" in page.content.decode()) == (user == lead)

    def test_the_public_is_sent_to_sign_in_and_an_unknown_hub_is_404(self, client, hub, lead):
        assert client.get(reverse("hubs:partners", args=[hub.slug])).status_code == 302
        client.force_login(lead)
        assert client.get(reverse("hubs:partners", args=["nowhere"])).status_code == 404

    def test_staff_who_may_read_but_not_change_get_403(
        self, client, hub, owner, reader, evaluator_user, organisation
    ):
        partnership = PartnershipFactory(hub=hub, organisation=organisation)
        add = reverse("hubs:partner_add", args=[hub.slug])
        edit = reverse("hubs:partner_edit", args=[hub.slug, partnership.pk])
        for user in (owner, reader, evaluator_user):
            client.force_login(user)
            assert (
                client.post(
                    add, {"organisation": organisation.pk, "role": "lead", "joined_on": TODAY}
                ).status_code
                == 403
            )
            assert client.post(edit, {"role": "lead", "joined_on": TODAY}).status_code == 403
        partnership.refresh_from_db()
        assert partnership.role == "delivery"

    def test_a_partnership_of_another_hub_is_404_through_this_hubs_address(
        self, client, hub, other_hub, lead
    ):
        elsewhere = PartnershipFactory(hub=other_hub)
        client.force_login(lead)
        assert client.get(reverse("hubs:partner_edit", args=[hub.slug, elsewhere.pk])).status_code == 404

    def test_bad_input_shows_its_message_next_to_the_field_and_in_the_summary(
        self, client, hub, lead, organisation
    ):
        client.force_login(lead)
        future = TODAY + datetime.timedelta(days=3)
        page = client.post(
            reverse("hubs:partner_add", args=[hub.slug]),
            {"organisation": organisation.pk, "role": "delivery", "joined_on": future.isoformat()},
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert "nhsuk-error-summary" in html
        assert 'id="id_joined_on-error"' in html or "nhsuk-error-message" in html
        assert html.count("it cannot be in the future") == 2  # in the summary and next to the field
        assert not Partnership.objects.filter(organisation=organisation).exists()

    def test_the_lead_ends_a_partnership_and_it_moves_to_former_partners(
        self, client, hub, lead, organisation
    ):
        partnership = PartnershipFactory(hub=hub, organisation=organisation)
        client.force_login(lead)
        left = TODAY - datetime.timedelta(days=2)
        response = client.post(
            reverse("hubs:partner_edit", args=[hub.slug, partnership.pk]),
            {
                "role": "delivery",
                "joined_on": partnership.joined_on.isoformat(),
                "left_on": left.isoformat(),
                "version": partnership.version,
            },
        )
        assert response.status_code == 302
        page = client.get(reverse("hubs:partners", args=[hub.slug])).content.decode()
        assert page.index("Former partners") < page.index("Dorset Community Action")
        # The hub's profile lists today's partners only.
        assert "Dorset Community Action" not in client.get(hub.get_absolute_url()).content.decode()


class TestMatrix:
    def test_each_cell_is_the_role_of_the_organisation_with_that_hub_on_the_day(
        self, hub, other_hub, organisation
    ):
        PartnershipFactory(hub=hub, organisation=organisation, role=Partnership.Role.COMMUNITY)
        PartnershipFactory(hub=other_hub, organisation=organisation, role=Partnership.Role.EVALUATION)
        lone = PartnershipFactory(hub=hub, role=Partnership.Role.SUPPORTER)
        later = PartnershipFactory(hub=other_hub, joined_on=TODAY)
        matrix = partner_matrix(Hub.objects.all(), TODAY - datetime.timedelta(days=1))
        assert [hub.name for hub in matrix.hubs] == ["Dorset", "Manchester"]
        rows = {row.organisation.name: row.cells for row in matrix.rows}
        assert matrix.rows[0].organisation == organisation  # working with the most hubs, first
        assert rows["Dorset Community Action"] == ["Community partner", "Evaluation partner"]
        assert rows[lone.organisation.name] == ["Supporting partner", ""]
        assert later.organisation.name not in rows  # it had not joined yet on the day

    def test_the_page_and_its_csv(self, client, hub, other_hub, reader, organisation):
        PartnershipFactory(hub=hub, organisation=organisation, role=Partnership.Role.COMMUNITY)
        client.force_login(reader)
        page = client.get(reverse("hubs:network"))
        assert page.status_code == 200
        assert "Community partner" in page.content.decode()
        csv = client.get(reverse("hubs:network_csv", args=["partners"])).content.decode("utf-8-sig")
        assert csv.splitlines()[0].startswith("Organisation,")
        assert any(line.startswith("Dorset Community Action,Community partner") for line in csv.splitlines())
        assert client.get(reverse("hubs:network_csv", args=["other"])).status_code == 404

    def test_the_public_is_sent_to_sign_in(self, client):
        assert client.get(reverse("hubs:network")).status_code == 302

    def test_queries_do_not_grow_with_partners(self, client, reader, django_assert_max_num_queries):
        client.force_login(reader)

        def partners(hubs, each):
            for hub in HubFactory.create_batch(hubs):
                for _ in range(each):
                    PartnershipFactory(hub=hub)

        partners(2, 2)
        client.get(reverse("hubs:network"))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(reverse("hubs:network"))
        partners(4, 6)
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("hubs:network"))
        assert len(many) == len(few)
