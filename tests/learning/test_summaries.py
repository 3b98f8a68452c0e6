"""Learning summaries: the workflow and its refusals, versions, withdrawal, and who reads what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from learning.models import LearningSummary, RollupReport, SummaryVersion
from learning.summaries import (
    summary_publish,
    summary_return,
    summary_submit,
    summary_update,
    summary_withdraw,
)
from tests.factories import LearningNoteFactory, draft_summary, published_summary

pytestmark = pytest.mark.django_db

Status = LearningSummary.Status


def page_of(summary) -> str:
    return reverse("learning:summary", args=[summary.slug])


def edit(summary, by, **changes):
    fields = {
        "title": summary.title,
        "standfirst": summary.standfirst,
        "body": summary.body,
        "theme_codes": summary.theme_codes,
        "audience": summary.audience,
        **changes,
    }
    return summary_update(summary=summary, by=by, version=summary.version, **fields)


def form_data(**fields) -> dict:
    data = {
        "title": "Champions in every practice",
        "standfirst": "Practices with a named champion enrolled more people from the most deprived areas.",
        "body": "## What we did\n\nEach practice named a champion.",
        "theme_codes": ["inner_setting"],
        "audience": "public",
        "action": "save",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


# -- Workflow ---------------------------------------------------------------------------------


def test_a_draft_goes_to_review_and_another_admin_publishes_it_as_version_one(writer, reviewer):
    summary = draft_summary(by=writer, title="Champions in every practice")
    assert summary.status == Status.DRAFT and summary.slug == "champions-in-every-practice"

    summary_submit(summary=summary, by=writer)
    assert summary.status == Status.IN_REVIEW and summary.submitted_by == writer

    version = summary_publish(summary=summary, by=reviewer)
    summary.refresh_from_db()
    assert summary.status == Status.PUBLISHED
    assert summary.live_version == version
    assert (version.number, version.published_by, version.submitted_by) == (1, reviewer, writer)
    assert version.published_at is not None and version.title == "Champions in every practice"


def test_the_writer_cannot_publish_their_own_summary_and_nothing_changes(writer):
    summary = draft_summary(by=writer)
    summary_submit(summary=summary, by=writer)
    with pytest.raises(ValidationError, match="Another AHSN admin must review"):
        summary_publish(summary=summary, by=writer)
    summary.refresh_from_db()
    assert summary.status == Status.IN_REVIEW and summary.live_version is None
    assert not SummaryVersion.objects.exists()


@override_settings(LEARNING_SUMMARY_SELF_REVIEW=True)
def test_a_programme_with_one_admin_may_allow_self_review(writer):
    summary = draft_summary(by=writer)
    summary_submit(summary=summary, by=writer)
    assert summary_publish(summary=summary, by=writer).number == 1


def test_publishing_a_draft_that_was_not_reviewed_is_refused(writer, reviewer):
    summary = draft_summary(by=writer)
    with pytest.raises(ValidationError, match="only after review"):
        summary_publish(summary=summary, by=reviewer)
    summary.refresh_from_db()
    assert summary.status == Status.DRAFT and not summary.versions.exists()


def test_a_reviewer_returns_a_summary_with_a_note_and_it_must_be_sent_again(writer, reviewer):
    summary = draft_summary(by=writer)
    summary_submit(summary=summary, by=writer)
    with pytest.raises(ValidationError, match="Say what should change"):
        summary_return(summary=summary, by=reviewer, note="  ")
    summary_return(summary=summary, by=reviewer, note="Say which practices.")
    assert summary.status == Status.DRAFT and summary.review_note == "Say which practices."
    with pytest.raises(ValidationError, match="only after review"):
        summary_publish(summary=summary, by=reviewer)


def test_only_a_draft_is_sent_for_review(writer, reviewer):
    summary = published_summary(by=writer, reviewer=reviewer)
    with pytest.raises(ValidationError, match="Only a draft"):
        summary_submit(summary=summary, by=writer)


def test_an_empty_body_cannot_be_sent_for_review(writer):
    summary = draft_summary(by=writer)
    LearningSummary.objects.filter(pk=summary.pk).update(body="   ")
    with pytest.raises(ValidationError, match="Write the summary's body"):
        summary_submit(summary=summary, by=writer)
    summary.refresh_from_db()
    assert summary.status == Status.DRAFT


def test_only_ahsn_admins_write_or_publish(writer, owner, evaluator_user):
    summary = draft_summary(by=writer)
    summary_submit(summary=summary, by=writer)
    for user in (owner, evaluator_user):
        with pytest.raises(PermissionDenied):
            summary_publish(summary=summary, by=user)
        with pytest.raises(PermissionDenied):
            draft_summary(by=user)


# -- Versions and withdrawal ------------------------------------------------------------------


def test_editing_a_published_summary_keeps_it_live_until_the_next_version_is_published(
    client, writer, reviewer
):
    summary = published_summary(by=writer, reviewer=reviewer, body="Enrolment rose in **six** practices.")
    edit(summary, reviewer, body="Enrolment rose in **nine** practices.")
    summary.refresh_from_db()
    assert summary.status == Status.DRAFT and summary.has_unpublished_changes

    page = client.get(page_of(summary)).content.decode()
    assert "<strong>six</strong>" in page and "nine" not in page

    summary_submit(summary=summary, by=reviewer)
    version = summary_publish(summary=summary, by=writer)
    assert version.number == 2
    page = client.get(page_of(summary)).content.decode()
    assert "<strong>nine</strong>" in page and "version 2" in page

    first = client.get(reverse("learning:summary_version", args=[summary.slug, 1])).content.decode()
    assert "<strong>six</strong>" in first and "read the current version" in first

    changes = client.get(reverse("learning:summary_changes", args=[summary.slug, 2])).content.decode()
    assert (
        '<span class="nhsuk-u-visually-hidden">Removed: </span>Enrolment rose in **six** practices.'
        in changes
    )
    assert (
        '<span class="nhsuk-u-visually-hidden">Added: </span>Enrolment rose in **nine** practices.' in changes
    )

    listing = client.get(reverse("learning:summary_versions", args=[summary.slug])).content.decode()
    assert "Version 2</a> (current)" in listing and "Version 1</a>" in listing


def test_the_first_version_has_no_changes_page(client, writer, reviewer):
    summary = published_summary(by=writer, reviewer=reviewer)
    assert client.get(reverse("learning:summary_changes", args=[summary.slug, 1])).status_code == 404


def test_a_withdrawn_summary_keeps_its_address_and_says_why_without_its_body(client, writer, reviewer):
    summary = published_summary(by=writer, reviewer=reviewer, body="The secret of **success**.")
    with pytest.raises(ValidationError, match="Say why"):
        summary_withdraw(summary=summary, by=reviewer, reason="")
    summary_withdraw(summary=summary, by=reviewer, reason="The figures it quoted were revised.")

    response = client.get(page_of(summary))
    page = response.content.decode()
    assert response.status_code == 200
    assert "withdrawn on" in page and "The figures it quoted were revised." in page
    assert "success" not in page
    assert summary.title not in client.get(reverse("learning:summary_list")).content.decode()
    assert summary.title not in client.get(reverse("learning:feed")).content.decode()
    assert client.get(reverse("learning:summary_pdf", args=[summary.slug])).status_code == 404
    assert client.get(reverse("learning:summary_version", args=[summary.slug, 1])).status_code == 404
    with pytest.raises(ValidationError, match="already withdrawn"):
        summary_withdraw(summary=summary, by=reviewer, reason="Again.")


def test_only_a_published_summary_can_be_withdrawn(writer):
    with pytest.raises(ValidationError, match="Only a published summary"):
        summary_withdraw(summary=draft_summary(by=writer), by=writer, reason="Never mind.")


def test_republishing_a_withdrawn_summary_brings_it_back(client, writer, reviewer):
    summary = published_summary(by=writer, reviewer=reviewer)
    summary_withdraw(summary=summary, by=reviewer, reason="Under revision.")
    edit(summary, writer, body="Revised.")
    summary_submit(summary=summary, by=writer)
    summary_publish(summary=summary, by=reviewer)
    summary.refresh_from_db()
    assert not summary.is_withdrawn and summary.live_version.number == 2
    assert "Revised." in client.get(page_of(summary)).content.decode()


# -- Forms: bad input gets a message next to the field and changes nothing ---------------------


def test_a_title_clash_is_refused_next_to_the_title(client, writer):
    draft_summary(by=writer, title="Champions in every practice")
    client.force_login(writer)
    response = client.post(reverse("learning:summary_new"), form_data(title="champions in EVERY practice"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "already exists: choose another title" in page
    assert 'id="id_title-error"' in page and "nhsuk-error-summary" in page
    assert LearningSummary.objects.count() == 1


def test_an_empty_body_is_refused_and_what_was_typed_is_kept(client, writer):
    client.force_login(writer)
    response = client.post(reverse("learning:summary_new"), form_data(body="  \n "))
    page = response.content.decode()
    assert "Write the summary&#x27;s body." in page and 'id="id_body-error"' in page
    assert "Champions in every practice" in page
    assert not LearningSummary.objects.exists()


def test_publishing_without_a_review_shows_a_clear_message(client, writer, reviewer):
    summary = draft_summary(by=writer)
    client.force_login(reviewer)
    response = client.post(reverse("learning:summary_publish", args=[summary.pk]))
    assert response.status_code == 200
    assert "send it for review first" in response.content.decode()
    summary.refresh_from_db()
    assert summary.status == Status.DRAFT


def test_withdrawing_without_a_reason_says_so_next_to_the_field(client, writer, reviewer):
    summary = published_summary(by=writer, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.post(reverse("learning:summary_withdraw", args=[summary.pk]), {"reason": ""})
    page = response.content.decode()
    assert 'id="id_reason-error"' in page and "Say why the summary is withdrawn" in page
    summary.refresh_from_db()
    assert not summary.is_withdrawn


def test_the_whole_journey_through_the_pages(client, writer, reviewer):
    note = LearningNoteFactory(title="Practice champions")
    report = RollupReport.objects.create(day=datetime.date(2026, 11, 24), content={}, content_hash="0" * 64)
    client.force_login(writer)
    response = client.post(
        reverse("learning:summary_new"),
        form_data(cited_reports=[report.pk], cited_notes=[note.pk], hubs=[note.adoption.hub.pk]),
    )
    summary = LearningSummary.objects.get()
    assert response.url == reverse("learning:summary_manage", args=[summary.pk])
    client.post(reverse("learning:summary_submit", args=[summary.pk]))
    client.force_login(reviewer)
    client.post(reverse("learning:summary_publish", args=[summary.pk]))
    client.logout()

    page = client.get(page_of(summary)).content.decode()
    assert "Hub Portal nightly roll-up report for 24 November 2026." in page
    assert "“Practice champions”: barrier (Inner setting)" in page
    assert f'href="{report.get_absolute_url()}"' not in page  # the public cannot open reports


def test_the_preview_shows_the_sanitised_body_and_saves_nothing(client, writer):
    client.force_login(writer)
    response = client.post(
        reverse("learning:summary_new"), form_data(action="preview", body="Some **bold** words.")
    )
    page = response.content.decode()
    assert "Preview of the body" in page and "Some <strong>bold</strong> words." in page
    assert not LearningSummary.objects.exists()


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(client, writer, reviewer):
    summary = draft_summary(by=writer)
    opened_at = summary.version
    edit(summary, reviewer, body="Someone else's words.")
    client.force_login(writer)
    response = client.post(
        reverse("learning:summary_edit", args=[summary.pk]),
        form_data(title=summary.title, body="My words.", version=opened_at),
    )
    page = response.content.decode()
    assert "Someone else saved this since you opened it" in page and "My words." in page
    summary.refresh_from_db()
    assert summary.body == "Someone else's words."
