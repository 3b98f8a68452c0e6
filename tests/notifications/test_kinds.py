"""Each kind this app wires reaches the right people and nobody else, in the portal and by e-mail."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from innovations.models import Innovation
from innovations.services import innovation_approve, innovation_merge, innovation_propose
from learning.summaries import summary_return, summary_submit
from learning.tasks import tell_admins_rollup_failed
from notifications.models import Kind, Notification
from tests.factories import InnovationFactory, ahsn_admin, draft_summary, evaluator, member_of

pytestmark = pytest.mark.django_db


def told(kind):
    """Who was told of ``kind``, by username."""
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def page_of(user, client, kind):
    client.force_login(user)
    return client.get(reverse("notifications:list")).content.decode()


@pytest.fixture
def proposal(owner):
    return innovation_propose(
        by=owner,
        name="Digital weight management",
        summary="A 12-week programme.",
        category=Innovation.Category.REMOTE_MONITORING,
        evidence_level=Innovation.Evidence.NATIONAL,
    )


def test_an_approved_proposal_is_told_to_its_proposer_only(
    proposal, owner, hub, reader, admin_user_ahsn, eager_tasks, django_capture_on_commit_callbacks, client
):
    colleague = member_of(hub, username="colleague")
    with django_capture_on_commit_callbacks(execute=True):
        innovation_approve(innovation=proposal, by=admin_user_ahsn)
    assert told(Kind.PROPOSAL_DECIDED) == ["owner"]
    notification = Notification.objects.get()
    assert notification.url == reverse("innovations:innovation", args=[proposal.slug])
    assert "Digital weight management" in notification.title
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "Digital weight management" in page_of(owner, client, Kind.PROPOSAL_DECIDED)
    for nobody in (colleague, reader, admin_user_ahsn):
        assert "Digital weight management" not in page_of(nobody, client, Kind.PROPOSAL_DECIDED)


def test_a_proposal_merged_into_another_entry_is_told_to_its_proposer(proposal, owner, admin_user_ahsn):
    target = InnovationFactory(name="Weight management online")
    innovation_merge(source=proposal, target=target, by=admin_user_ahsn, reason="The same programme")
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.kind) == (owner, Kind.PROPOSAL_DECIDED)
    assert notification.url == reverse("innovations:innovation", args=[target.slug])
    assert "merged into “Weight management online”" in notification.title
    assert "The same programme" in notification.body


def test_merging_an_entry_that_was_no_proposal_tells_nobody(admin_user_ahsn):
    source, target = InnovationFactory(), InnovationFactory()
    innovation_merge(source=source, target=target, by=admin_user_ahsn, reason="Duplicates")
    assert not Notification.objects.exists()


def test_a_summary_sent_for_review_is_told_to_the_other_active_ahsn_admins(
    writer_and_others, eager_tasks, django_capture_on_commit_callbacks
):
    writer = writer_and_others
    summary = draft_summary(by=writer)
    with django_capture_on_commit_callbacks(execute=True):
        summary_submit(summary=summary, by=writer)
    assert told(Kind.SUMMARY_FOR_REVIEW) == ["admin-b", "admin-c"]
    notification = Notification.objects.filter(kind=Kind.SUMMARY_FOR_REVIEW).first()
    assert notification.url == reverse("learning:summary_manage", args=[summary.pk])
    assert sorted(m.to[0] for m in mail.outbox) == ["admin-b@example.org", "admin-c@example.org"]

    # Returned and sent again: news again, once more each.
    summary_return(summary=summary, by=Notification.objects.first().recipient, note="Shorter, please")
    summary_submit(summary=summary, by=writer)
    assert Notification.objects.filter(kind=Kind.SUMMARY_FOR_REVIEW).count() == 4


@pytest.fixture
def writer_and_others(hub):
    writer = ahsn_admin(username="writer", email="writer@example.org")
    ahsn_admin(username="admin-b", email="admin-b@example.org")
    ahsn_admin(username="admin-c", email="admin-c@example.org")
    ahsn_admin(username="admin-gone", email="gone@example.org", is_active=False)
    evaluator(username="evaluator", email="evaluator@example.org")
    member_of(hub, username="staff", email="staff@example.org")
    return writer


def test_a_failed_run_is_told_to_active_ahsn_admins_once_however_often_it_is_reported(writer_and_others):
    day = datetime.date(2026, 10, 1)
    assert tell_admins_rollup_failed(day, RuntimeError("the database went away")) == 3
    assert tell_admins_rollup_failed(day, "its worker was lost 3 times") == 0, "a retry tells nobody again"
    assert told(Kind.RUN_FAILED) == ["admin-b", "admin-c", "writer"]
    notification = Notification.objects.filter(kind=Kind.RUN_FAILED).first()
    assert "1 October 2026" in notification.title
    assert "the database went away" in notification.body
    assert notification.url == reverse("learning:reports")
