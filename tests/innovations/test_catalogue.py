"""The innovation catalogue: search, filters, the cross-hub page, proposals, and the admins' curation."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hubs.models import ClinicalArea
from innovations.models import Adoption, Innovation
from innovations.services import (
    innovation_approve,
    innovation_merge,
    innovation_propose,
    innovation_update,
)
from innovations.stages import Stage
from tests.factories import AdoptionFactory, HubFactory, InnovationFactory

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("innovations:catalogue")
PROPOSE = reverse("innovations:propose")


def page_of(innovation: Innovation) -> str:
    return reverse("innovations:innovation", args=[innovation.slug])


def listed(client, **params) -> list[str]:
    """The names the catalogue lists, in order, for these search and filter parameters."""
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    return [innovation.name for innovation in response.context["page"]]


def area(code: str) -> ClinicalArea:
    return ClinicalArea.objects.get(code=code)


@pytest.fixture
def catalogue_entries(db):
    oximetry = InnovationFactory(
        name="COVID Oximetry @home",
        summary="People at higher risk check their blood oxygen at home with a pulse oximeter.",
        category=Innovation.Category.REMOTE_MONITORING,
        evidence_level=Innovation.Evidence.NATIONAL,
    )
    bp = InnovationFactory(
        name="BP@home",
        summary="People with hypertension use a blood-pressure monitor at home and share their readings.",
        category=Innovation.Category.REMOTE_MONITORING,
        evidence_level=Innovation.Evidence.NATIONAL,
    )
    bp.clinical_areas.set([area("hypertension")])
    pharmacy = InnovationFactory(
        name="Community pharmacy hypertension case-finding",
        summary="Pharmacies check the blood pressure of adults aged 40 and over.",
        category=Innovation.Category.DIAGNOSTICS,
        evidence_level=Innovation.Evidence.NICE,
    )
    pharmacy.clinical_areas.set([area("hypertension")])
    feno = InnovationFactory(
        name="FeNO testing in primary care",
        summary="Exhaled nitric oxide testing to support the diagnosis of asthma.",
        category=Innovation.Category.DIAGNOSTICS,
        evidence_level=Innovation.Evidence.TRIAL,
    )
    feno.clinical_areas.set([area("children-asthma")])
    return {"oximetry": oximetry, "bp": bp, "pharmacy": pharmacy, "feno": feno}


class TestSearch:
    def test_finds_entries_by_a_word_of_their_name(self, client, owner, catalogue_entries):
        client.force_login(owner)
        assert listed(client, q="FeNO") == ["FeNO testing in primary care"]

    def test_finds_entries_by_words_of_their_summary(self, client, owner, catalogue_entries):
        client.force_login(owner)
        assert listed(client, q="nitric oxide") == ["FeNO testing in primary care"]
        # "blood-pressure" in one summary, "blood pressure" in the other: both found.
        assert set(listed(client, q="blood pressure")) == {
            "BP@home",
            "Community pharmacy hypertension case-finding",
        }

    def test_a_name_match_comes_before_a_summary_match(self, client, owner, catalogue_entries):
        InnovationFactory(name="Asthma clinics", summary="Nurse-led review clinics.")
        client.force_login(owner)
        assert listed(client, q="asthma") == ["Asthma clinics", "FeNO testing in primary care"]

    def test_finds_nothing_for_words_in_no_entry(self, client, owner, catalogue_entries):
        client.force_login(owner)
        response = client.get(CATALOGUE, {"q": "dermatology"})
        assert list(response.context["page"]) == []
        assert "No innovations match this search" in response.content.decode()

    def test_the_search_box_is_in_a_filter_form(self, client, owner, catalogue_entries):
        client.force_login(owner)
        html = client.get(CATALOGUE).content.decode()
        assert 'class="hp-filters"' in html
        assert 'name="q"' in html


class TestFilters:
    def test_by_category(self, client, owner, catalogue_entries):
        client.force_login(owner)
        assert listed(client, category="diagnostics") == [
            "Community pharmacy hypertension case-finding",
            "FeNO testing in primary care",
        ]

    def test_by_evidence_level(self, client, owner, catalogue_entries):
        client.force_login(owner)
        assert listed(client, evidence="nice") == ["Community pharmacy hypertension case-finding"]

    def test_by_core20plus5_clinical_area(self, client, owner, catalogue_entries):
        client.force_login(owner)
        assert listed(client, area=area("hypertension").pk) == [
            "BP@home",
            "Community pharmacy hypertension case-finding",
        ]

    def test_filters_and_search_combine(self, client, owner, catalogue_entries):
        client.force_login(owner)
        assert listed(client, q="blood pressure", category="diagnostics") == [
            "Community pharmacy hypertension case-finding"
        ]

    def test_adopted_by_my_hubs(self, client, owner, hub, other_hub, catalogue_entries):
        AdoptionFactory(hub=hub, innovation=catalogue_entries["bp"])
        AdoptionFactory(hub=other_hub, innovation=catalogue_entries["bp"])
        AdoptionFactory(hub=other_hub, innovation=catalogue_entries["feno"])  # another hub's only
        AdoptionFactory(
            hub=hub, innovation=catalogue_entries["oximetry"], archived=True, archived_reason="Ended"
        )
        client.force_login(owner)
        response = client.get(CATALOGUE, {"mine": "on"})
        assert [(i.name, i.hubs_adopting) for i in response.context["page"]] == [("BP@home", 2)]

    def test_people_in_no_hub_get_no_adopted_by_my_hubs_box(self, client, evaluator_user, catalogue_entries):
        client.force_login(evaluator_user)
        assert 'name="mine"' not in client.get(CATALOGUE).content.decode()


class TestTheList:
    def test_shows_what_each_entry_is_and_how_many_hubs_adopt_it(
        self, client, owner, hub, other_hub, catalogue_entries
    ):
        bp = catalogue_entries["bp"]
        AdoptionFactory(hub=hub, innovation=bp)
        AdoptionFactory(hub=other_hub, innovation=bp, stage=Stage.TESTING)
        AdoptionFactory(hub=HubFactory(), innovation=bp, archived=True, archived_reason="Duplicate")
        AdoptionFactory(hub=HubFactory(), innovation=bp, stage=Stage.ABANDONED)  # not adopting now
        client.force_login(owner)
        response = client.get(CATALOGUE)
        counts = {i.name: i.hubs_adopting for i in response.context["page"]}
        assert counts["BP@home"] == 2
        assert counts["FeNO testing in primary care"] == 0
        html = response.content.decode()
        assert f'href="{page_of(bp)}"' in html
        assert "blood-pressure monitor" in html
        assert "Remote monitoring and virtual care" in html
        assert "Randomised or controlled trial evidence" in html  # FeNO's evidence
        assert "Hypertension" in html

    def test_merged_entries_are_not_listed(self, client, owner, catalogue_entries):
        InnovationFactory(
            name="Sphygmomanometers at home",
            status=Innovation.Status.MERGED,
            merged_into=catalogue_entries["bp"],
        )
        client.force_login(owner)
        assert "Sphygmomanometers at home" not in listed(client)
        assert listed(client, q="sphygmomanometers") == []

    def test_pages_of_25(self, client, owner):
        for n in range(26):
            InnovationFactory(name=f"Entry {n:02}")
        client.force_login(owner)
        first = client.get(CATALOGUE, {"q": "Entry"})
        assert len(first.context["page"]) == 25
        assert 'class="nhsuk-pagination"' in first.content.decode()
        assert "q=Entry&amp;page=2" in first.content.decode()
        assert listed(client, q="Entry", page=2) == ["Entry 25"]

    def test_costs_the_same_queries_however_many_entries(
        self, client, owner, hub, other_hub, django_assert_num_queries, django_assert_max_num_queries
    ):
        def add_entries(n):
            for _ in range(n):
                innovation = InnovationFactory()
                innovation.clinical_areas.set([area("hypertension"), area("maternity")])
                AdoptionFactory(hub=hub, innovation=innovation)
                AdoptionFactory(hub=other_hub, innovation=innovation)

        client.force_login(owner)
        add_entries(2)
        client.get(CATALOGUE)  # warm the session
        with django_assert_max_num_queries(15) as few:
            client.get(CATALOGUE, {"mine": "on"})
        add_entries(8)
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(CATALOGUE, {"mine": "on"})
        assert len(response.context["page"]) == 10


class TestProposalsInTheList:
    def test_the_proposer_sees_it_tagged_proposed(self, client, owner, proposal):
        client.force_login(owner)
        html = client.get(CATALOGUE).content.decode()
        assert "Pharmacy asthma reviews" in html
        assert "Proposed</strong>" in html
        assert client.get(page_of(proposal)).status_code == 200

    def test_other_hub_staff_neither_see_nor_open_it(self, client, reader, proposal):
        client.force_login(reader)
        assert "Pharmacy asthma reviews" not in listed(client)
        assert client.get(page_of(proposal)).status_code == 404

    def test_admins_and_evaluators_see_it(self, client, admin_user_ahsn, evaluator_user, proposal):
        for user in (admin_user_ahsn, evaluator_user):
            client.force_login(user)
            assert "Pharmacy asthma reviews" in listed(client)


class TestInnovationPage:
    def test_shows_what_it_is_and_every_hubs_current_adoption(self, client, reader, hub, other_hub):
        innovation = InnovationFactory(
            name="BP@home", summary="Home blood-pressure monitors.", origin="NHS England"
        )
        innovation.clinical_areas.set([area("hypertension")])
        today = timezone.localdate()
        dorset = AdoptionFactory(
            hub=hub,
            innovation=innovation,
            stage=Stage.TESTING,
            started_on=today - datetime.timedelta(days=100),
            stage_since=today - datetime.timedelta(days=10),
        )
        manchester = AdoptionFactory(hub=other_hub, innovation=innovation, stage=Stage.SUSTAINED)
        AdoptionFactory(
            hub=HubFactory(name="Bradford"), innovation=innovation, archived=True, archived_reason="Ended"
        )
        client.force_login(reader)  # hub staff of Manchester read Dorset's adoption too
        response = client.get(page_of(innovation))
        html = response.content.decode()
        for text in (
            "Home blood-pressure monitors.",
            "Remote monitoring and virtual care",
            "National programme with published evaluation",
            "NHS England",
            "Hypertension",
        ):
            assert text in html
        assert list(response.context["adoptions"]) == [dorset, manchester]
        assert "Testing (PDSA cycles)" in html and "Sustained" in html
        assert dorset.stage_since.strftime("%-d %B %Y") in html
        assert "(10 days)" in html
        assert dorset.started_on.strftime("%-d %B %Y") in html
        assert f'href="{dorset.get_absolute_url()}"' in html
        assert f'href="{manchester.get_absolute_url()}"' in html
        assert "Bradford" not in html  # archived

    def test_a_merged_entry_leads_to_the_entry_it_was_merged_into(self, client, owner):
        target = InnovationFactory(name="BP@home")
        merged = InnovationFactory(
            name="Home BP monitoring", status=Innovation.Status.MERGED, merged_into=target
        )
        client.force_login(owner)
        response = client.get(page_of(merged))
        assert response.status_code == 302
        assert response.url == page_of(target)
        assert "merged into “BP@home”" in [str(m) for m in get_messages(response.wsgi_request)][0]

    def test_costs_the_same_queries_however_many_adoptions(
        self, client, owner, django_assert_num_queries, django_assert_max_num_queries
    ):
        innovation = InnovationFactory()
        innovation.clinical_areas.set([area("hypertension"), area("maternity")])
        AdoptionFactory(innovation=innovation)
        client.force_login(owner)
        client.get(page_of(innovation))
        with django_assert_max_num_queries(15) as few:
            client.get(page_of(innovation))
        for _ in range(6):
            AdoptionFactory(innovation=innovation)
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(page_of(innovation))
        assert len(response.context["adoptions"]) == 7

    def test_only_admins_see_the_curation_actions(self, client, owner, evaluator_user, admin_user_ahsn):
        innovation = InnovationFactory(status=Innovation.Status.PROPOSED, proposed_by=owner)
        edit = reverse("innovations:innovation_edit", args=[innovation.slug])
        approve = reverse("innovations:innovation_approve", args=[innovation.slug])
        for user in (owner, evaluator_user):
            client.force_login(user)
            html = client.get(page_of(innovation)).content.decode()
            assert edit not in html and approve not in html
        client.force_login(admin_user_ahsn)
        html = client.get(page_of(innovation)).content.decode()
        assert edit in html and approve in html
        assert reverse("innovations:innovation_merge", args=[innovation.slug]) in html


def proposal_data(**overrides):
    return {
        "name": "Pharmacy asthma reviews",
        "summary": "Community pharmacists review inhaler technique.",
        "category": Innovation.Category.MEDICINES,
        "evidence_level": Innovation.Evidence.EMERGING,
        "origin": "Dorset pharmacies",
        "clinical_areas": [area("children-asthma").pk],
        **overrides,
    }


class TestPropose:
    def test_hub_staff_propose_an_entry(self, client, owner):
        client.force_login(owner)
        response = client.post(PROPOSE, proposal_data())
        proposal = Innovation.objects.get(name="Pharmacy asthma reviews")
        assert response.status_code == 302
        assert response.url == page_of(proposal)
        assert proposal.status == Innovation.Status.PROPOSED
        assert proposal.proposed_by == owner
        assert proposal.slug == "pharmacy-asthma-reviews"
        assert list(proposal.clinical_areas.all()) == [area("children-asthma")]
        assert proposal.history.latest().history_user == owner

    def test_a_name_already_in_the_catalogue_is_refused_with_a_link_to_it(self, client, owner):
        existing = InnovationFactory(name="Pharmacy Asthma Reviews")
        client.force_login(owner)
        response = client.post(PROPOSE, proposal_data(name="pharmacy asthma reviews"))
        assert response.status_code == 200
        name_errors = response.context["form"].errors["name"]
        assert f'<a href="{page_of(existing)}">' in name_errors[0]
        html = response.content.decode()
        # The link is next to the name field; the summary at the top stays a plain link to the field.
        error = html[html.index('id="id_name-error"') :]
        assert error.index(f'href="{page_of(existing)}"') < error.index('id="id_name"')
        assert Innovation.objects.count() == 1

    def test_the_clash_message_escapes_the_existing_name(self, owner):
        InnovationFactory(name="Tea & <b>talk</b>")
        with pytest.raises(ValidationError) as caught:
            innovation_propose(by=owner, **{**proposal_data(name="TEA & <B>TALK</B>"), "clinical_areas": []})
        message = caught.value.message_dict["name"][0]
        assert "Tea &amp; &lt;b&gt;talk&lt;/b&gt;" in message
        assert "<b>" not in message

    def test_missing_answers_are_refused_next_to_each_field(self, client, owner):
        client.force_login(owner)
        response = client.post(PROPOSE, proposal_data(name="", summary="", category=""))
        errors = response.context["form"].errors
        assert errors["name"] == ["Enter the innovation's name."]
        assert errors["summary"] == ["Say in a few sentences what the innovation is."]
        assert errors["category"] == ["Choose a category."]
        html = response.content.decode()
        assert 'id="id_name-error"' in html and 'id="id_summary-error"' in html
        assert not Innovation.objects.exists()

    def test_people_in_no_hub_may_not_propose(self, client, django_user_model, evaluator_user):
        for user in (django_user_model.objects.create_user("newcomer"), evaluator_user):
            client.force_login(user)
            assert client.get(PROPOSE).status_code == 403
            assert client.post(PROPOSE, proposal_data()).status_code == 403
        assert not Innovation.objects.exists()

    def test_slugs_stay_unique_and_clear_of_the_pages_paths(self, owner):
        InnovationFactory(name="BP home", slug="bp-home")
        fields = {**proposal_data(), "clinical_areas": []}
        assert innovation_propose(by=owner, **{**fields, "name": "BP-home"}).slug == "bp-home-2"
        assert innovation_propose(by=owner, **{**fields, "name": "BP (home)"}).slug == "bp-home-3"
        assert innovation_propose(by=owner, **{**fields, "name": "Propose"}).slug == "propose-2"


@pytest.fixture
def proposal(owner):
    return InnovationFactory(
        name="Pharmacy asthma reviews", status=Innovation.Status.PROPOSED, proposed_by=owner
    )


def approve_url(innovation):
    return reverse("innovations:innovation_approve", args=[innovation.slug])


def edit_url(innovation):
    return reverse("innovations:innovation_edit", args=[innovation.slug])


def merge_url(innovation):
    return reverse("innovations:innovation_merge", args=[innovation.slug])


class TestApprove:
    def test_an_admin_approves_a_proposal_and_everyone_sees_it(
        self, client, admin_user_ahsn, reader, proposal
    ):
        client.force_login(admin_user_ahsn)
        response = client.post(approve_url(proposal))
        assert response.status_code == 302
        proposal.refresh_from_db()
        assert proposal.status == Innovation.Status.APPROVED
        assert proposal.history.latest().history_change_reason == "Approved"
        client.force_login(reader)
        assert "Pharmacy asthma reviews" in listed(client)

    def test_an_entry_already_approved_is_not_approved_again(self, admin_user_ahsn):
        innovation = InnovationFactory()
        with pytest.raises(ValidationError, match="not a proposal"):
            innovation_approve(innovation=innovation, by=admin_user_ahsn)

    def test_the_page_only_takes_a_post(self, client, admin_user_ahsn, proposal):
        client.force_login(admin_user_ahsn)
        assert client.get(approve_url(proposal)).status_code == 405


class TestEdit:
    def test_an_admin_edits_an_entry(self, client, admin_user_ahsn):
        innovation = InnovationFactory(name="BP@home", summary="Old words.")
        client.force_login(admin_user_ahsn)
        form = client.get(edit_url(innovation)).context["form"]
        data = {**proposal_data(name="BP@home", summary="New words."), "version": form["version"].value()}
        response = client.post(edit_url(innovation), data)
        assert response.status_code == 302
        innovation.refresh_from_db()
        assert innovation.summary == "New words."
        assert innovation.version == 2
        assert list(innovation.clinical_areas.all()) == [area("children-asthma")]
        assert innovation.history.filter(summary="Old words.").exists()

    def test_a_stale_edit_is_refused_and_says_what_changed(self, client, admin_user_ahsn):
        innovation = InnovationFactory(name="BP@home", summary="Old words.")
        client.force_login(admin_user_ahsn)
        innovation_update(innovation=innovation, by=admin_user_ahsn, version=1, summary="Other words.")
        response = client.post(
            edit_url(innovation), {**proposal_data(name="BP@home", summary="Mine."), "version": 1}
        )
        assert response.status_code == 200
        assert "Someone else saved this since you opened it" in response.content.decode()
        assert "Other words." in response.content.decode()
        innovation.refresh_from_db()
        assert innovation.summary == "Other words."
        assert innovation.version == 2

    def test_renaming_to_another_entrys_name_is_refused(self, admin_user_ahsn):
        InnovationFactory(name="FeNO testing")
        innovation = InnovationFactory(name="BP@home")
        with pytest.raises(ValidationError) as caught:
            innovation_update(innovation=innovation, by=admin_user_ahsn, version=1, name="feno TESTING")
        assert "already has “FeNO testing”" in caught.value.message_dict["name"][0]
        innovation.refresh_from_db()
        assert innovation.name == "BP@home"


@pytest.fixture
def duplicate_and_original(hub, other_hub):
    original = InnovationFactory(name="BP@home")
    duplicate = InnovationFactory(name="Home blood pressure monitoring")
    return duplicate, original


class TestMerge:
    def test_the_adoptions_move_and_the_source_is_kept_as_merged(
        self, client, admin_user_ahsn, hub, other_hub, duplicate_and_original
    ):
        duplicate, original = duplicate_and_original
        moving = AdoptionFactory(hub=hub, innovation=duplicate, stage=Stage.TESTING)
        staying = AdoptionFactory(hub=other_hub, innovation=original)
        client.force_login(admin_user_ahsn)
        response = client.post(merge_url(duplicate), {"target": original.pk, "reason": "Same programme."})
        assert response.status_code == 302
        assert response.url == page_of(original)
        moving.refresh_from_db()
        assert moving.innovation == original
        assert moving.stage == Stage.TESTING
        assert set(original.adoptions.all()) == {moving, staying}
        duplicate.refresh_from_db()
        assert duplicate.status == Innovation.Status.MERGED
        assert duplicate.merged_into == original
        last = duplicate.history.latest()
        assert last.history_user == admin_user_ahsn
        assert "Same programme." in last.history_change_reason
        assert moving.history.latest().innovation_id == original.pk
        assert moving.history.earliest().innovation_id == duplicate.pk
        assert "Same programme." in moving.history.latest().history_change_reason

    def test_refused_when_a_hub_would_adopt_the_target_twice(
        self, client, admin_user_ahsn, hub, other_hub, duplicate_and_original
    ):
        duplicate, original = duplicate_and_original
        AdoptionFactory(hub=hub, innovation=duplicate)
        AdoptionFactory(hub=hub, innovation=original)
        other = AdoptionFactory(hub=other_hub, innovation=duplicate)
        client.force_login(admin_user_ahsn)
        response = client.post(merge_url(duplicate), {"target": original.pk, "reason": "Same programme."})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Not merged: Dorset already adopts both" in html
        assert "Manchester" not in html.split("Not merged")[1].split("</li>")[0]
        other.refresh_from_db()
        assert other.innovation == duplicate
        duplicate.refresh_from_db()
        assert duplicate.status == Innovation.Status.APPROVED
        assert duplicate.merged_into is None
        assert duplicate.adoptions.count() == 2

    def test_the_merge_form_offers_only_other_approved_entries_and_needs_a_reason(
        self, client, admin_user_ahsn, owner, duplicate_and_original
    ):
        duplicate, original = duplicate_and_original
        proposal = InnovationFactory(name="A proposal", status=Innovation.Status.PROPOSED, proposed_by=owner)
        client.force_login(admin_user_ahsn)
        choices = list(client.get(merge_url(duplicate)).context["form"].fields["target"].queryset)
        assert choices == [original]
        response = client.post(merge_url(duplicate), {"target": proposal.pk, "reason": ""})
        errors = response.context["form"].errors
        assert errors["target"] == ["Choose an entry from the list."]
        assert errors["reason"] == ["Say why these entries are being merged."]
        duplicate.refresh_from_db()
        assert duplicate.status == Innovation.Status.APPROVED

    def test_a_proposal_can_be_merged_into_the_entry_it_repeats(self, admin_user_ahsn, proposal):
        original = InnovationFactory(name="Asthma reviews in pharmacies")
        innovation_merge(source=proposal, target=original, by=admin_user_ahsn, reason="Already listed.")
        proposal.refresh_from_db()
        assert (proposal.status, proposal.merged_into) == (Innovation.Status.MERGED, original)

    def test_an_entry_cannot_be_merged_into_itself_or_into_a_merged_one(self, admin_user_ahsn):
        innovation = InnovationFactory()
        with pytest.raises(ValidationError):
            innovation_merge(source=innovation, target=innovation, by=admin_user_ahsn, reason="Oops.")
        merged = InnovationFactory(status=Innovation.Status.MERGED, merged_into=innovation)
        with pytest.raises(ValidationError):
            innovation_merge(source=innovation, target=merged, by=admin_user_ahsn, reason="Oops.")
        innovation.refresh_from_db()
        assert innovation.status == Innovation.Status.APPROVED


class TestOnlyAdminsCurate:
    """Hub staff (owner of an adoption, or of another hub) and evaluators read; only AHSN admins curate."""

    @pytest.fixture
    def setting(self, owner, reader, evaluator_user, hub):
        original = InnovationFactory(name="BP@home")
        duplicate = InnovationFactory(name="Home blood pressure monitoring")
        adoption = AdoptionFactory(hub=hub, innovation=duplicate)
        proposal = InnovationFactory(name="A proposal", status=Innovation.Status.PROPOSED, proposed_by=owner)
        return original, duplicate, adoption, proposal

    @pytest.mark.parametrize("who", ["owner", "reader", "evaluator_user"])
    def test_the_others_get_403_and_nothing_changes(self, client, request, setting, who):
        original, duplicate, adoption, proposal = setting
        client.force_login(request.getfixturevalue(who))
        assert client.post(merge_url(duplicate), {"target": original.pk, "reason": "x"}).status_code == 403
        assert client.get(merge_url(duplicate)).status_code == 403
        data = {**proposal_data(name="BP@home", summary="Changed."), "version": 1}
        assert client.post(edit_url(original), data).status_code == 403
        assert client.get(edit_url(original)).status_code == 403
        if who != "reader":  # the reader cannot even see the proposal: 404 tells them nothing
            assert client.post(approve_url(proposal)).status_code == 403
        else:
            assert client.post(approve_url(proposal)).status_code == 404
        adoption.refresh_from_db()
        assert adoption.innovation == duplicate
        for innovation in (original, duplicate, proposal):
            before = innovation.status, innovation.summary, innovation.version
            innovation.refresh_from_db()
            assert (innovation.status, innovation.summary, innovation.version) == before


def test_the_header_offers_innovations_to_every_signed_in_role(
    client, owner, evaluator_user, admin_user_ahsn
):
    for user in (owner, evaluator_user, admin_user_ahsn):
        client.force_login(user)
        nav = client.get(reverse("home")).context["nav_items"]
        assert "Innovations" in [item["label"] for item in nav]
        assert CATALOGUE in [item["url"] for item in nav]


def test_the_public_is_sent_to_sign_in(client, catalogue_entries):
    for url in (CATALOGUE, PROPOSE, page_of(catalogue_entries["bp"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_adoption_rows_survive_a_merge_untouched_otherwise(admin_user_ahsn, hub):
    """A merge moves an adoption; its stage, dates and history of moves stay as they were."""
    source, target = InnovationFactory(), InnovationFactory()
    adoption = AdoptionFactory(hub=hub, innovation=source, stage=Stage.ASSESSING)
    before = (adoption.stage, adoption.stage_since, adoption.started_on, adoption.transitions.count())
    innovation_merge(source=source, target=target, by=admin_user_ahsn, reason="Duplicate.")
    adoption = Adoption.objects.get(pk=adoption.pk)
    assert (adoption.stage, adoption.stage_since, adoption.started_on, adoption.transitions.count()) == before
