"""Reopening approved figures: hub staff ask with a reason, an evaluator reopens or declines.

A request is for one indicator-month. Reopening goes through ``measurements_reopen``, the
one write path for figures, which keeps the approved figure in ``revised_from``: once the
hub corrects it and an evaluator approves it again, the nightly report lists it as revised.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.history import stamp
from core.people import display_name
from hubs.access import EVALUATORS, require_changeable, require_evaluator
from notifications.models import Kind
from notifications.services import notify

from .measurements import lock_indicators, measurements_reopen, month_rows
from .models import Indicator, Measurement, ReopenRequest
from .review_notices import figures_grid_url

REASON_MAX = 2000
NOTE_MAX = 2000
NOT_APPROVED = "Only a month with approved figures can be reopened."
ALREADY_WAITING = "A request to reopen this month is already waiting for an evaluator."


def active_evaluators():
    return get_user_model().objects.filter(groups__name=EVALUATORS, is_active=True).distinct()


def decide_url(request: ReopenRequest) -> str:
    return reverse("evaluation:reopen_decide", args=[request.pk])


def _bounded(text: str, limit: int, field: str, missing: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > limit:
        raise ValidationError({field: f"Keep it to {limit:,} characters or fewer."})
    return text


@transaction.atomic
def reopen_request(*, indicator: Indicator, period: datetime.date, reason: str, by) -> ReopenRequest:
    """Ask evaluators to reopen an approved indicator-month, saying why; every active evaluator is told.

    Only the indicator's own hub staff may ask; one request per month waits at a time.
    """
    require_changeable(Indicator.objects, by, indicator, "ask to reopen this indicator's figures")
    reason = _bounded(reason, REASON_MAX, "reason", "Say why the approved figures should be reopened.")
    lock_indicators([indicator.pk])
    if not month_rows(indicator, period).filter(status=Measurement.Status.APPROVED).exists():
        raise ValidationError(NOT_APPROVED, code="not_approved")
    if ReopenRequest.objects.filter(
        indicator=indicator, period=period, status=ReopenRequest.Status.PENDING
    ).exists():
        raise ValidationError(ALREADY_WAITING, code="already_waiting")
    request = ReopenRequest(indicator=indicator, period=period, reason=reason, requested_by=by)
    stamp(request, by=by, reason="Asked to reopen", new_version=False)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:  # someone asked at the same moment
        raise ValidationError(ALREADY_WAITING, code="already_waiting") from exc
    hub = indicator.adoption.hub
    notify(
        active_evaluators(),
        kind=Kind.REOPEN_REQUESTED,
        key=f"reopen-requested:{request.pk}",
        title=f"{hub.name} asks to reopen {indicator.metric.name}, {period:%B %Y}"[:300],
        url=decide_url(request),
        body=f"{display_name(by)} asks to reopen the approved figures of {indicator.metric.name} "
        f"({indicator.adoption.innovation.name}) for {period:%B %Y}. Their reason:\n\n{reason}",
    )
    return request


@transaction.atomic
def reopen_decide(*, request: ReopenRequest, by, reopen: bool, note: str = "", version: int) -> ReopenRequest:
    """Reopen the month's approved figures (they go back to the hub, to be reviewed again), or decline.

    A decline needs a note for the hub; a reopening's note defaults to the request's reason.
    Refused if the request was decided, or changed, since the evaluator opened it. The
    requester is told either way.
    """
    require_evaluator(by, "reopen approved figures")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX:,} characters or fewer."})
    if not reopen and not note:
        raise ValidationError({"note": "Say why the figures stay as approved: the hub sees the note."})
    current = (
        ReopenRequest.objects.select_for_update()
        .select_related("indicator__metric", "indicator__adoption__hub", "indicator__adoption__innovation")
        .get(pk=request.pk)
    )
    if current.status != ReopenRequest.Status.PENDING:
        who = display_name(current.decided_by) if current.decided_by else "someone"
        raise ValidationError(
            f"This request was already decided: {current.get_status_display().lower()} by {who}.",
            code="decided",
        )
    if current.version != version:
        raise ValidationError("This request changed since you opened it: look at it again.", code="stale")
    indicator = current.indicator
    if reopen:
        reopened = measurements_reopen(
            measurements=month_rows(indicator, current.period),
            by=by,
            note=note or f"Reopened at the hub's request: {current.reason}"[:NOTE_MAX],
        )
        if not reopened:
            raise ValidationError(NOT_APPROVED, code="not_approved")
    current.status = ReopenRequest.Status.REOPENED if reopen else ReopenRequest.Status.DECLINED
    current.decided_by = by
    current.decided_at = timezone.now()
    current.decision_note = note
    stamp(current, by=by, reason=current.get_status_display())
    current.save()
    _tell_decided(current, by=by)
    return current


def _tell_decided(request: ReopenRequest, *, by) -> None:
    indicator = request.indicator
    what = f"{indicator.metric.name}, {request.period:%B %Y}"
    if request.status == ReopenRequest.Status.REOPENED:
        title = f"Reopened: {what}"
        body = "The figures are back with your hub: correct them and save them again for review."
        url = figures_grid_url(indicator.adoption_id, request.period)
    else:
        title = f"Not reopened: {what}"
        body = "The figures stay as approved."
        url = indicator.get_absolute_url()
    if request.decision_note:
        body = f"{body}\n\n{display_name(by)}'s note: {request.decision_note}"
    notify(
        [request.requested_by_id] if request.requested_by_id else [],
        kind=Kind.REOPEN_DECIDED,
        key=f"reopen-decided:{request.pk}",
        title=title[:300],
        url=url,
        body=body,
    )


def pending_requests():
    """Requests waiting for an evaluator, oldest first, with what the queue shows of each."""
    return (
        ReopenRequest.objects.filter(status=ReopenRequest.Status.PENDING)
        .select_related(
            "requested_by", "indicator__metric", "indicator__adoption__hub", "indicator__adoption__innovation"
        )
        .order_by("requested_at", "pk")
    )
