"""E-mail about published learning summaries: who gets it, when, what it says, and unsubscribing."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hubportal.celery import app
from learning.emails import (
    digest_send,
    preference_set,
    publication_emails_send,
    unsubscribe_token,
    unsubscribe_url,
    user_from_token,
)
from learning.models import Audience, SummaryEmailPreference, SummaryEmailSent, SummaryVersion
from learning.summaries import (
    summary_create,
    summary_publish,
    summary_submit,
    summary_update,
    summary_withdraw,
)
from learning.tasks import summary_published_emails
from notifications.models import Delivery, Kind, NotificationPreference
from tests.factories import HubFactory, UserFactory, ahsn_admin, member_of
from tests.workers import start_worker, stop_worker, wait_for_email

EACH = SummaryEmailPreference.Frequency.EACH
WEEKLY = SummaryEmailPreference.Frequency.WEEKLY
NONE = SummaryEmailPreference.Frequency.NONE

pytestmark = pytest.mark.django_db


def publish(
    writer,
    reviewer,
    *,
    title="Virtual wards at home",
    body="Nurses phoned daily.",
    audience=Audience.SIGNED_IN,
) -> SummaryVersion:
    """A summary written, sent for review by one AHSN admin and published by another."""
    summary = summary_create(
        by=writer,
        title=title,
        standfirst=f"What four hubs learned: {title.lower()}.",
        body=body,
        audience=audience,
        theme_codes=["inner_setting"],
    )
    summary_submit(summary=summary, by=writer)
    return summary_publish(summary=summary, by=reviewer)


def subscriber(frequency, **kwargs):
    user = UserFactory(**kwargs)
    preference_set(user=user, frequency=frequency)
    return user


def parts(message) -> tuple[str, str]:
    """The plain-text and HTML parts of a sent message."""
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message.body, html


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{settings.SITE_URL}/learning/unsubscribe/") and header.endswith(">")
    return header[1:-1].removeprefix(settings.SITE_URL)


@pytest.fixture
def eager_tasks(monkeypatch):
    """``.delay()`` runs the task here and now, as a worker would, instead of queueing a message."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)


# Publication e-mails ------------------------------------------------------------------------


def test_publishing_emails_subscribers_only_after_the_transaction_commits(
    writer, reviewer, eager_tasks, django_capture_on_commit_callbacks
):
    reader = subscriber(EACH, username="reader", email="reader@example.org")
    # Only the publication's promise, not the reviewer's e-mail that a summary awaits them.
    NotificationPreference.objects.create(user=reviewer, kind=Kind.SUMMARY_FOR_REVIEW, delivery=Delivery.NONE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        version = publish(writer, reviewer)
        assert mail.outbox == [], "nothing may go before the publication is committed"
        assert not SummaryEmailSent.objects.exists()
    assert len(callbacks) == 1
    [message] = mail.outbox
    assert message.to == [reader.email]
    assert message.subject == "New learning summary: Virtual wards at home"
    assert SummaryEmailSent.objects.filter(version=version, user=reader).exists()


def test_only_active_people_with_an_address_who_asked_for_each_summary_are_emailed(writer, reviewer):
    each = subscriber(EACH, username="each")
    hub_member = member_of(HubFactory(), username="hub-member")
    preference_set(user=hub_member, frequency=EACH)
    subscriber(WEEKLY, username="weekly")
    subscriber(NONE, username="none")
    UserFactory(username="never-asked")
    left = subscriber(EACH, username="left")
    left.is_active = False  # subscribed, then left the programme
    left.save()
    subscriber(EACH, username="no-address", email="")

    version = publish(writer, reviewer, audience=Audience.SIGNED_IN)
    assert publication_emails_send(version_id=version.pk) == 2

    assert sorted(m.to[0] for m in mail.outbox) == [each.email, hub_member.email]
    assert all(len(m.to) == 1 and not m.bcc for m in mail.outbox), "one message per person"


def test_a_retried_task_emails_nobody_twice(writer, reviewer):
    first = subscriber(EACH, username="first")
    second = subscriber(EACH, username="second")
    version = publish(writer, reviewer)
    # The first attempt reached `first`, then failed.
    SummaryEmailSent.objects.create(version=version, user=first)

    summary_published_emails.apply(args=[version.pk])
    summary_published_emails.apply(args=[version.pk])

    assert [m.to for m in mail.outbox] == [[second.email]]


def test_a_summary_withdrawn_or_replaced_before_the_task_runs_is_not_emailed(writer, reviewer):
    subscriber(EACH, username="reader")
    withdrawn = publish(writer, reviewer, title="Withdrawn at once")
    summary_withdraw(summary=withdrawn.summary, by=reviewer, reason="Figures were wrong.")
    first = publish(writer, reviewer, title="Replaced at once")
    summary = first.summary
    summary_update(summary=summary, by=writer, version=summary.version, body="Corrected figures.")
    summary_submit(summary=summary, by=writer)
    second = summary_publish(summary=summary, by=reviewer)

    assert publication_emails_send(version_id=withdrawn.pk) == 0
    assert publication_emails_send(version_id=first.pk) == 0
    assert publication_emails_send(version_id=second.pk) == 1


def test_the_email_gives_the_summary_and_links_to_it_and_to_the_preferences(writer, reviewer):
    subscriber(EACH, username="reader")
    version = publish(
        writer, reviewer, body="Call **every** patient. See [the guide](https://example.org/guide)."
    )
    publication_emails_send(version_id=version.pk)

    [message] = mail.outbox
    text, html = parts(message)
    summary_url = f"{settings.SITE_URL}{reverse('learning:summary', args=[version.summary.slug])}"
    preferences_url = f"{settings.SITE_URL}{reverse('learning:email_preferences')}"
    for part in (text, html):
        assert "Virtual wards at home" in part
        assert "What four hubs learned: virtual wards at home." in part
        assert summary_url in part and preferences_url in part
        assert f"{settings.SITE_URL}/learning/unsubscribe/" in part
    assert "<strong>every</strong>" in html
    assert "Change how often you hear from us" in html
    assert "Call every patient. See the guide (https://example.org/guide)." in text
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_script_handlers_and_unsafe_links_in_the_body_are_neutralised_in_both_parts(writer, reviewer):
    subscriber(EACH, username="reader")
    body = (
        "Safe words.\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[x](javascript:alert(1)) and [y](data:text/html;base64,PHNjcmlwdD4=)\n\n"
        '<div onclick="x()">raw</div>'
    )
    version = publish(writer, reviewer, body=body)
    publication_emails_send(version_id=version.pk)

    [message] = mail.outbox
    for part in parts(message):
        lowered = part.lower()
        for danger in ("<script", "onerror", "onclick", "javascript:", "data:text"):
            assert danger not in lowered
        assert "Safe words." in part and "raw" in part  # the harmless text is kept


# Unsubscribing ------------------------------------------------------------------------------


def test_the_unsubscribe_link_in_an_email_asks_then_unsubscribes_without_signing_in(client, writer, reviewer):
    reader = subscriber(EACH, username="reader")
    publication_emails_send(version_id=publish(writer, reviewer).pk)
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert f"{settings.SITE_URL}{path}" in parts(message)[0]

    opened = client.get(path)  # what a mail scanner does with every link: it must change nothing
    assert opened.status_code == 200
    assert "Stop e-mails about learning summaries?" in opened.text
    assert SummaryEmailPreference.objects.get(user=reader).frequency == EACH

    response = client.post(path)  # the page's one button

    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert SummaryEmailPreference.objects.get(user=reader).frequency == NONE
    publication_emails_send(version_id=publish(writer, reviewer, title="The next one").pk)
    assert len(mail.outbox) == 1, "no more e-mails after unsubscribing"


def test_a_mail_client_unsubscribes_with_the_rfc_8058_post(writer, reviewer):
    reader = subscriber(EACH, username="reader")
    publication_emails_send(version_id=publish(writer, reviewer).pk)
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mail_client = Client(enforce_csrf_checks=True)  # it has no CSRF token, and needs none

    response = mail_client.post(
        unsubscribe_path(message),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert SummaryEmailPreference.objects.get(user=reader).frequency == NONE


def test_a_tampered_unsubscribe_link_is_not_found(client):
    reader = subscriber(EACH, username="reader")
    good = unsubscribe_token(reader)
    payload, signature = good.split(":", 1)
    for bad in (f"{payload}1:{signature}", good[:-1], "not-a-token"):
        assert client.get(reverse("learning:unsubscribe", args=[bad])).status_code == 404
        assert client.post(reverse("learning:unsubscribe", args=[bad])).status_code == 404
    assert SummaryEmailPreference.objects.get(user=reader).frequency == EACH


def test_after_unsubscribing_a_signed_in_person_can_subscribe_again(client):
    reader = subscriber(WEEKLY, username="reader")
    page = client.post(unsubscribe_url(reader).removeprefix(settings.SITE_URL))
    assert 'name="frequency" value="weekly"' in page.text
    client.force_login(reader)

    response = client.post(reverse("learning:email_preferences"), {"frequency": "weekly"}, follow=True)

    assert "You will get a weekly digest" in response.text
    assert SummaryEmailPreference.objects.get(user=reader).frequency == WEEKLY


# The weekly digest ---------------------------------------------------------------------------


def test_the_weekly_digest_lists_the_weeks_summaries_once(writer, reviewer):
    weekly = subscriber(WEEKLY, username="weekly")
    each = subscriber(EACH, username="each")
    old = publish(writer, reviewer, title="Published a fortnight ago")
    SummaryVersion.objects.filter(pk=old.pk).update(published_at=timezone.now() - datetime.timedelta(days=14))
    publish(writer, reviewer, title="Community blood pressure checks")
    publish(writer, reviewer, title="Remote oximetry", audience=Audience.PUBLIC)
    withdrawn = publish(writer, reviewer, title="Withdrawn this week")
    summary_withdraw(summary=withdrawn.summary, by=reviewer, reason="Figures were wrong.")
    now = timezone.now() + datetime.timedelta(seconds=1)

    assert digest_send(now=now) == 1

    [message] = mail.outbox
    assert message.to == [weekly.email] and each.email not in message.to
    assert message.subject == "This week on Hub Portal: 2 new learning summaries"
    text, html = parts(message)
    for part in (text, html):
        assert "Community blood pressure checks" in part and "Remote oximetry" in part
        assert "Published a fortnight ago" not in part and "Withdrawn this week" not in part
        assert f"{settings.SITE_URL}/learning/unsubscribe/" in part
    assert "List-Unsubscribe" in message.extra_headers

    assert digest_send(now=now) == 0
    assert digest_send(now=now + datetime.timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1, "a second run sends nothing"


def test_nobody_gets_an_empty_digest(writer, reviewer):
    subscriber(WEEKLY, username="weekly")
    old = publish(writer, reviewer, title="Published a fortnight ago")
    SummaryVersion.objects.filter(pk=old.pk).update(published_at=timezone.now() - datetime.timedelta(days=14))

    assert digest_send() == 0
    assert mail.outbox == []


def test_the_next_digest_tells_only_of_what_came_since_the_last(writer, reviewer):
    subscriber(WEEKLY, username="weekly")
    last_week = publish(writer, reviewer, title="Last week's summary")
    SummaryVersion.objects.filter(pk=last_week.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert digest_send(now=timezone.now() - datetime.timedelta(days=7)) == 1
    publish(writer, reviewer, title="This week's summary")

    assert digest_send(now=timezone.now() + datetime.timedelta(seconds=1)) == 1

    assert len(mail.outbox) == 2
    text, _ = parts(mail.outbox[1])
    assert "This week's summary" in text and "Last week's summary" not in text


# The preferences page -------------------------------------------------------------------------


def test_a_signed_in_user_changes_how_often_they_hear_from_us(client):
    user = member_of(HubFactory(), username="member")
    client.force_login(user)
    url = reverse("learning:email_preferences")

    page = client.get(url)
    assert page.status_code == 200
    assert re.search(r'<input[^>]*value="none"[^>]*checked', page.text), "no e-mails until they ask"
    response = client.post(url, {"frequency": "each"}, follow=True)

    assert response.redirect_chain == [(url, 302)]
    assert "You will get an e-mail each time a learning summary is published." in response.text
    assert SummaryEmailPreference.objects.get(user=user).frequency == EACH
    assert "There is a problem" in client.post(url, {"frequency": "daily"}).text
    assert SummaryEmailPreference.objects.get(user=user).frequency == EACH


def test_the_public_is_sent_to_sign_in_for_the_preferences_page(client):
    response = client.get(reverse("learning:email_preferences"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Through a real worker ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_published_summary_is_emailed_by_a_real_celery_worker(tmp_path):
    member = member_of(HubFactory(name="Dorset", slug="dorset"), username="dorset-member")
    preference_set(user=member, frequency=EACH)
    writer, reviewer = ahsn_admin(username="writer"), ahsn_admin(username="reviewer")
    outbox = tmp_path / "outbox"
    log_path = tmp_path / "worker.log"

    worker = start_worker(log_path, extra_env={"HUBPORTAL_EMAIL_FILE_PATH": str(outbox)})
    try:
        version = publish(writer, reviewer, title="Remote oximetry at home")  # commits, then queues
        message = wait_for_email(worker, outbox, log_path, to=member.email)
    finally:
        stop_worker(worker)

    assert message["To"] == member.email
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Remote oximetry at home" in text
    token = str(message["List-Unsubscribe"]).strip().strip("<>").rstrip("/").rsplit("/", 1)[-1]
    assert f"{settings.SITE_URL}/learning/unsubscribe/{token}/" in text
    assert user_from_token(token) == member
    assert SummaryEmailSent.objects.filter(version=version, user=member).exists()
