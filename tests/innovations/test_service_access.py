"""Adoption and catalogue services refuse, themselves, anyone who may not make the change.

Each service is called directly, as a command or the admin would, with no view in front of it:
the hub's own staff change its adoptions; hub staff propose catalogue entries; AHSN admins
approve, edit and merge them. Everyone else is refused and nothing is written.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from innovations.models import Adoption, Innovation, StageTransition
from innovations.services import (
    adoption_archive,
    adoption_move,
    adoption_restore,
    adoption_start,
    adoption_update,
    innovation_approve,
    innovation_merge,
    innovation_propose,
    innovation_update,
)
from innovations.stages import Stage
from tests.factories import AdoptionFactory, InnovationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def rows() -> list:
    """Every adoption, stage move, catalogue entry and their history as stored now.

    Equal before and after a refused call means the service wrote nothing.
    """
    tables = [
        Adoption.objects,
        Adoption.history,
        Adoption.clinical_areas.through.objects,
        StageTransition.objects,
        Innovation.objects,
        Innovation.history,
        Innovation.clinical_areas.through.objects,
    ]
    return [list(table.order_by("pk").values()) for table in tables]


# -- Adoptions: the hub's own staff ------------------------------------------------------------


@pytest.fixture
def adoption(hub):
    return AdoptionFactory(hub=hub, started_on=TODAY - datetime.timedelta(days=100))


@pytest.fixture
def archived(adoption):
    Adoption.objects.filter(pk=adoption.pk).update(archived=True, archived_reason="Paused for winter.")
    adoption.refresh_from_db()
    return adoption


def start(adoption, by):
    innovation = Innovation.objects.get(name="Virtual wards")
    return adoption_start(hub=adoption.hub, innovation=innovation, started_on=TODAY, by=by)


def move(adoption, by):
    return adoption_move(
        adoption=adoption, to_stage=Stage.ASSESSING, on=TODAY, by=by, version=adoption.version
    )


def archive(adoption, by):
    return adoption_archive(adoption=adoption, reason="The pilot ended.", by=by)


def restore(archived, by):
    return adoption_restore(adoption=archived, by=by)


def update(adoption, by):
    return adoption_update(adoption=adoption, by=by, version=adoption.version, aims="Someone else's aims.")


# Each write, and the adoption it acts on.
ADOPTION_WRITES = {
    "start": (start, "adoption"),
    "move": (move, "adoption"),
    "archive": (archive, "adoption"),
    "restore": (restore, "archived"),
    "update": (update, "adoption"),
}


@pytest.fixture(autouse=True)
def another_innovation(db):
    return InnovationFactory(name="Virtual wards")


@pytest.mark.parametrize("write", ADOPTION_WRITES)
def test_the_hubs_own_staff_write_its_adoptions(request, write, owner):
    act, record = ADOPTION_WRITES[write]
    target = request.getfixturevalue(record)
    before = rows()
    act(target, owner)
    assert rows() != before


@pytest.mark.parametrize("who", ["reader", "evaluator_user", "admin_user_ahsn", "public", "former_member"])
@pytest.mark.parametrize("write", ADOPTION_WRITES)
def test_no_one_else_writes_them_even_calling_the_service_directly(request, write, who):
    act, record = ADOPTION_WRITES[write]
    target = request.getfixturevalue(record)
    user = request.getfixturevalue(who)
    before = rows()
    with pytest.raises(PermissionDenied):
        act(target, user)
    assert rows() == before


def test_the_refusals_say_who_may(adoption, reader):
    with pytest.raises(PermissionDenied, match="Only the hub's own staff can start adoptions for that hub"):
        start(adoption, reader)
    with pytest.raises(PermissionDenied, match="not allowed to move this adoption to another stage"):
        move(adoption, reader)


# -- The catalogue: hub staff propose, AHSN admins curate ------------------------------------------


def proposal_fields(name="Digital weight management") -> dict:
    return {
        "name": name,
        "summary": "A 12-week online programme.",
        "category": Innovation.Category.DIGITAL,
        "evidence_level": Innovation.Evidence.NATIONAL,
        "origin": "",
    }


@pytest.fixture
def proposal(owner):
    return InnovationFactory(
        name="Pharmacy asthma reviews", status=Innovation.Status.PROPOSED, proposed_by=owner
    )


def propose(proposal, by):
    return innovation_propose(by=by, **proposal_fields())


def approve(proposal, by):
    return innovation_approve(innovation=proposal, by=by)


def edit(proposal, by):
    return innovation_update(innovation=proposal, by=by, version=proposal.version, summary="Other words.")


def merge(proposal, by):
    target = Innovation.objects.get(name="Virtual wards")
    return innovation_merge(source=proposal, target=target, by=by, reason="Already listed.")


CURATION = {"approve": approve, "edit": edit, "merge": merge}


@pytest.mark.parametrize("who", ["owner", "reader"])
def test_staff_of_any_hub_propose_entries(request, who, proposal):
    user = request.getfixturevalue(who)
    proposed = propose(proposal, user)
    assert (proposed.status, proposed.proposed_by) == (Innovation.Status.PROPOSED, user)


@pytest.mark.parametrize("who", ["evaluator_user", "admin_user_ahsn", "public", "former_member"])
def test_people_in_no_hub_do_not_propose_even_calling_the_service_directly(request, who, proposal):
    user = request.getfixturevalue(who)
    before = rows()
    with pytest.raises(PermissionDenied, match="Only hub staff can propose innovations"):
        propose(proposal, user)
    assert rows() == before


@pytest.mark.parametrize("curate", CURATION)
def test_ahsn_admins_curate_the_catalogue(curate, proposal, admin_user_ahsn):
    before = rows()
    CURATION[curate](proposal, admin_user_ahsn)
    assert rows() != before


@pytest.mark.parametrize("who", ["owner", "reader", "evaluator_user", "public", "former_member"])
@pytest.mark.parametrize("curate", CURATION)
def test_no_one_else_curates_it_even_calling_the_service_directly(request, curate, who, proposal):
    """Not even the hub member who proposed the entry."""
    user = request.getfixturevalue(who)
    before = rows()
    with pytest.raises(PermissionDenied, match="Only AHSN admins can"):
        CURATION[curate](proposal, user)
    assert rows() == before
