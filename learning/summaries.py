"""Writes to learning summaries: drafting, review, publishing in versions, and withdrawal.

Only AHSN admins (superusers stand in) take any step; each service refuses anyone else
first. Every step locks the summary's row and checks where it is in the workflow, so two
admins acting at once cannot both publish, and a refused step changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from core.concurrency import save_if_unchanged
from core.history import stamp
from core.people import display_name
from hubs.access import require_curator
from notifications.models import Kind
from notifications.services import notify
from outbox.services import enqueue

from .models import LearningSummary, SummaryVersion, stored_themes
from .querysets import active_ahsn_admins

Status = LearningSummary.Status
RELATED_FIELDS = ("hubs", "innovations", "cited_reports", "cited_notes")
CONTENT_FIELDS = ("title", "standfirst", "body", "themes", "audience")
# Addresses under /learning/ that a summary's slug may not take.
RESERVED_SLUGS = {"feed", "notes", "reports", "summaries", "adoptions", "email", "unsubscribe", "new"}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:150].strip("-") or "summary"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or LearningSummary.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _locked(summary: LearningSummary) -> LearningSummary:
    """The summary's row as it is now, locked until the transaction ends."""
    return LearningSummary.objects.select_for_update().get(pk=summary.pk)


def _set_related(target, related: dict) -> None:
    for name in RELATED_FIELDS:
        if name in related:
            getattr(target, name).set(related[name])


def _split(fields: dict) -> tuple[dict, dict]:
    """Content fields apart from the related rows; ``theme_codes`` becomes the stored ``themes``."""
    fields = dict(fields)
    if "theme_codes" in fields:
        fields["themes"] = stored_themes(fields.pop("theme_codes"))
    related = {name: fields.pop(name) for name in RELATED_FIELDS if name in fields}
    return fields, related


@transaction.atomic
def summary_create(*, by, **fields) -> LearningSummary:
    """A new draft. ``fields``: title, standfirst, body, theme_codes, audience and the related rows."""
    require_curator(by, "write learning summaries")
    content, related = _split(fields)
    summary = LearningSummary(**content, created_by=by, edited_by=by)
    summary.slug = _unique_slug(summary.title)
    summary.full_clean()
    stamp(summary, by=by, new_version=False)
    summary.save()
    _set_related(summary, related)
    return summary


@transaction.atomic
def summary_update(*, summary: LearningSummary, by, version: int, **fields) -> LearningSummary:
    """Save changes opened at ``version``. The summary goes back to draft: changes are reviewed again.

    A published summary stays live, as it was, until the changes are published as its next version.
    """
    require_curator(by, "change learning summaries")
    content, related = _split(fields)
    content.update(status=Status.DRAFT, edited_by=by, submitted_by=None, submitted_at=None)
    save_if_unchanged(summary, expected_version=version, changes=content, by=by, fields=CONTENT_FIELDS)
    _set_related(summary, related)
    return summary


def _refuse(message: str, code: str) -> None:
    raise ValidationError(message, code=code)


def _move(current: LearningSummary, summary: LearningSummary, *, to: str, by, **changes) -> LearningSummary:
    """Save the locked row ``current`` at its new status, and bring the caller's ``summary`` in step."""
    for field, value in {"status": to, **changes}.items():
        setattr(current, field, value)
    stamp(current, by=by)
    current.save()
    summary.refresh_from_db()
    return summary


@transaction.atomic
def summary_submit(*, summary: LearningSummary, by) -> LearningSummary:
    """Send a draft for review by another AHSN admin."""
    require_curator(by, "send learning summaries for review")
    current = _locked(summary)
    if current.status != Status.DRAFT:
        _refuse(f"Only a draft can be sent for review: this summary is {current.get_status_display().lower()}.",
                "not_draft")  # fmt: skip
    if not current.body.strip():
        _refuse("Write the summary's body before sending it for review.", "empty_body")
    _move(
        current,
        summary,
        by=by,
        to=Status.IN_REVIEW,
        submitted_by=by,
        submitted_at=timezone.now(),
        review_note="",
    )
    _tell_reviewers(current, by=by)
    return summary


def _tell_reviewers(summary: LearningSummary, *, by) -> None:
    """Tell every other active AHSN admin who may review it that a summary awaits review.

    Keyed by the summary's version, so each sending for review is told once (a summary
    returned and sent again is news again).
    """
    reviewers = [admin for admin in active_ahsn_admins().exclude(pk=by.pk) if may_review(summary, admin)]
    notify(
        reviewers,
        kind=Kind.SUMMARY_FOR_REVIEW,
        key=f"summary-for-review:{summary.pk}:{summary.version}",
        title=f"A learning summary awaits your review: “{summary.title}”"[:300],
        url=reverse("learning:summary_manage", args=[summary.pk]),
        body=f"Sent for review by {display_name(by)}.",
    )


@transaction.atomic
def summary_return(*, summary: LearningSummary, by, note: str) -> LearningSummary:
    """Send a summary in review back to draft, saying what to change."""
    require_curator(by, "review learning summaries")
    current = _locked(summary)
    if current.status != Status.IN_REVIEW:
        _refuse("Only a summary in review can be returned.", "not_in_review")
    if not note.strip():
        _refuse("Say what should change before returning the summary.", "no_note")
    return _move(
        current,
        summary,
        by=by,
        to=Status.DRAFT,
        review_note=note.strip(),
        submitted_by=None,
        submitted_at=None,
    )


def publication_emails_key(version: SummaryVersion) -> str:
    """The outbox key of a version's publication e-mails: one promise per publication."""
    return f"summary-published-emails:{version.pk}"


def may_review(summary: LearningSummary, user) -> bool:
    """Another AHSN admin reviews: not the one who sent it, nor the last to edit it (unless allowed)."""
    if settings.LEARNING_SUMMARY_SELF_REVIEW:
        return True
    return user.pk not in {summary.submitted_by_id, summary.edited_by_id}


@transaction.atomic
def summary_publish(*, summary: LearningSummary, by) -> SummaryVersion:
    """Publish a reviewed summary as its next version, live at once; e-mail subscribers through the outbox."""
    require_curator(by, "publish learning summaries")
    current = _locked(summary)
    if current.status != Status.IN_REVIEW:
        _refuse("A summary is published only after review: send it for review first, and another AHSN admin "
                "publishes it.", "not_reviewed")  # fmt: skip
    if not may_review(current, by):
        _refuse("Another AHSN admin must review and publish this summary: you sent it for review or last "
                "edited it.", "self_review")  # fmt: skip
    number = (current.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = SummaryVersion(
        summary=current,
        number=number,
        published_by=by,
        submitted_by=current.submitted_by,
        **{field: getattr(current, field) for field in CONTENT_FIELDS},
    )
    version.full_clean()
    version.save()
    _set_related(version, {name: getattr(current, name).all() for name in RELATED_FIELDS})
    _move(
        current,
        summary,
        by=by,
        to=Status.PUBLISHED,
        live_version=version,
        review_note="",
        withdrawn_at=None,
        withdrawn_by=None,
        withdrawal_reason="",
    )
    from .tasks import summary_published_emails  # the task module imports this one

    # In this transaction: the e-mails are promised exactly when the version is published,
    # and go when the task queue takes them (at once, or when it is back).
    enqueue(summary_published_emails, version.pk, key=publication_emails_key(version))
    return version


@transaction.atomic
def summary_withdraw(*, summary: LearningSummary, by, reason: str) -> LearningSummary:
    """Take a published summary down; its page stays, saying when and why, without its body."""
    require_curator(by, "withdraw learning summaries")
    current = _locked(summary)
    if current.live_version_id is None:
        _refuse("Only a published summary can be withdrawn.", "not_published")
    if current.is_withdrawn:
        _refuse("This summary is already withdrawn.", "withdrawn")
    if not reason.strip():
        _refuse("Say why the summary is withdrawn: readers will see the reason.", "no_reason")
    return _move(
        current,
        summary,
        by=by,
        to=Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawn_by=by,
        withdrawal_reason=reason.strip(),
    )
