"""Telling people things: ``notify`` writes each person's notification once and e-mails it after commit.

The apps above call ``notify`` inside the transaction of the change that calls for it
(figures returned, a summary sent for review); reminders call it from a task. Each
person's row is unique by ``key``, so an event told twice (a rerun, a second beat, a
retried task) is written and e-mailed once. E-mail goes through the outbox, after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Kind


@dataclass(frozen=True)
class Told:
    """What a ``notify`` call did: how many people it told now, and how many had been told before."""

    sent: int
    skipped_already_sent: int


def notify(recipients: Iterable, *, kind: Kind, key: str, title: str, url: str, body: str = "") -> Told:
    """Tell each recipient (users; inactive ones and duplicates are left out) once per ``key``.

    Writes one Notification per person who has not had this key, in the caller's
    transaction, and queues their e-mail (at once, digest or none, as they chose) after commit.
    """
    raise NotImplementedError  # built by the notifications work
