"""Learning services refuse, themselves, anyone who may not make the change.

Each service is called directly, with no view in front of it: hub staff add notes to their own
hubs' adoptions and authors change their own notes; only AHSN admins take a learning summary
through its workflow; each signed-in person chooses their own e-mail, and an unsubscribe link
stops it without signing in. Everyone else is refused and nothing is written.
"""

import pytest
from django.core.exceptions import PermissionDenied

from learning.emails import preference_set, preference_unsubscribe, unsubscribe_token
from learning.models import LearningNote, LearningSummary, SummaryEmailPreference, SummaryVersion
from learning.services import note_create, note_update
from learning.summaries import (
    summary_publish,
    summary_return,
    summary_submit,
    summary_update,
    summary_withdraw,
)
from tests.factories import LearningNoteFactory, UserFactory, draft_summary, member_of, published_summary

pytestmark = pytest.mark.django_db

Frequency = SummaryEmailPreference.Frequency


def rows(*tables) -> list:
    """Every row of these tables as stored now: equal before and after means nothing was written."""
    return [list(table.order_by("pk").values()) for table in tables]


# -- Learning notes ------------------------------------------------------------------------------

NOTE_TABLES = (LearningNote.objects, LearningNote.history)


@pytest.fixture
def note(adoption, owner):
    return LearningNoteFactory(adoption=adoption, author=owner)


@pytest.fixture
def colleague(hub):
    """Another member of the owning hub: reads the note, but it is not theirs to change."""
    return member_of(hub, username="colleague")


def add_note(adoption, by):
    return note_create(
        adoption=adoption,
        kind=LearningNote.Kind.ENABLER,
        cfir_domain=LearningNote.Domain.INNER_SETTING,
        title="A named champion in each practice",
        text="Enrolment doubled where a practice had one.",
        by=by,
    )


def change_note(note, by):
    return note_update(note=note, by=by, version=note.version, text="Someone else's words.")


def test_hub_staff_add_notes_to_their_own_hubs_adoptions(adoption, owner):
    note = add_note(adoption, owner)
    assert (note.adoption, note.author) == (adoption, owner)


@pytest.mark.parametrize("who", ["reader", "evaluator_user", "admin_user_ahsn", "public", "former_member"])
def test_no_one_else_adds_them_even_calling_the_service_directly(request, adoption, who):
    user = request.getfixturevalue(who)
    before = rows(*NOTE_TABLES)
    with pytest.raises(PermissionDenied, match="not allowed to add notes to this adoption"):
        add_note(adoption, user)
    assert rows(*NOTE_TABLES) == before


def test_authors_change_their_own_notes(note, owner):
    change_note(note, owner)
    note.refresh_from_db()
    assert note.text == "Someone else's words."


@pytest.mark.parametrize(
    "who", ["colleague", "reader", "evaluator_user", "admin_user_ahsn", "public", "former_member"]
)
def test_no_one_else_changes_a_note_even_calling_the_service_directly(request, note, who):
    user = request.getfixturevalue(who)
    before = rows(*NOTE_TABLES)
    with pytest.raises(PermissionDenied, match="not allowed to change this note"):
        change_note(note, user)
    assert rows(*NOTE_TABLES) == before


# -- Learning summaries: AHSN admins only -----------------------------------------------------------

SUMMARY_TABLES = (LearningSummary.objects, LearningSummary.history, SummaryVersion.objects)


def in_review(writer, reviewer):
    summary = draft_summary(by=writer)
    summary_submit(summary=summary, by=writer)
    return summary


def nothing(writer, reviewer):
    return None


def draft(writer, reviewer):
    return draft_summary(by=writer)


def published(writer, reviewer):
    return published_summary(by=writer, reviewer=reviewer)


# Each step of the workflow: where the summary must be first (written by ``writer``), and the step.
STEPS = {
    "create": (nothing, lambda summary, by: draft_summary(by=by)),
    "update": (draft, lambda summary, by: summary_update(summary=summary, by=by, version=1, body="Other.")),
    "submit": (draft, lambda summary, by: summary_submit(summary=summary, by=by)),
    "return": (in_review, lambda summary, by: summary_return(summary=summary, by=by, note="Say where.")),
    "publish": (in_review, lambda summary, by: summary_publish(summary=summary, by=by)),
    "withdraw": (
        published,
        lambda summary, by: summary_withdraw(summary=summary, by=by, reason="Superseded."),
    ),
}


@pytest.mark.parametrize("step", STEPS)
def test_ahsn_admins_take_each_step(step, writer, reviewer):
    prepare, act = STEPS[step]
    summary = prepare(writer, reviewer)
    before = rows(*SUMMARY_TABLES)
    act(summary, reviewer)
    assert rows(*SUMMARY_TABLES) != before


@pytest.mark.parametrize("who", ["owner", "evaluator_user", "public"])
@pytest.mark.parametrize("step", STEPS)
def test_no_one_else_takes_any_step_even_calling_the_service_directly(request, step, who, writer, reviewer):
    prepare, act = STEPS[step]
    summary = prepare(writer, reviewer)
    user = request.getfixturevalue(who)
    before = rows(*SUMMARY_TABLES)
    with pytest.raises(PermissionDenied, match="Only AHSN admins can"):
        act(summary, user)
    assert rows(*SUMMARY_TABLES) == before


# -- E-mail about summaries: each person their own ------------------------------------------------

PREFERENCES = (SummaryEmailPreference.objects,)


@pytest.mark.parametrize("who", ["owner", "evaluator_user", "admin_user_ahsn"])
def test_each_signed_in_person_chooses_their_own_email(request, who):
    user = request.getfixturevalue(who)
    preference_set(user=user, frequency=Frequency.WEEKLY)
    assert SummaryEmailPreference.objects.get(user=user).frequency == Frequency.WEEKLY


@pytest.mark.parametrize("who", ["public", "former_member"])
def test_the_public_and_deactivated_accounts_choose_nothing(request, who, owner):
    preference_set(user=owner, frequency=Frequency.EACH)
    user = request.getfixturevalue(who)
    before = rows(*PREFERENCES)
    with pytest.raises(PermissionDenied, match="Sign in to choose how often"):
        preference_set(user=user, frequency=Frequency.WEEKLY)
    assert rows(*PREFERENCES) == before


def test_an_unsubscribe_link_stops_email_without_signing_in_even_after_the_account_is_deactivated(owner):
    preference_set(user=owner, frequency=Frequency.WEEKLY)
    owner.is_active = False
    owner.save()
    assert preference_unsubscribe(token=unsubscribe_token(owner)) == Frequency.WEEKLY
    assert SummaryEmailPreference.objects.get(user=owner).frequency == Frequency.NONE


def test_a_tampered_unsubscribe_link_changes_nothing(owner):
    preference_set(user=owner, frequency=Frequency.EACH)
    before = rows(*PREFERENCES)
    token = unsubscribe_token(owner)
    tampered = token[:-1] + ("B" if token.endswith("A") else "A")  # the signature no longer matches
    with pytest.raises(PermissionDenied, match="not valid"):
        preference_unsubscribe(token=tampered)
    gone = UserFactory(username="gone")
    token_of_someone_removed = unsubscribe_token(gone)
    gone.delete()
    with pytest.raises(PermissionDenied, match="not valid"):
        preference_unsubscribe(token=token_of_someone_removed)
    assert rows(*PREFERENCES) == before
