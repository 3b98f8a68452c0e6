"""E-mail about notifications: at once, in a daily digest, or none; and unsubscribing per kind from the link."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.emails import digest_send, from_token, unsubscribe_token
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from notifications.services import notify, preference_set
from tests.factories import UserFactory
from tests.threads import at_once

pytestmark = pytest.mark.django_db


def tell(users, kind=Kind.RUN_FAILED, key="k1", title="The roll-up for 1 October 2026 failed", **fields):
    return notify(
        users, kind=kind, key=key, title=title, url=fields.pop("url", "/learning/reports/"), **fields
    )


def choose(user, kind, delivery):
    NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/") and header.endswith(">")
    return header[1:-1].removeprefix(settings.SITE_URL)


def test_an_e_mail_at_once_is_one_persons_in_text_and_html_with_absolute_links(
    eager_tasks, django_capture_on_commit_callbacks
):
    ann = UserFactory(username="ann")
    with django_capture_on_commit_callbacks(execute=True):
        tell([ann], body="Error: the database went away")
    [message] = mail.outbox
    notification = Notification.objects.get()
    assert message.to == [ann.email] and not message.bcc
    assert message.subject == "The roll-up for 1 October 2026 failed"
    link = f"{settings.SITE_URL}{reverse('notifications:open', args=[notification.pk])}"
    assert link in message.body and "the database went away" in message.body
    [(html, mime)] = message.alternatives
    assert mime == "text/html" and f'href="{link}"' in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert from_token(path.rstrip("/").rsplit("/", 1)[-1]) == (ann, [Kind.RUN_FAILED])
    assert f"{settings.SITE_URL}{path}" in message.body, "the unsubscribe link is in the text too"
    assert "Stop e-mails about nightly roll-up runs that failed" in message.body


def test_unsubscribing_from_the_link_stops_that_kind_only(eager_tasks, django_capture_on_commit_callbacks):
    ann = UserFactory(username="ann")
    with django_capture_on_commit_callbacks(execute=True):
        tell([ann])
    path = unsubscribe_path(mail.outbox[0])
    client = Client(enforce_csrf_checks=True)  # a mail client's POST carries no CSRF token

    page = client.get(path)
    assert page.status_code == 200 and "Nightly roll-up runs that failed" in page.content.decode()
    assert not NotificationPreference.objects.exists(), "opening the link only asks"

    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert NotificationPreference.objects.get(user=ann, kind=Kind.RUN_FAILED).delivery == Delivery.NONE
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tell([ann], key="k2")
        tell([ann], kind=Kind.SUMMARY_FOR_REVIEW, key="k3", title="A summary awaits your review")
    assert [m.subject for m in mail.outbox] == ["A summary awaits your review"], "other kinds still come"
    assert Notification.objects.filter(recipient=ann).count() == 3, "still told in the portal"


def test_a_bad_unsubscribe_link_is_404_and_changes_nothing(client):
    ann = UserFactory(username="ann")
    good = unsubscribe_token(ann, [Kind.RUN_FAILED])
    forged = good[:-3] + ("abc" if not good.endswith("abc") else "xyz")
    for token in (forged, "nonsense", "x" * 600):
        path = reverse("notifications:unsubscribe", args=[token])
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert not NotificationPreference.objects.exists()


def test_a_daily_digest_lists_what_waits_once_and_never_empty(
    eager_tasks, django_capture_on_commit_callbacks
):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    choose(ann, Kind.RUN_FAILED, Delivery.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        tell([ann, bob], key="k1", title="First failure")
        tell([ann, bob], key="k2", title="Second failure")
        tell([ann], kind=Kind.SUMMARY_FOR_REVIEW, key="k3", title="A summary awaits your review")
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (ann.email, "A summary awaits your review"),
        (bob.email, "First failure"),
        (bob.email, "Second failure"),
    ], "at once for kinds not on the digest"
    mail.outbox.clear()

    assert digest_send() == 1
    [digest] = mail.outbox
    assert digest.to == [ann.email]
    assert "2 notifications" in digest.subject
    assert "First failure" in digest.body and "Second failure" in digest.body
    assert "A summary awaits" not in digest.body, "sent at once already"
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Notification.objects.filter(recipient=ann, emailed_at__isnull=True).exists()

    assert digest_send() == 0, "never twice"
    assert len(mail.outbox) == 1


def test_no_e_mail_means_the_portal_only(eager_tasks, django_capture_on_commit_callbacks):
    ann = UserFactory(username="ann")
    choose(ann, Kind.RUN_FAILED, Delivery.NONE)
    choose(ann, Kind.FIGURES_DUE, Delivery.DAILY)  # a digest for another kind, with nothing in it
    with django_capture_on_commit_callbacks(execute=True):
        tell([ann])
    assert digest_send() == 0
    assert mail.outbox == [], "nothing at once, and no empty digest"
    assert Notification.objects.filter(recipient=ann).count() == 1


def test_choosing_the_digest_after_one_was_promised_at_once_sends_it_in_the_digest_only(
    eager_tasks, django_capture_on_commit_callbacks
):
    ann = UserFactory(username="ann")
    with django_capture_on_commit_callbacks(execute=False) as promised:
        tell([ann])
    choose(ann, Kind.RUN_FAILED, Delivery.DAILY)
    for callback in promised:
        callback()  # the e-mail task runs after the change of mind
    assert mail.outbox == []
    assert digest_send() == 1
    assert len(mail.outbox) == 1


def test_the_digest_leaves_out_what_waited_while_they_wanted_no_e_mail(django_capture_on_commit_callbacks):
    ann = UserFactory(username="ann")
    choose(ann, Kind.RUN_FAILED, Delivery.NONE)
    tell([ann], key="old", title="Old news")
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(days=30))
    choose(ann, Kind.RUN_FAILED, Delivery.DAILY)
    tell([ann], key="new", title="New news")
    assert digest_send() == 1
    [digest] = mail.outbox
    assert "New news" in digest.body and "Old news" not in digest.body


def test_preference_set_is_a_signed_in_persons_own_choice(owner, public):
    preference_set(user=owner, kind=Kind.FIGURES_DUE, delivery=Delivery.DAILY)
    assert NotificationPreference.objects.get(user=owner, kind=Kind.FIGURES_DUE).delivery == Delivery.DAILY
    with pytest.raises(Exception, match="Sign in"):
        preference_set(user=public, kind=Kind.FIGURES_DUE, delivery=Delivery.NONE)
    with pytest.raises(Exception, match="Choose"):
        preference_set(user=owner, kind=Kind.FIGURES_DUE, delivery="weekly")


@pytest.mark.django_db(transaction=True)
def test_two_digests_at_once_send_each_persons_once():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    people = [UserFactory(username=f"p{n}") for n in range(4)]
    for person in people:
        choose(person, Kind.RUN_FAILED, Delivery.DAILY)
    tell(people)
    sent = at_once(digest_send)
    assert sum(sent) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
