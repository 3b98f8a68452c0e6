"""Who may read and who may change each record with hub scope, through the views.

Three users each time: the owner (a member of the record's hub), a reader (a member
of another hub, or an evaluator) and an outsider (not signed in, or one who may not see it).
"""

import pytest
from django.urls import reverse

from evaluation.models import Measurement
from tests.factories import IndicatorFactory, LearningNoteFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def login_url_for(url: str) -> str:
    return f"{reverse('login')}?next={url}"


class TestHub:
    def test_everyone_signed_in_reads_the_hub_page(self, client, hub, owner, reader, evaluator_user):
        for user in (owner, reader, evaluator_user):
            client.force_login(user)
            assert client.get(hub.get_absolute_url()).status_code == 200

    def test_the_public_is_sent_to_sign_in(self, client, hub):
        response = client.get(hub.get_absolute_url())
        assert response.status_code == 302
        assert response.url == login_url_for(hub.get_absolute_url())

    def test_only_members_change_the_profile(self, client, hub, owner, reader, evaluator_user):
        url = reverse("hubs:edit", args=[hub.slug])
        for user in (reader, evaluator_user):
            client.force_login(user)
            assert client.get(url).status_code == 403
            assert client.post(url, {"priorities": "Taken over"}).status_code == 403
        hub.refresh_from_db()
        assert hub.priorities != "Taken over"

        client.force_login(owner)
        response = client.post(url, {"priorities": "Hypertension in coastal towns", "core20": "on"})
        assert response.status_code == 302
        hub.refresh_from_db()
        assert hub.priorities == "Hypertension in coastal towns"
        assert hub.history.first().history_user == owner

    def test_unknown_hub_is_404(self, client, owner):
        client.force_login(owner)
        assert client.get(reverse("hubs:detail", args=["nowhere"])).status_code == 404


class TestAdoption:
    def move_url(self, adoption):
        return reverse("innovations:adoption_move", args=[adoption.pk])

    def test_other_hubs_read_the_adoption_but_cannot_move_it(self, client, adoption, reader, evaluator_user):
        for user in (reader, evaluator_user):
            client.force_login(user)
            page = client.get(adoption.get_absolute_url())
            assert page.status_code == 200
            assert b"Move to another stage" not in page.content
            response = client.post(
                self.move_url(adoption),
                {
                    "to_stage": "assessing",
                    "date": adoption.started_on.isoformat(),
                    "version": adoption.version,
                },
            )
            assert response.status_code == 403
        adoption.refresh_from_db()
        assert adoption.stage == "identified"
        assert adoption.transitions.count() == 1

    def test_the_owner_moves_it(self, client, adoption, owner):
        client.force_login(owner)
        assert b"Move to another stage" in client.get(adoption.get_absolute_url()).content
        response = client.post(
            self.move_url(adoption),
            {"to_stage": "assessing", "date": adoption.started_on.isoformat(), "version": adoption.version},
        )
        assert response.status_code == 302
        adoption.refresh_from_db()
        assert adoption.stage == "assessing"
        assert adoption.transitions.last().moved_by == owner

    def test_the_public_is_sent_to_sign_in(self, client, adoption):
        assert client.get(adoption.get_absolute_url()).status_code == 302
        assert client.post(self.move_url(adoption), {"to_stage": "assessing"}).status_code == 302
        adoption.refresh_from_db()
        assert adoption.stage == "identified"

    def test_unknown_adoption_is_404(self, client, owner):
        client.force_login(owner)
        assert client.get(reverse("innovations:adoption", args=[999999])).status_code == 404


class TestMeasurement:
    @pytest.fixture
    def indicator(self, adoption):
        return IndicatorFactory(adoption=adoption)

    def edit_url(self, measurement):
        return reverse("evaluation:measurement_edit", args=[measurement.pk])

    def test_other_hubs_cannot_see_submitted_figures(self, client, indicator, reader):
        submitted = MeasurementFactory(indicator=indicator, value=111)
        client.force_login(reader)
        assert client.get(self.edit_url(submitted)).status_code == 404
        assert client.post(self.edit_url(submitted), {"value": "5"}).status_code == 404
        page = client.get(indicator.get_absolute_url())
        assert page.status_code == 200
        assert b"No figures you can see yet" in page.content
        submitted.refresh_from_db()
        assert submitted.value == 111

    def test_other_hubs_read_approved_figures_but_cannot_change_them(self, client, indicator, reader):
        approved = MeasurementFactory(indicator=indicator, value=222, status=Measurement.Status.APPROVED)
        client.force_login(reader)
        assert b"222" in client.get(indicator.get_absolute_url()).content
        assert client.post(self.edit_url(approved), {"value": "5"}).status_code == 403
        approved.refresh_from_db()
        assert approved.value == 222

    def test_evaluators_read_submitted_figures_but_do_not_edit_them(self, client, indicator, evaluator_user):
        submitted = MeasurementFactory(indicator=indicator, value=333)
        client.force_login(evaluator_user)
        assert b"333" in client.get(indicator.get_absolute_url()).content
        assert client.post(self.edit_url(submitted), {"value": "5"}).status_code == 403

    def test_the_owner_corrects_a_returned_figure(self, client, indicator, owner):
        returned = MeasurementFactory(
            indicator=indicator, value=10, status=Measurement.Status.RETURNED, review_note="Check this"
        )
        client.force_login(owner)
        response = client.post(self.edit_url(returned), {"value": "12", "version": returned.version})
        assert response.status_code == 302
        returned.refresh_from_db()
        assert returned.value == 12
        assert returned.status == Measurement.Status.SUBMITTED

    def test_approved_figures_are_locked_for_the_owner(self, client, indicator, owner):
        approved = MeasurementFactory(indicator=indicator, value=20, status=Measurement.Status.APPROVED)
        client.force_login(owner)
        assert client.post(self.edit_url(approved), {"value": "21"}).status_code == 403
        approved.refresh_from_db()
        assert approved.value == 20


class TestLearningNote:
    def edit_url(self, note):
        return reverse("learning:note_edit", args=[note.pk])

    def test_other_hubs_read_notes_but_cannot_edit(self, client, adoption, owner, reader, evaluator_user):
        note = LearningNoteFactory(adoption=adoption, author=owner, title="Time to enrol")
        for user in (reader, evaluator_user):
            client.force_login(user)
            assert b"Time to enrol" in client.get(reverse("learning:note", args=[note.pk])).content
            response = client.post(
                self.edit_url(note),
                {
                    "kind": "barrier",
                    "cfir_domain": "inner_setting",
                    "title": "Hijacked",
                    "text": "x",
                    "version": 1,
                },
            )
            assert response.status_code == 403
        note.refresh_from_db()
        assert note.title == "Time to enrol"

    def test_the_author_edits_and_history_keeps_the_old_text(self, client, adoption, owner):
        note = LearningNoteFactory(adoption=adoption, author=owner, title="Time to enrol")
        client.force_login(owner)
        response = client.post(
            self.edit_url(note),
            {
                "kind": "lesson",
                "cfir_domain": "individuals",
                "title": "Protected time",
                "text": "It helped.",
                "version": 1,
            },
        )
        assert response.status_code == 302
        note.refresh_from_db()
        assert note.title == "Protected time"
        assert [h.title for h in note.history.all()] == ["Protected time", "Time to enrol"]

    def test_the_public_cannot_read_notes(self, client, adoption):
        note = LearningNoteFactory(adoption=adoption)
        assert client.get(reverse("learning:note", args=[note.pk])).status_code == 302
