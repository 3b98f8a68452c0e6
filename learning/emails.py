"""E-mail about published learning summaries: one per publication, a weekly digest, and unsubscribing.

Workers send these, with no request at hand, so every link is absolute (``settings.SITE_URL``).
Each message carries its reader's own one-click unsubscribe link (RFC 8058), so messages are
sent one per person, never with a long ``To:`` or ``Bcc:`` list.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.emails import absolute_url, one_person_message, plain_text
from core.markdown import render_markdown
from hubs.access import require_signed_in

from .models import LearningSummary, SummaryEmailPreference, SummaryEmailSent, SummaryVersion

Frequency = SummaryEmailPreference.Frequency
UNSUBSCRIBE_SALT = "learning.summary-unsubscribe"
DIGEST_FIRST_WEEK = datetime.timedelta(days=7)


# Links -------------------------------------------------------------------------------------


def unsubscribe_token(user) -> str:
    """A signed token naming the user: it only ever unsubscribes, so it need not expire.

    Old e-mails must keep working: a reader unsubscribing from a year-old message expects it to.
    """
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user) -> str:
    return absolute_url(reverse("learning:unsubscribe", args=[unsubscribe_token(user)]))


def user_from_token(token: str):
    """The user an unsubscribe token names, or None when it was tampered with or names nobody."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


# Preferences -------------------------------------------------------------------------------


def frequency_of(user) -> str:
    """How often the user hears from us; no row means they never asked, so: not at all."""
    preference = SummaryEmailPreference.objects.filter(user=user).first()
    return preference.frequency if preference else Frequency.NONE


@transaction.atomic
def preference_set(*, user, frequency: str) -> SummaryEmailPreference:
    """Save how often ``user`` hears of new summaries: a signed-in, active user's own choice.

    There is no ``by``: the user acting is the one whose choice it is, so nobody sets
    another person's. Someone who starts the weekly digest (again) hears of the last week,
    not of everything since a digest they stopped months ago: their digest starts afresh.
    """
    require_signed_in(user, "choose how often you hear about new learning summaries")
    if frequency not in Frequency.values:
        raise ValidationError("Choose how often you want to hear about new learning summaries.", "frequency")
    return _save_frequency(user, frequency)


@transaction.atomic
def preference_unsubscribe(*, token: str) -> str:
    """Stop e-mail about summaries for the person an unsubscribe link names; return what they had.

    The signed token is the authority here, not a sign-in: the link must work from any mail
    client, and it can only ever stop e-mail. A token that does not verify is refused.
    """
    user = user_from_token(token)
    if user is None:
        raise PermissionDenied("This unsubscribe link is not valid.")
    before = frequency_of(user)
    _save_frequency(user, Frequency.NONE)
    return before


def _save_frequency(user, frequency: str) -> SummaryEmailPreference:
    preference, created = SummaryEmailPreference.objects.select_for_update().get_or_create(
        user=user, defaults={"frequency": frequency}
    )
    if not created and preference.frequency != frequency:
        if frequency == Frequency.WEEKLY:
            preference.digest_sent_until = None
        preference.frequency = frequency
        preference.save()
    return preference


# Messages ----------------------------------------------------------------------------------


def _message(*, user, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    """One person's message about summaries, with their own one-click unsubscribe link."""
    return one_person_message(
        user=user,
        subject=subject,
        template=f"learning/email/{template}",
        context=context,
        unsubscribe_url=unsubscribe_url(user),
        preferences_url=absolute_url(reverse("learning:email_preferences")),
    )


def _summary_url(summary: LearningSummary) -> str:
    return absolute_url(summary.get_absolute_url())


# Each publication --------------------------------------------------------------------------


def _still_live(version: SummaryVersion) -> bool:
    """A version replaced or withdrawn before the task ran is news to nobody."""
    summary = version.summary
    return summary.live_version_id == version.pk and not summary.is_withdrawn


def publication_recipients(version: SummaryVersion):
    """Active people with an address who asked for each summary, and have not had this one yet.

    Every one of them is signed in, so may read a live version of either audience.
    """
    already = SummaryEmailSent.objects.filter(version=version).values("user")
    return (
        get_user_model()
        .objects.filter(is_active=True, summary_email_preference__frequency=Frequency.EACH)
        .exclude(email="")
        .exclude(pk__in=already)
        .order_by("pk")
    )


def _claim_recipient(version: SummaryVersion, user) -> SummaryEmailSent | None:
    """Record that ``user`` is being e-mailed of ``version``; None if another delivery already has.

    The row's unique (version, person) is what keeps it to one e-mail per person per
    publication, even when two deliveries of the task run at once (the outbox may hand a task
    over again while the first is still at work): whoever writes the row sends the message.
    """
    try:
        with transaction.atomic():
            return SummaryEmailSent.objects.create(version=version, user=user)
    except IntegrityError:
        return None


def publication_emails_send(*, version_id: int) -> int:
    """E-mail a newly published version to everyone who asked for each one; returns how many.

    Each person's row is written (in its own transaction) just before their message goes,
    and taken back if sending fails, so a task retried after a failure part-way e-mails only
    those not yet reached, and nobody twice: at most once per person per publication.
    """
    version = SummaryVersion.objects.select_related("summary").filter(pk=version_id).first()
    if version is None or not _still_live(version):
        return 0
    context = {
        "version": version,
        "body_html": render_markdown(version.body),
        "summary_url": _summary_url(version.summary),
    }
    context["body_text"] = plain_text(context["body_html"])
    sent = 0
    with get_connection() as connection:  # one SMTP session for everyone
        for user in publication_recipients(version):
            claim = _claim_recipient(version, user)
            if claim is None:
                continue
            try:
                message = _message(
                    user=user,
                    subject=f"New learning summary: {version.title}",
                    template="published",
                    context=context,
                )
                message.connection = connection
                message.send()
            except BaseException:
                claim.delete()  # not sent: a retry sends it
                raise
            sent += 1
    return sent


# The weekly digest ---------------------------------------------------------------------------


def digest_summaries(*, user, since: datetime.datetime, until: datetime.datetime):
    """Summaries ``user`` may read whose live version came out in (since, until], newest first.

    A summary whose live version they were already e-mailed on its own (they were on "each"
    then) is not news to them, so it is left out.
    """
    return (
        LearningSummary.objects.for_user(user)
        .listed()
        .filter(live_version__published_at__gt=since, live_version__published_at__lte=until)
        .exclude(live_version__emails_sent__user=user)
        .select_related("live_version")
        .order_by("-live_version__published_at")
    )


@transaction.atomic
def _digest_send_one(*, preference_id: int, now: datetime.datetime) -> int:
    """Send one person's digest, if there is anything to tell them; 1 if sent.

    The preference row stays locked until the digest is sent and ``digest_sent_until`` saved, so
    two runs at once cannot both send it; if sending fails nothing is saved and a retry sends it.
    """
    preference = (
        SummaryEmailPreference.objects.select_for_update().select_related("user").get(pk=preference_id)
    )
    user = preference.user
    since = preference.digest_sent_until or now - DIGEST_FIRST_WEEK
    if preference.frequency != Frequency.WEEKLY or since >= now:
        return 0  # changed their mind since the run began, or already told up to now
    summaries = list(digest_summaries(user=user, since=since, until=now))
    if summaries:
        items = [{"summary": s, "version": s.live_version, "url": _summary_url(s)} for s in summaries]
        count = "1 new learning summary" if len(items) == 1 else f"{len(items)} new learning summaries"
        subject = f"This week on Hub Portal: {count}"
        _message(
            user=user, subject=subject, template="digest", context={"items": items, "count": count}
        ).send()
    # Bookkeeping, not a choice the person made: kept out of the preference's history.
    SummaryEmailPreference.objects.filter(pk=preference.pk).update(digest_sent_until=now)
    return 1 if summaries else 0


def digest_send(*, now: datetime.datetime | None = None) -> int:
    """Send each weekly subscriber one e-mail of what was published since their last; returns how many.

    Nobody gets an empty digest. Each person's digest is its own transaction, so one failure
    does not resend everyone else's when the task is retried.
    """
    now = now or timezone.now()
    subscribers = (
        SummaryEmailPreference.objects.filter(frequency=Frequency.WEEKLY, user__is_active=True)
        .exclude(user__email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(_digest_send_one(preference_id=pk, now=now) for pk in list(subscribers))
