import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from hubs.models import Membership
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    MembershipFactory,
    UserFactory,
    ahsn_admin,
    evaluator,
    member_of,
)


@pytest.fixture
def hub(db):
    return HubFactory(name="Dorset", slug="dorset")


@pytest.fixture
def other_hub(db):
    return HubFactory(name="Manchester", slug="manchester")


@pytest.fixture
def owner(hub):
    """A member of the hub that owns the records under test."""
    return member_of(hub, username="owner")


@pytest.fixture
def lead(hub):
    """The lead of the hub under test: who answers for its indicators that have no owner of their own."""
    return MembershipFactory(
        hub=hub,
        user=UserFactory(username="lead", first_name="Lee", last_name="Lead"),
        role=Membership.Role.LEAD,
    ).user


@pytest.fixture
def reader(other_hub):
    """A member of another hub: may read the shared records, may change none."""
    return member_of(other_hub, username="reader")


@pytest.fixture
def public():
    """Nobody signed in: reads no hub's records, changes none."""
    return AnonymousUser()


@pytest.fixture
def former_member(hub):
    """A member of the owning hub whose account has been deactivated: treated as the public."""
    return member_of(hub, username="former", is_active=False)


@pytest.fixture
def evaluator_user(db):
    return evaluator(username="evaluator")


@pytest.fixture
def admin_user_ahsn(db):
    return ahsn_admin(username="ahsn-admin")


@pytest.fixture
def adoption(hub):
    return AdoptionFactory(hub=hub)


@pytest.fixture(autouse=True)
def fresh_funnel_sums():
    """Each test starts with no funnel sums cached: its rows may reuse a rolled-back test's ids."""
    from core.generations import move_on
    from evaluation.comparison import ALL_FUNNELS

    move_on(ALL_FUNNELS)


@pytest.fixture(scope="session", autouse=True)
def remove_the_runs_broker_folder():
    """The filesystem broker's folder is this run's own (settings_test): leave no messages behind."""
    yield
    shutil.rmtree(settings.BROKER_DIR, ignore_errors=True)
