"""Adoptions: start one, edit it without losing anyone's edits, archive and restore it, list them, read its history."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubs.models import ClinicalArea
from innovations.models import Adoption
from innovations.services import adoption_move, adoption_update
from innovations.stages import Stage
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    InnovationFactory,
    LearningNoteFactory,
    MeasurementFactory,
    MetricFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START_URL = reverse("innovations:adoption_start")
LIST_URL = reverse("innovations:adoption_list")


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def edit_url(adoption) -> str:
    return reverse("innovations:adoption_edit", args=[adoption.pk])


def archive_url(adoption) -> str:
    return reverse("innovations:adoption_archive", args=[adoption.pk])


def restore_url(adoption) -> str:
    return reverse("innovations:adoption_restore", args=[adoption.pk])


def start_form(hub, innovation, **changes) -> dict:
    return {
        "hub": hub.pk,
        "innovation": innovation.pk,
        "started_on": days_ago(3).isoformat(),
        "aims": "Find undiagnosed hypertension",
        "target_population": "Adults in the most deprived wards",
        **changes,
    }


def edit_form(adoption, **changes) -> dict:
    return {
        "aims": adoption.aims,
        "target_population": adoption.target_population,
        "plus_groups": adoption.plus_groups,
        "inequalities_aims": adoption.inequalities_aims,
        "lead": adoption.lead_id or "",
        "version": adoption.version,
        **changes,
    }


class TestStart:
    def test_hub_staff_start_an_adoption_for_their_hub(self, client, owner, hub):
        innovation = InnovationFactory(name="BP@home")
        client.force_login(owner)
        response = client.post(START_URL, start_form(hub, innovation))
        adoption = Adoption.objects.get(hub=hub, innovation=innovation)
        assert response.status_code == 302
        assert response.url == adoption.get_absolute_url()
        assert (adoption.stage, adoption.started_on, adoption.aims) == (
            Stage.IDENTIFIED,
            days_ago(3),
            "Find undiagnosed hypertension",
        )
        assert adoption.transitions.get().moved_by == owner
        assert adoption.history.get().history_user == owner

    def test_the_hub_choice_lists_only_the_users_hubs_and_the_innovation_can_be_preselected(
        self, client, owner, hub, other_hub
    ):
        innovation = InnovationFactory(name="FeNO testing", slug="feno-testing")
        InnovationFactory(name="Not yet approved", status="proposed")
        client.force_login(owner)
        response = client.get(START_URL, {"innovation": "feno-testing"})
        form = response.context["form"]
        assert list(form.fields["hub"].queryset) == [hub]
        assert "Not yet approved" not in response.content.decode()
        assert form["innovation"].value() == innovation.pk
        assert form["hub"].value() == hub.pk  # the only hub, chosen already

    def test_a_duplicate_is_refused_next_to_the_innovation_with_a_link_to_the_existing_one(
        self, client, owner, hub
    ):
        existing = AdoptionFactory(hub=hub, innovation=InnovationFactory(name="Virtual wards"))
        client.force_login(owner)
        response = client.post(START_URL, start_form(hub, existing.innovation))
        assert response.status_code == 200
        errors = response.context["form"].errors["innovation"]
        assert errors == [
            f'Dorset already adopts Virtual wards: <a href="{existing.get_absolute_url()}">'
            "open the existing adoption</a>."
        ]
        assert (
            f'<a href="{existing.get_absolute_url()}">open the existing adoption</a>'
            in response.content.decode()
        )
        assert Adoption.objects.filter(hub=hub).count() == 1
        assert existing.transitions.count() == 1

    def test_names_in_the_duplicate_message_are_escaped(self, client, owner, hub):
        existing = AdoptionFactory(hub=hub, innovation=InnovationFactory(name="<b>Bold</b> care"))
        client.force_login(owner)
        html = client.post(START_URL, start_form(hub, existing.innovation)).content.decode()
        assert "&lt;b&gt;Bold&lt;/b&gt; care" in html
        assert "<b>Bold</b>" not in html

    def test_another_hubs_id_in_the_post_is_refused_and_nothing_saved(self, client, owner, other_hub):
        client.force_login(owner)
        response = client.post(START_URL, start_form(other_hub, InnovationFactory()))
        assert response.status_code == 200
        assert "Choose one of your own hubs" in response.content.decode()
        assert not Adoption.objects.exists()

    def test_a_future_start_date_is_refused(self, client, owner, hub):
        client.force_login(owner)
        response = client.post(
            START_URL, start_form(hub, InnovationFactory(), started_on=days_ago(-1).isoformat())
        )
        assert response.context["form"].errors["started_on"] == ["The start date cannot be in the future."]
        assert not Adoption.objects.exists()

    def test_people_in_no_hub_cannot_start_one(self, client, evaluator_user, admin_user_ahsn, hub):
        innovation = InnovationFactory()
        for user in (evaluator_user, admin_user_ahsn):
            client.force_login(user)
            assert client.get(START_URL).status_code == 403
            assert client.post(START_URL, start_form(hub, innovation)).status_code == 403
        assert not Adoption.objects.exists()


class TestEdit:
    @pytest.fixture
    def areas(self):
        return [
            ClinicalArea.objects.get_or_create(
                code=code, defaults={"name": name, "population": "adults", "position": position}
            )[0]
            for position, (code, name) in enumerate([("hypertension", "Hypertension"), ("copd", "COPD")])
        ]

    def test_the_owner_edits_the_aims_and_lead_and_history_records_who(
        self, client, owner, adoption, hub, areas
    ):
        lead = member_of(hub, username="lead", first_name="Priya", last_name="Shah")
        client.force_login(owner)
        response = client.post(
            edit_url(adoption),
            edit_form(
                adoption,
                aims="Halve missed diagnoses",
                core20="on",
                plus_groups="Coastal communities",
                clinical_areas=[areas[0].pk],
                inequalities_aims="Reach IMD quintile 1 at its share",
                lead=lead.pk,
            ),
        )
        assert response.status_code == 302
        adoption.refresh_from_db()
        assert (adoption.aims, adoption.core20, adoption.lead, adoption.version) == (
            "Halve missed diagnoses",
            True,
            lead,
            2,
        )
        assert list(adoption.clinical_areas.all()) == [areas[0]]
        latest = adoption.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (owner, "Edited")
        assert [row.clinicalarea for row in latest.clinical_areas.all()] == [areas[0]]
        assert adoption.history.count() == 2  # created, then this one edit (areas included)

        page = client.get(adoption.get_absolute_url()).content.decode()
        assert "Halve missed diagnoses" in page and "Coastal communities" in page
        assert str(areas[0]) in page
        assert "Lead: Priya Shah" in page  # in the history

    def test_the_lead_choice_lists_only_the_hubs_members(self, client, owner, reader, adoption):
        client.force_login(owner)
        form = client.get(edit_url(adoption)).context["form"]
        assert list(form.fields["lead"].queryset) == [owner]
        response = client.post(edit_url(adoption), edit_form(adoption, lead=reader.pk))
        assert "Choose a member of the adoption" in response.content.decode()
        adoption.refresh_from_db()
        assert adoption.lead is None

    def test_a_stale_save_is_refused_and_shows_what_changed(self, client, owner, adoption, hub, areas):
        colleague = member_of(hub, username="colleague", first_name="Sam", last_name="Jones")
        client.force_login(owner)
        opened_at = client.get(edit_url(adoption)).context["form"]["version"].value()

        client.force_login(colleague)
        first = client.post(
            edit_url(adoption),
            edit_form(adoption, aims="Reach 500 people", lead=colleague.pk, clinical_areas=[areas[1].pk]),
        )
        assert first.status_code == 302

        client.force_login(owner)
        second = client.post(
            edit_url(adoption),
            edit_form(adoption, aims="Reach 900 people", clinical_areas=[areas[0].pk], version=opened_at),
        )
        assert second.status_code == 200
        html = second.content.decode()
        assert "Someone else saved this since you opened it" in html
        assert "Aims is now “Reach 500 people” (was (empty))" in html
        assert "Lead is now “Sam Jones” (was (empty)), changed by Sam Jones" in html
        assert f"Core20PLUS5 clinical areas are now {areas[1]} (was none)" in html
        adoption.refresh_from_db()
        assert (adoption.aims, adoption.lead, adoption.version) == ("Reach 500 people", colleague, 2)
        assert list(adoption.clinical_areas.all()) == [areas[1]]
        assert adoption.history.count() == 2  # the refused save left no trace

    def test_other_hubs_and_evaluators_cannot_edit_and_unknown_is_404(
        self, client, adoption, reader, evaluator_user, owner
    ):
        for user in (reader, evaluator_user):
            client.force_login(user)
            assert client.get(edit_url(adoption)).status_code == 403
            assert client.post(edit_url(adoption), edit_form(adoption, aims="Taken over")).status_code == 403
        adoption.refresh_from_db()
        assert adoption.aims == ""
        client.force_login(owner)
        assert client.get(reverse("innovations:adoption_edit", args=[999999])).status_code == 404


class TestArchive:
    def test_archiving_needs_a_reason(self, client, owner, adoption):
        client.force_login(owner)
        response = client.post(archive_url(adoption), {"reason": "   "})
        assert "Say why you are archiving this adoption." in response.content.decode()
        adoption.refresh_from_db()
        assert not adoption.archived

    def test_archived_adoptions_leave_the_lists_and_come_back_when_restored(self, client, owner, adoption):
        name = adoption.innovation.name
        client.force_login(owner)
        assert client.post(archive_url(adoption), {"reason": "Started by mistake"}).status_code == 302
        adoption.refresh_from_db()
        assert (adoption.archived, adoption.archived_reason) == (True, "Started by mistake")
        assert name not in client.get(reverse("home")).content.decode()
        assert name not in client.get(LIST_URL).content.decode()
        assert name in client.get(LIST_URL, {"hub": "mine", "archived": "on"}).content.decode()
        page = client.get(adoption.get_absolute_url()).content.decode()
        assert "Started by mistake" in page and "Restore the adoption" in page

        assert client.get(restore_url(adoption)).status_code == 405  # a change is a POST
        assert client.post(restore_url(adoption)).status_code == 302
        adoption.refresh_from_db()
        assert (adoption.archived, adoption.archived_reason) == (False, "")
        assert name in client.get(reverse("home")).content.decode()
        assert name in client.get(LIST_URL).content.decode()
        reasons = [h.history_change_reason for h in adoption.history.order_by("history_date")]
        assert reasons[-2:] == ["Archived", "Restored"]

    def test_only_the_hubs_staff_archive_or_restore(self, client, adoption, reader, evaluator_user):
        for user in (reader, evaluator_user):
            client.force_login(user)
            assert client.post(archive_url(adoption), {"reason": "Not ours"}).status_code == 403
            assert client.post(restore_url(adoption)).status_code == 403
        adoption.refresh_from_db()
        assert not adoption.archived


class TestList:
    @pytest.fixture
    def adoptions(self, hub, other_hub):
        return {
            "bp": AdoptionFactory(hub=hub, innovation=InnovationFactory(name="BP@home"), stage="testing"),
            "feno": AdoptionFactory(hub=hub, innovation=InnovationFactory(name="FeNO testing")),
            "wards": AdoptionFactory(hub=other_hub, innovation=InnovationFactory(name="Virtual wards")),
            "old": AdoptionFactory(
                hub=hub,
                innovation=InnovationFactory(name="Old pilot"),
                archived=True,
                archived_reason="Ended",
            ),
        }

    def names(self, response) -> set[str]:
        return {adoption.innovation.name for adoption in response.context["page"]}

    def test_hub_staff_see_their_hubs_first_and_may_look_across_all(self, client, owner, adoptions):
        client.force_login(owner)
        assert self.names(client.get(LIST_URL)) == {"BP@home", "FeNO testing"}
        assert self.names(client.get(LIST_URL, {"hub": "all"})) == {
            "BP@home",
            "FeNO testing",
            "Virtual wards",
        }
        assert self.names(client.get(LIST_URL, {"hub": "manchester"})) == {"Virtual wards"}
        assert self.names(client.get(LIST_URL, {"hub": "mine", "stage": "testing"})) == {"BP@home"}
        assert self.names(client.get(LIST_URL, {"hub": "dorset", "archived": "on"})) == {
            "BP@home",
            "FeNO testing",
            "Old pilot",
        }

    def test_evaluators_see_every_hub_by_default(self, client, evaluator_user, adoptions):
        client.force_login(evaluator_user)
        response = client.get(LIST_URL)
        assert self.names(response) == {"BP@home", "FeNO testing", "Virtual wards"}
        assert "Start an adoption" not in response.content.decode()

    def test_the_list_runs_the_same_queries_however_many_adoptions(
        self, client, owner, hub, django_assert_max_num_queries
    ):
        AdoptionFactory(hub=hub, lead=owner)
        client.force_login(owner)
        client.get(LIST_URL)  # the session and roles, once
        with CaptureQueriesContext(connection) as few:
            client.get(LIST_URL, {"hub": "all"})
        for n in range(30):
            AdoptionFactory(hub=HubFactory() if n % 2 else hub, lead=owner)
        with django_assert_max_num_queries(len(few)):
            response = client.get(LIST_URL, {"hub": "all"})
        assert len(response.context["page"]) == 31


class TestAdoptionPage:
    def test_the_page_shows_stage_days_timeline_and_history_at_a_fixed_query_count(
        self, client, owner, hub, django_assert_max_num_queries
    ):
        adoption = AdoptionFactory(hub=hub, started_on=days_ago(400))
        adoption_update(adoption=adoption, by=owner, version=1, lead=owner)
        client.force_login(owner)
        client.get(adoption.get_absolute_url())
        with CaptureQueriesContext(connection) as few:
            client.get(adoption.get_absolute_url())

        stages = [Stage.ASSESSING, Stage.DECIDED, Stage.PLANNING, Stage.TESTING, Stage.IMPLEMENTED]
        for n, stage in enumerate(stages):
            adoption_move(
                adoption=adoption,
                to_stage=stage,
                on=days_ago(300 - 50 * n),
                by=owner,
                version=adoption.version,
            )
        adoption_move(
            adoption=adoption,
            to_stage=Stage.PAUSED,
            on=days_ago(10),
            reason="Winter pressures",
            by=owner,
            version=adoption.version,
        )
        for code in ("enrolled", "reached", "controlled"):
            indicator = IndicatorFactory(
                adoption=adoption, metric=MetricFactory(code=code, name=code.title())
            )
            for months in range(1, 6):
                MeasurementFactory(indicator=indicator, period=(days_ago(31 * months)).replace(day=1))
        for _ in range(5):
            LearningNoteFactory(adoption=adoption, author=owner)
        colleague = member_of(hub, username="colleague")
        area, _ = ClinicalArea.objects.get_or_create(
            code="hypertension", defaults={"name": "Hypertension", "population": "adults"}
        )
        for n in range(4):
            adoption_update(
                adoption=adoption,
                by=owner,
                version=adoption.version,
                lead=colleague if n % 2 else owner,
                clinical_areas=[area] if n % 2 else [],
            )

        with django_assert_max_num_queries(len(few)):
            response = client.get(adoption.get_absolute_url())
        html = response.content.decode()
        assert "Paused" in html and "since" in html and "(10 days)" in html
        assert "Reason: Winter pressures" in html
        history = response.context["history"]
        assert len(history) == 12  # created, an edit, six moves, four edits
        assert history[-1].what == "Created"
        assert [(c.label, c.old, c.new) for c in history[1].changes] == [
            ("Core20PLUS5 clinical areas", str(area), "(none)"),
            ("Lead", colleague.get_full_name(), owner.get_full_name()),
        ]
        paused = history[4]
        assert (paused.what, paused.who) == ("Moved to Paused", owner)
        assert ("Stage", "Implemented (routine use)", "Paused") in {
            (c.label, c.old, c.new) for c in paused.changes
        }

    def test_owners_see_edit_and_archive_links_and_readers_do_not(self, client, adoption, owner, reader):
        client.force_login(owner)
        html = client.get(adoption.get_absolute_url()).content.decode()
        assert edit_url(adoption) in html and archive_url(adoption) in html
        assert reverse("innovations:innovation", args=[adoption.innovation.slug]) in html
        home = client.get(reverse("home")).content.decode()
        assert START_URL in home and LIST_URL in home
        client.force_login(reader)
        html = client.get(adoption.get_absolute_url()).content.decode()
        assert edit_url(adoption) not in html and archive_url(adoption) not in html
        assert "History" in html  # readable by every hub


def test_the_public_is_sent_to_sign_in_and_changes_nothing(client, adoption):
    for url in (LIST_URL, START_URL, edit_url(adoption), archive_url(adoption)):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    client.post(archive_url(adoption), {"reason": "Anonymous"})
    adoption.refresh_from_db()
    assert not adoption.archived
