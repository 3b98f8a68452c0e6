"""Telling people things: ``notify`` writes each person's notification once and e-mails it after commit.

The apps above call ``notify`` inside the transaction of the change that calls for it
(figures returned, a summary sent for review); reminders call it from a task. Each
person's row is unique by ``key``, so an event told twice (a rerun, a second beat, a
retried task) is written and e-mailed once. E-mail goes through the outbox, after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from outbox.services import enqueue

from . import emails
from .models import DEFAULT_DELIVERY, Delivery, Kind, Notification, NotificationPreference
from .tasks import notification_email

KEY_MAX = Notification._meta.get_field("key").max_length
TITLE_MAX = Notification._meta.get_field("title").max_length
URL_MAX = Notification._meta.get_field("url").max_length
BODY_MAX = 5000
INSERT_BATCH = 500  # people per INSERT: 3,500 parameters, well under SQLite's limit


@dataclass(frozen=True)
class Told:
    """What a ``notify`` call did: how many people it told now, and how many had been told before."""

    sent: int
    skipped_already_sent: int


def _user_ids(recipients: Iterable) -> set[int]:
    """Distinct ids from users (or ids); None, the anonymous and unsaved users are nobody."""
    ids = set()
    for recipient in recipients:
        pk = recipient if isinstance(recipient, int) else getattr(recipient, "pk", None)
        if pk is not None:
            ids.add(pk)
    return ids


def _check(*, kind: str, key: str, title: str, url: str, body: str) -> None:
    """Refuse, loudly, what only a programming error would pass: these are never a person's input."""
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if not key or len(key) > KEY_MAX:
        raise ValueError(f"A notification key is 1 to {KEY_MAX} characters: {key!r}")
    if not title or len(title) > TITLE_MAX:
        raise ValueError(f"A notification title is 1 to {TITLE_MAX} characters")
    # The site's own page: a path, never another site (an open redirect from the list page).
    if not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > URL_MAX:
        raise ValueError(f"A notification's url is a path on this site: {url!r}")
    if len(body) > BODY_MAX:
        raise ValueError(f"A notification's body is at most {BODY_MAX} characters")


def delivery_for(kind: str):
    """Each user's choice for ``kind``, as a subquery: null when they never chose (the default)."""
    return Subquery(
        NotificationPreference.objects.filter(user=OuterRef("pk"), kind=kind).values("delivery")[:1]
    )


def _insert_new(
    *, user_ids: list[int], kind: str, key: str, title: str, url: str, body: str
) -> list[tuple[int, int]]:
    """Insert one row per person who has not had ``key``; return each new row's (id, recipient id).

    ``ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL, SQLite 3.35+) answers exactly which rows
    this call wrote: a second call at once waits on the unique index, then writes nothing.
    People are written in id order, so two calls for overlapping people cannot deadlock.
    One query per ``INSERT_BATCH`` people (SQLite bounds a statement's parameters).
    """
    written = []
    for start in range(0, len(user_ids), INSERT_BATCH):
        written += _insert_batch(user_ids[start : start + INSERT_BATCH], kind, key, title, url, body)
    return written


def _insert_batch(user_ids, kind, key, title, url, body) -> list[tuple[int, int]]:
    meta = Notification._meta
    quote = connection.ops.quote_name
    now = timezone.now()
    values = {"kind": kind, "key": key, "title": title, "body": body, "url": url, "created_at": now}
    columns = ["recipient_id", *values]
    params = []
    for user_id in user_ids:
        params.append(user_id)
        params.extend(
            meta.get_field(name).get_db_prep_save(value, connection) for name, value in values.items()
        )
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES {', '.join([row] * len(user_ids))} "
        f"ON CONFLICT ({quote('recipient_id')}, {quote('key')}) DO NOTHING "
        f"RETURNING {quote('id')}, {quote('recipient_id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, recipient_id) for pk, recipient_id in cursor.fetchall()]


def notify(recipients: Iterable, *, kind: Kind, key: str, title: str, url: str, body: str = "") -> Told:
    """Tell each recipient (users; inactive ones and duplicates are left out) once per ``key``.

    Writes one Notification per person who has not had this key, in the caller's
    transaction, and queues their e-mail (at once, digest or none, as they chose) after commit.
    Two queries for up to ``INSERT_BATCH`` people, plus one outbox promise per e-mail sent at once.
    """
    _check(kind=kind, key=key, title=title, url=url, body=body)
    ids = _user_ids(recipients)
    if not ids:
        return Told(sent=0, skipped_already_sent=0)
    people = {
        pk: (email, delivery or DEFAULT_DELIVERY)
        for pk, email, delivery in get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .annotate(delivery=delivery_for(kind))
        .values_list("pk", "email", "delivery")
    }
    with transaction.atomic():
        written = _insert_new(user_ids=sorted(people), kind=kind, key=key, title=title, url=url, body=body)
        for pk, recipient_id in written:
            email, delivery = people[recipient_id]
            if email and delivery == Delivery.AT_ONCE:
                enqueue(notification_email, pk, key=f"notification-email:{pk}")
    return Told(sent=len(written), skipped_already_sent=len(people) - len(written))


# Reading -----------------------------------------------------------------------------------


def notification_read(*, notification: Notification, by) -> Notification:
    """Mark ``by``'s own notification read (once: the first time is the one kept)."""
    if notification.recipient_id != getattr(by, "pk", None):
        raise PermissionDenied("You can only read your own notifications.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_all(*, by) -> int:
    """Mark every one of ``by``'s unread notifications read; returns how many."""
    return Notification.objects.for_user(by).unread().update(read_at=timezone.now())


# Choosing how to hear of each kind -----------------------------------------------------------


def _save_delivery(user, kind: str, delivery: str) -> NotificationPreference:
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(
        user=user, kind=kind, defaults={"delivery": delivery}
    )
    if not created and preference.delivery != delivery:
        preference.delivery = delivery
        preference.save(update_fields=["delivery"])
    return preference


@transaction.atomic
def preference_set(*, user, kind: str, delivery: str) -> NotificationPreference:
    """Save how a signed-in, active ``user`` wants ``kind`` by e-mail: their own choice, so no ``by``."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        raise PermissionDenied("Sign in to choose which e-mails you get.")
    if kind not in Kind.values:
        raise ValidationError("Choose a kind of notification.", "kind")
    if delivery not in Delivery.values:
        raise ValidationError(f"Choose how you want to hear of {Kind(kind).label.lower()}.", "delivery")
    return _save_delivery(user, kind, delivery)


@transaction.atomic
def preference_unsubscribe(*, token: str) -> list[str]:
    """Stop e-mail of the kinds an unsubscribe link names, for the person it names; returns the kinds.

    The signed token is the authority here, not a sign-in: the link must work from any mail
    client, and it can only ever stop e-mail. A token that does not verify is refused.
    """
    named = emails.from_token(token)
    if named is None:
        raise PermissionDenied("This unsubscribe link is not valid.")
    user, kinds = named
    for kind in kinds:
        _save_delivery(user, kind, Delivery.NONE)
    return kinds
