"""Hub services refuse, themselves, anyone who may not make the change: not only the page that calls them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from hubs.models import Hub, Membership
from hubs.services import hub_update
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def hub_rows() -> list:
    """Every hub and history row as stored now: equal before and after means nothing changed."""
    return [list(Hub.objects.order_by("pk").values()), list(Hub.history.order_by("pk").values())]


@pytest.mark.parametrize("role", Membership.Role.values)
def test_the_hubs_members_and_leads_change_its_profile(hub, role):
    staff = MembershipFactory(hub=hub, user=UserFactory(username="staff"), role=role).user
    hub_update(hub=hub, by=staff, priorities="Hypertension first.", award=Decimal("400000"))
    hub.refresh_from_db()
    assert (hub.priorities, hub.award) == ("Hypertension first.", Decimal("400000"))
    assert hub.history.latest().history_user == staff


@pytest.mark.parametrize("who", ["reader", "evaluator_user", "admin_user_ahsn", "public", "former_member"])
def test_no_one_else_changes_it_even_calling_the_service_directly(request, hub, who):
    user = request.getfixturevalue(who)
    before = hub_rows()
    with pytest.raises(PermissionDenied, match="not allowed to change this hub's profile"):
        hub_update(hub=Hub.objects.get(pk=hub.pk), by=user, priorities="Someone else's priorities.")
    assert hub_rows() == before
