"""The stage rules (innovations/stages.py), through the service and through the move form.

Active stages run in order and forward moves may skip some; an exit may be taken from any
active stage; a backward move, an exit or a return from an exit needs a reason; a move is
dated, not in the future and not before the previous move.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from innovations.models import StageTransition
from innovations.services import adoption_move, adoption_start
from innovations.stages import ACTIVE_STAGES, EXIT_STAGES, Stage, allowed_moves, move_needs_reason
from tests.factories import AdoptionFactory, InnovationFactory, member_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def assert_refused(adoption, field: str, message_part: str, **move):
    before = (adoption.stage, adoption.stage_since, adoption.transitions.count())
    with pytest.raises(ValidationError) as caught:
        adoption_move(adoption=adoption, **move, version=adoption.version)
    assert message_part in " ".join(caught.value.message_dict[field])
    adoption.refresh_from_db()
    assert (adoption.stage, adoption.stage_since, adoption.transitions.count()) == before


class TestRules:
    def test_forward_moves_may_skip_stages_without_a_reason(self):
        assert Stage.IMPLEMENTED in allowed_moves(Stage.IDENTIFIED)
        assert not move_needs_reason(Stage.IDENTIFIED, Stage.IMPLEMENTED)

    @pytest.mark.parametrize(
        ("current", "target"),
        [
            (Stage.TESTING, Stage.ASSESSING),  # backward
            (Stage.TESTING, Stage.PAUSED),  # exit
            (Stage.ABANDONED, Stage.ASSESSING),  # return from an exit
        ],
    )
    def test_backward_moves_exits_and_returns_need_a_reason(self, current, target):
        assert move_needs_reason(current, target)

    def test_exits_are_open_from_every_active_stage(self):
        for stage in ACTIVE_STAGES:
            assert set(EXIT_STAGES) <= set(allowed_moves(stage))

    def test_a_stage_is_never_offered_as_a_move_to_itself(self):
        for stage in Stage:
            assert stage not in allowed_moves(stage)


class TestMoveService:
    @pytest.fixture
    def adoption(self, hub):
        return AdoptionFactory(hub=hub, started_on=days_ago(100))

    def test_a_forward_move_is_recorded(self, adoption, owner):
        transition = adoption_move(
            adoption=adoption, to_stage=Stage.TESTING, on=days_ago(50), by=owner, version=adoption.version
        )
        adoption.refresh_from_db()
        assert (adoption.stage, adoption.stage_since) == (Stage.TESTING, days_ago(50))
        assert (transition.from_stage, transition.to_stage, transition.moved_by) == (
            Stage.IDENTIFIED,
            Stage.TESTING,
            owner,
        )
        assert adoption.days_in_stage() == 50

    def test_future_dates_are_refused(self, adoption, owner):
        assert_refused(
            adoption, "date", "cannot be in the future", to_stage=Stage.ASSESSING, on=days_ago(-1), by=owner
        )

    def test_dates_before_the_previous_move_are_refused(self, adoption, owner):
        adoption_move(
            adoption=adoption, to_stage=Stage.ASSESSING, on=days_ago(40), by=owner, version=adoption.version
        )
        assert_refused(
            adoption, "date", "before the previous move", to_stage=Stage.DECIDED, on=days_ago(41), by=owner
        )

    def test_backward_move_without_reason_is_refused(self, adoption, owner):
        adoption_move(
            adoption=adoption, to_stage=Stage.TESTING, on=days_ago(40), by=owner, version=adoption.version
        )
        assert_refused(
            adoption, "reason", "needs a reason", to_stage=Stage.PLANNING, on=days_ago(5), by=owner
        )
        adoption_move(
            adoption=adoption,
            to_stage=Stage.PLANNING,
            on=days_ago(5),
            reason="PDSA showed gaps",
            by=owner,
            version=adoption.version,
        )
        adoption.refresh_from_db()
        assert adoption.stage == Stage.PLANNING

    def test_exit_and_return_without_reason_are_refused(self, adoption, owner):
        assert_refused(adoption, "reason", "needs a reason", to_stage=Stage.PAUSED, on=days_ago(5), by=owner)
        adoption_move(
            adoption=adoption,
            to_stage=Stage.PAUSED,
            on=days_ago(5),
            reason="Winter pressures",
            by=owner,
            version=adoption.version,
        )
        assert_refused(adoption, "reason", "needs a reason", to_stage=Stage.ASSESSING, on=TODAY, by=owner)

    def test_a_move_to_the_same_stage_is_refused(self, adoption, owner):
        assert_refused(adoption, "to_stage", "already at", to_stage=Stage.IDENTIFIED, on=TODAY, by=owner)

    def test_an_unknown_stage_is_refused(self, adoption, owner):
        assert_refused(adoption, "to_stage", "Choose a stage", to_stage="finished", on=TODAY, by=owner)


class TestStartService:
    def test_a_duplicate_adoption_is_refused_and_nothing_saved(self, hub, owner):
        innovation = InnovationFactory()
        adoption_start(hub=hub, innovation=innovation, started_on=days_ago(10), by=owner)
        with pytest.raises(ValidationError, match="already adopts"):
            adoption_start(hub=hub, innovation=innovation, started_on=days_ago(5), by=owner)
        assert hub.adoptions.count() == 1
        assert StageTransition.objects.filter(adoption__hub=hub).count() == 1

    def test_a_future_start_is_refused(self, hub, owner):
        with pytest.raises(ValidationError, match="future"):
            adoption_start(hub=hub, innovation=InnovationFactory(), started_on=days_ago(-3), by=owner)
        assert hub.adoptions.count() == 0


class TestMoveForm:
    def test_form_shows_each_error_next_to_its_field_and_saves_nothing(self, client, owner, hub):
        adoption = AdoptionFactory(hub=hub, started_on=days_ago(30))
        client.force_login(owner)
        url = reverse("innovations:adoption_move", args=[adoption.pk])
        response = client.post(
            url, {"to_stage": "paused", "date": days_ago(-2).isoformat(), "reason": "", "version": 1}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "nhsuk-error-summary" in html
        assert "The date of a move cannot be in the future." in html
        adoption.refresh_from_db()
        assert adoption.stage == Stage.IDENTIFIED

    def test_reason_error_appears_once_the_date_is_right(self, client, owner, hub):
        adoption = AdoptionFactory(hub=hub, started_on=days_ago(30))
        client.force_login(owner)
        url = reverse("innovations:adoption_move", args=[adoption.pk])
        response = client.post(
            url, {"to_stage": "paused", "date": days_ago(1).isoformat(), "reason": " ", "version": 1}
        )
        assert "a backward move, an exit or a return from an exit needs a reason" in response.content.decode()
        adoption.refresh_from_db()
        assert adoption.stage == Stage.IDENTIFIED

    def test_two_moves_from_the_same_page_do_not_both_apply(self, client, owner, hub):
        """Two people open the move page; the second to save is told who moved it, and nothing changes."""
        adoption = AdoptionFactory(hub=hub, started_on=days_ago(30))
        colleague = member_of(hub, username="colleague", first_name="Priya", last_name="Shah")
        url = reverse("innovations:adoption_move", args=[adoption.pk])
        client.force_login(owner)
        opened_at = client.get(url).context["form"]["version"].value()
        client.force_login(colleague)
        first = {"to_stage": "testing", "date": days_ago(2).isoformat(), "reason": "", "version": opened_at}
        assert client.post(url, first).status_code == 302
        client.force_login(owner)
        second = {
            "to_stage": "implemented",
            "date": days_ago(1).isoformat(),
            "reason": "",
            "version": opened_at,
        }
        refused = client.post(url, second)
        html = refused.content.decode()
        assert "Someone else saved this since you opened it" in html
        assert "Stage is now “Testing (PDSA cycles)” (was “Identified”), changed by Priya Shah" in html
        adoption.refresh_from_db()
        assert (adoption.stage, adoption.transitions.count()) == (Stage.TESTING, 2)
        assert refused.context["form"]["version"].value() == opened_at + 1  # saving again is a choice

    def test_only_allowed_stages_are_offered(self, client, owner, hub):
        adoption = AdoptionFactory(hub=hub)
        client.force_login(owner)
        html = client.get(reverse("innovations:adoption_move", args=[adoption.pk])).content.decode()
        assert 'value="identified"' not in html
        assert 'value="spreading"' in html
        assert 'value="abandoned"' in html
