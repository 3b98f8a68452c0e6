"""Two ``notify`` calls with the same key at the same moment write and e-mail each person once.

Real concurrent transactions need PostgreSQL (SQLite runs one writer at a time, so there
the second call simply comes after the first, which the other tests cover).
"""

import time

import pytest
from django.core import mail
from django.db import connection, transaction

from notifications.models import Kind, Notification
from notifications.services import notify
from tests.factories import UserFactory
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_calls_at_once_tell_and_e_mail_each_person_once(eager_tasks):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    people = [UserFactory(username=f"admin{n}") for n in range(3)]

    def notify_and_hold():
        with transaction.atomic():
            told = notify(
                people,
                kind=Kind.RUN_FAILED,
                key="run-failed:2026-10-01",
                title="The roll-up for 1 October 2026 failed",
                url="/learning/reports/",
            )
            time.sleep(0.5)  # hold the rows while the other call tries to write them
            return told

    told = at_once(notify_and_hold)
    assert sorted(t.sent for t in told) == [0, 3], "one call wrote them all, the other none"
    assert sum(t.skipped_already_sent for t in told) == 3
    assert Notification.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people), "each e-mailed once"
