"""E-mail about notifications: one at once, or a person's daily digest; and the unsubscribe link per kind.

Each message is one person's, with links back to the portal (absolute: workers have no
request) and a one-click unsubscribe link (RFC 8058) for the kinds it is about. A
notification goes out by e-mail at most once: ``emailed_at`` is set on its locked row in the
transaction that sends it, so a retried task, a second delivery of it or a digest running
at the same moment finds it already sent.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.emails import absolute_url, one_person_message

from .models import DEFAULT_DELIVERY, Delivery, Kind, Notification, NotificationPreference

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# A digest tells of what came in since about the last one. A notification older than this was
# left unsent while the person wanted no e-mail: turning the digest on does not dig it up.
DIGEST_WINDOW = datetime.timedelta(days=7)
DIGEST_MOST = 100  # items listed in one digest; the rest are on the notifications page


# Who chose what ------------------------------------------------------------------------------


def delivery_of(user, kind: str) -> str:
    """How ``user`` wants ``kind`` by e-mail; no row means they never chose: at once."""
    chosen = NotificationPreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True)
    return next(iter(chosen), DEFAULT_DELIVERY)


def deliveries_of(user) -> dict[str, str]:
    """Every kind's choice for ``user`` (one query), the default filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY) for kind in Kind.values}


# Unsubscribe links -------------------------------------------------------------------------


def unsubscribe_token(user, kinds: list[str]) -> str:
    """A signed token naming the user and the kinds to stop: it only ever stops e-mail, so never expires.

    Old e-mails must keep working: a reader unsubscribing from a year-old message expects it to.
    """
    return signing.dumps([user.pk, sorted(set(kinds))], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user, kinds: list[str]) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kinds)]))


def from_token(token: str):
    """The (user, kinds) an unsubscribe token names, or None when it was tampered with or names nobody."""
    if len(token) > 500:
        return None
    try:
        pk, kinds = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not kinds or not set(kinds) <= set(Kind.values):
        return None
    user = get_user_model().objects.filter(pk=pk).first()
    return (user, kinds) if user is not None else None


def open_url(notification: Notification) -> str:
    """The link in an e-mail: through the portal, so following it marks the notification read."""
    return absolute_url(reverse("notifications:open", args=[notification.pk]))


def preferences_url() -> str:
    # The page lives with the summaries' question, above this app: reached by name, not imported.
    return absolute_url(reverse("learning:email_preferences"))


# One notification at once ---------------------------------------------------------------------


def _claim(notifications, now: datetime.datetime) -> bool:
    """Mark locked, unsent rows as e-mailed now; False if another sender got to any of them first.

    The rows are locked (PostgreSQL) or the whole database is (SQLite's immediate
    transactions), so the check and the mark cannot interleave with another sender's.
    """
    ids = [n.pk for n in notifications]
    return Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=now) == len(ids)


@transaction.atomic
def notification_email_send(*, notification_id: int) -> int:
    """E-mail one notification to its person if they still want it at once; 1 if sent.

    If sending fails, the mark is rolled back with it and a retry sends it. Someone who has
    since chosen the digest gets it there instead, and someone who chose none, not at all.
    """
    notification = (
        Notification.objects.select_for_update()
        .select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return 0  # sent already (or gone)
    user = notification.recipient
    if not (user.is_active and user.email) or delivery_of(user, notification.kind) != Delivery.AT_ONCE:
        return 0
    if not _claim([notification], timezone.now()):
        return 0
    one_person_message(
        user=user,
        subject=notification.title,
        template="notifications/email/notification",
        context={"notification": notification, "link": open_url(notification)},
        unsubscribe_url=unsubscribe_url(user, [notification.kind]),
        preferences_url=preferences_url(),
    ).send()
    return 1


# The daily digest ----------------------------------------------------------------------------


def digest_people():
    """Active people with an address who chose the daily digest for some kind."""
    chose_daily = NotificationPreference.objects.filter(delivery=Delivery.DAILY).values("user")
    return get_user_model().objects.filter(pk__in=chose_daily, is_active=True).exclude(email="")


def _kind_links(user, kinds: list[str]) -> list[dict]:
    return [{"label": Kind(kind).label, "url": unsubscribe_url(user, [kind])} for kind in kinds]


@transaction.atomic
def _digest_send_one(*, user_id: int, now: datetime.datetime, connection) -> int:
    """Send one person's digest of their unsent notifications of the kinds they chose daily; 1 if sent."""
    user = get_user_model().objects.get(pk=user_id)
    kinds = sorted(kind for kind, delivery in deliveries_of(user).items() if delivery == Delivery.DAILY)
    if not kinds:
        return 0  # changed their mind since the run began
    waiting = list(
        Notification.objects.select_for_update()
        .filter(recipient=user, kind__in=kinds, emailed_at__isnull=True, created_at__gt=now - DIGEST_WINDOW)
        .filter(created_at__lte=now)
        .order_by("-created_at", "-pk")[:DIGEST_MOST]
    )
    if not waiting or not _claim(waiting, now):
        return 0  # nothing to tell (nobody gets an empty digest), or another run is telling it
    told_kinds = sorted({n.kind for n in waiting})
    count = "1 notification" if len(waiting) == 1 else f"{len(waiting)} notifications"
    message = one_person_message(
        user=user,
        subject=f"Hub Portal today: {count}",
        template="notifications/email/digest",
        context={
            "count": count,
            "items": [{"notification": n, "link": open_url(n)} for n in waiting],
            "kind_links": _kind_links(user, told_kinds),
            "all_url": absolute_url(reverse("notifications:list")),
        },
        unsubscribe_url=unsubscribe_url(user, told_kinds),
        preferences_url=preferences_url(),
    )
    message.connection = connection
    message.send()
    return 1


def digest_send(*, now: datetime.datetime | None = None) -> int:
    """Send each person who chose a daily digest one e-mail of what waits for them; returns how many.

    Each person's digest is its own transaction, so a failure part-way and a retry send
    nobody's twice; a notification in a digest is marked e-mailed with it, so it is never in two.
    """
    now = now or timezone.now()
    people = list(digest_people().order_by("pk").values_list("pk", flat=True))
    with get_connection() as connection:  # one SMTP session for everyone
        return sum(_digest_send_one(user_id=pk, now=now, connection=connection) for pk in people)
