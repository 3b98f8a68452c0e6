"""Learning summaries: AHSN admins write and publish them; readers, the public included, read them.

Reading pages are open to the public (``login_not_required``); what each reader sees is
decided by ``LearningSummary.objects.for_user`` and ``SummaryVersion.objects.for_user``,
so a draft, a summary in review or a signed-in-only summary is a 404 to the public.
Writing pages fetch through ``changeable_by``: 404 for what a user may not see, 403 for
what they may only read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from core.forms import submit
from core.history import HistoryEntry
from hubs.access import ahsn_admins_only, get_changeable_or_403
from hubs.models import Hub
from innovations.models import Innovation
from outbox.services import item_for

from . import summaries as services
from .diff import field_change
from .forms import ReasonForm, SummaryEditForm, SummaryForm
from .models import LearningNote, LearningSummary, RollupReport, SummaryVersion
from .pdf import pdf_response
from .querysets import writes_summaries

PAGE_SIZE = 20
Status = LearningSummary.Status


# -- Reading ------------------------------------------------------------------------------------


def version_with_related(queryset: QuerySet) -> QuerySet:
    """Versions with everything their page draws, in a fixed number of queries."""
    return queryset.select_related("summary", "published_by", "submitted_by").prefetch_related(
        "hubs",
        "innovations",
        Prefetch("cited_reports", queryset=RollupReport.objects.only("pk", "day")),  # not their content
        Prefetch(
            "cited_notes",
            queryset=LearningNote.objects.select_related("adoption__hub", "adoption__innovation"),
        ),
    )


@dataclass(frozen=True)
class Reference:
    text: str
    url: str


def references(content) -> list[Reference]:
    """The reports and notes a summary cites, as its numbered references (oldest report first)."""
    cited = [
        Reference(f"Hub Portal nightly roll-up report for {report.day:%-d %B %Y}.", report.get_absolute_url())
        for report in sorted(content.cited_reports.all(), key=lambda report: report.day)
    ]
    cited += [
        Reference(
            f"“{note.title}”: {note.get_kind_display().lower()} ({note.get_cfir_domain_display()}), "
            f"{note.adoption.innovation.name} in {note.adoption.hub.name}, {note.created_at:%-d %B %Y}.",
            note.get_absolute_url(),
        )
        for note in sorted(content.cited_notes.all(), key=lambda note: note.created_at)
    ]
    return cited


class SummaryFilterForm(forms.Form):
    theme = forms.ChoiceField(
        label="CFIR 2.0 theme", required=False, choices=[("", "All themes"), *LearningNote.Domain.choices]
    )
    hub = forms.ModelChoiceField(
        label="Hub", required=False, queryset=Hub.objects.order_by("name"), to_field_name="slug",
        empty_label="All hubs",
    )  # fmt: skip
    innovation = forms.ModelChoiceField(
        label="Innovation", required=False, queryset=Innovation.objects.none(), to_field_name="slug",
        empty_label="All innovations",
    )  # fmt: skip

    def __init__(self, *args, summaries: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the innovations some listed summary is about: a long catalogue helps nobody here.
        self.fields["innovation"].queryset = Innovation.objects.filter(
            pk__in=SummaryVersion.innovations.through.objects.filter(
                summaryversion__in=summaries.values("live_version")
            ).values("innovation")
        ).order_by("name")

    def apply(self, summaries: QuerySet) -> QuerySet:
        if not self.is_valid():
            return summaries
        data = self.cleaned_data
        if data["theme"]:
            summaries = summaries.with_theme(data["theme"], prefix="live_version__")
        if data["hub"]:
            summaries = summaries.filter(live_version__hubs=data["hub"])
        if data["innovation"]:
            summaries = summaries.filter(live_version__innovations=data["innovation"])
        return summaries.distinct() if data["hub"] or data["innovation"] else summaries


@login_not_required
@require_GET
def summary_list(request: HttpRequest) -> HttpResponse:
    """Published summaries the reader may see, newest first, filterable by theme, hub and innovation."""
    listed = LearningSummary.objects.for_user(request.user).listed()
    filters = SummaryFilterForm(request.GET or None, summaries=listed)
    chosen = filters.apply(listed)
    page = Paginator(
        chosen.select_related("live_version")
        .prefetch_related("live_version__hubs", "live_version__innovations")
        .order_by("-live_version__published_at", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "learning/summaries/list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": filters.is_bound and filters.is_valid() and any(filters.cleaned_data.values()),
            "writes_summaries": writes_summaries(request.user),
        },
    )


def _visible_summary(request: HttpRequest, slug: str) -> LearningSummary:
    return get_object_or_404(LearningSummary.objects.for_user(request.user), slug=slug)


def _live_version(request: HttpRequest, summary: LearningSummary) -> SummaryVersion | None:
    if summary.live_version_id is None:
        return None
    return (
        version_with_related(SummaryVersion.objects.for_user(request.user))
        .filter(pk=summary.live_version_id)
        .first()
    )


def _reading_context(request: HttpRequest, summary: LearningSummary, version: SummaryVersion) -> dict:
    return {
        "summary": summary,
        "version": version,
        "references": references(version),
        "writes_summaries": writes_summaries(request.user),
        "page_url": request.build_absolute_uri(summary.get_absolute_url()),
    }


@login_not_required
@require_GET
def summary_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The live version; a withdrawn summary says when and why instead, without its body."""
    summary = _visible_summary(request, slug)
    if summary.is_withdrawn:
        return render(request, "learning/summaries/withdrawn.html", {"summary": summary,
                      "writes_summaries": writes_summaries(request.user)})  # fmt: skip
    version = _live_version(request, summary)
    if version is None:  # never published: only AHSN admins get this far
        return redirect("learning:summary_manage", pk=summary.pk)
    return render(request, "learning/summaries/detail.html", _reading_context(request, summary, version))


@login_not_required
@require_GET
def summary_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    summary = _visible_summary(request, slug)
    version = None if summary.is_withdrawn else _live_version(request, summary)
    if version is None:
        raise Http404("No published summary here.")
    return pdf_response(
        request,
        template="learning/summaries/pdf.html",
        context=_reading_context(request, summary, version),
        filename=f"{summary.slug}-v{version.number}.pdf",
        unavailable_template="learning/summaries/pdf_unavailable.html",
    )


def _versions_of(request: HttpRequest, summary: LearningSummary) -> QuerySet:
    return SummaryVersion.objects.for_user(request.user).filter(summary=summary)


@login_not_required
@require_GET
def version_list(request: HttpRequest, slug: str) -> HttpResponse:
    summary = _visible_summary(request, slug)
    versions = list(_versions_of(request, summary).select_related("published_by").order_by("-number"))
    if not versions:
        raise Http404("No versions to show.")
    return render(request, "learning/summaries/versions.html", {"summary": summary, "versions": versions})


def _version_or_404(request: HttpRequest, slug: str, number: int) -> SummaryVersion:
    summary = _visible_summary(request, slug)
    return get_object_or_404(version_with_related(_versions_of(request, summary)), number=number)


@login_not_required
@require_GET
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version_or_404(request, slug, number)
    context = _reading_context(request, version.summary, version)
    context["is_live"] = version.pk == version.summary.live_version_id
    return render(request, "learning/summaries/version.html", context)


def content_changes(old, new) -> list:
    """Every field of a summary's content, compared between two copies (versions or working copy)."""

    def names(content, field: str) -> list[str]:
        return [str(item) for item in getattr(content, field).all()]

    return [
        field_change("Title", old.title, new.title),
        field_change("Standfirst", old.standfirst, new.standfirst),
        field_change("Body", old.body, new.body, kind="lines"),
        field_change("CFIR 2.0 themes", old.theme_labels, new.theme_labels, kind="items"),
        field_change("Related hubs", names(old, "hubs"), names(new, "hubs"), kind="items"),
        field_change(
            "Related innovations", names(old, "innovations"), names(new, "innovations"), kind="items"
        ),
        field_change(
            "References",
            [ref.text for ref in references(old)],
            [ref.text for ref in references(new)],
            kind="items",
        ),
        field_change(
            "Who may read it", [old.get_audience_display()], [new.get_audience_display()], kind="items"
        ),
    ]


def changes_since_live(summary: LearningSummary) -> list:
    """What the working copy changes in the version readers see now."""
    live = version_with_related(SummaryVersion.objects.all()).get(pk=summary.live_version_id)
    return content_changes(live, summary)


@login_not_required
@require_GET
def version_changes(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """What changed in version ``number`` since the version before it."""
    version = _version_or_404(request, slug, number)
    previous = version_with_related(_versions_of(request, version.summary)).filter(number=number - 1).first()
    if previous is None:
        raise Http404("The first version has nothing before it to compare with.")
    return render(
        request,
        "learning/summaries/changes.html",
        {"summary": version.summary, "version": version, "previous": previous,
         "changes": content_changes(previous, version)},
    )  # fmt: skip


# -- Writing (AHSN admins) ----------------------------------------------------------------------


@ahsn_admins_only
def manage(request: HttpRequest) -> HttpResponse:
    """Every summary by where it is in the workflow, for the AHSN admins who write and review them."""
    rows = list(
        LearningSummary.objects.select_related("live_version", "edited_by", "submitted_by").order_by(
            "-updated_at"
        )
    )
    groups = [
        (status.label, [summary for summary in rows if summary.status == status.value])
        for status in (Status.IN_REVIEW, Status.DRAFT, Status.PUBLISHED, Status.WITHDRAWN)
    ]
    return render(request, "learning/summaries/manage.html", {"groups": groups, "total": len(rows)})


def _preview(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "preview"


def _form_page(request: HttpRequest, form: forms.Form, *, summary: LearningSummary | None) -> HttpResponse:
    return render(
        request,
        "learning/summaries/form.html",
        {
            "form": form,
            "summary": summary,
            "preview": request.POST.get("body", "") if _preview(request) else None,
        },
    )


@ahsn_admins_only
def summary_new(request: HttpRequest) -> HttpResponse:
    form = SummaryForm(request.POST or None)
    if not _preview(request) and (
        created := submit(form, lambda data: services.summary_create(by=request.user, **data))
    ):
        messages.success(request, "The draft is saved. Send it for review when it is ready.")
        return redirect("learning:summary_manage", pk=created.pk)
    return _form_page(request, form, summary=None)


def _changeable(request: HttpRequest, pk: int) -> LearningSummary:
    return get_changeable_or_403(
        LearningSummary.objects.select_related("live_version", "edited_by", "submitted_by", "withdrawn_by"),
        request.user,
        pk=pk,
    )


def summary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _changeable(request, pk)
    form = SummaryEditForm(request.POST or None, instance=summary)
    if not _preview(request) and submit(
        form, lambda data: services.summary_update(summary=summary, by=request.user, **data)
    ):
        message = "The changes are saved as a draft."
        if summary.live_version_id:
            message += (
                f" Readers still see version {summary.live_version.number} until the changes are published."
            )
        messages.success(request, message)
        return redirect("learning:summary_manage", pk=summary.pk)
    return _form_page(request, form, summary=summary)


WORKFLOW_MOVES = {
    Status.IN_REVIEW: "Sent for review",
    Status.PUBLISHED: "Published",
    Status.WITHDRAWN: "Withdrawn",
}


def _workflow_history(summary: LearningSummary) -> list[HistoryEntry]:
    """Each time the summary moved in the workflow, newest first: when, who, to what, and why.

    Why is the reviewer's note when a summary in review was returned to draft, and the
    reason given when it was withdrawn.
    """
    moves, previous = [], None
    for record in summary.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.status == previous:
            continue
        why = ""
        if previous is None:
            what = "Started as a draft"
        elif record.status == Status.DRAFT and previous == Status.IN_REVIEW and record.review_note:
            what, why = "Returned to draft", record.review_note
        elif record.status == Status.DRAFT:
            what = "Back to draft after an edit"
        else:
            what = WORKFLOW_MOVES.get(record.status, record.get_status_display())
            if record.status == Status.WITHDRAWN:
                why = record.withdrawal_reason
        moves.append(HistoryEntry(record.history_date, record.history_user, what=what, why=why))
        previous = record.status
    return moves[::-1]


def summary_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The working copy as it would be published, where it is in the workflow, and what can be done next."""
    summary = _changeable(request, pk)
    context = {
        "summary": summary,
        "references": references(summary),
        "may_review": services.may_review(summary, request.user),
        "history": _workflow_history(summary),
        "versions": summary.versions.select_related("published_by").order_by("-number"),
        # Whether the live version's e-mails have gone, or wait for the task queue to be back.
        "emails": item_for(services.publication_emails_key(summary.live_version))
        if summary.live_version_id
        else None,
    }
    if summary.has_unpublished_changes:
        context["changes"] = changes_since_live(summary)
    return render(request, "learning/summaries/manage_detail.html", context)


@dataclass(frozen=True)
class Step:
    """One move in the workflow, as a small confirming form."""

    heading: str
    button: str
    intro: str
    done: str
    act: Callable[[LearningSummary, object, dict], object]
    reason: dict | None = None
    warning: bool = False
    shows_changes: bool = False  # the reviewer sees what publishing changes for readers


STEPS = {
    "submit": Step(
        heading="Send for review",
        button="Send for review",
        intro="Another AHSN admin reviews the summary and publishes it, or returns it to you with a note.",
        done="The summary is in review. Another AHSN admin can now publish it.",
        act=lambda summary, by, data: services.summary_submit(summary=summary, by=by),
    ),
    "return": Step(
        heading="Return to draft",
        button="Return it with this note",
        intro="The summary goes back to draft, with your note, for its writer to change.",
        done="The summary is back in draft, with your note.",
        act=lambda summary, by, data: services.summary_return(summary=summary, by=by, note=data["reason"]),
        reason={
            "label": "What should change",
            "help_text": "The writer sees this note beside the draft.",
            "required_message": "Say what should change before returning the summary.",
        },
    ),
    "publish": Step(
        heading="Publish",
        button="Publish it",
        intro="Publishing makes this the summary's next version, live at once for its readers, and e-mails "
        "the people who asked to hear of new summaries.",
        done="The summary is published.",
        act=lambda summary, by, data: services.summary_publish(summary=summary, by=by),
        shows_changes=True,
    ),
    "withdraw": Step(
        heading="Withdraw",
        button="Withdraw it",
        intro="Readers no longer see the summary's text. Its page stays at its address and says when and "
        "why it was withdrawn.",
        done="The summary is withdrawn.",
        act=lambda summary, by, data: services.summary_withdraw(
            summary=summary, by=by, reason=data["reason"]
        ),
        reason={
            "label": "Why it is withdrawn",
            "help_text": "Readers see this reason on the summary's page.",
            "required_message": "Say why the summary is withdrawn: readers will see the reason.",
        },
        warning=True,
    ),
}


def _step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    step = STEPS[name]
    summary = _changeable(request, pk)
    data = request.POST if request.method == "POST" else None
    form = ReasonForm(data, **step.reason) if step.reason else forms.Form(data)
    if submit(form, lambda cleaned: step.act(summary, request.user, cleaned)):
        messages.success(request, step.done)
        return redirect("learning:summary_manage", pk=summary.pk)
    context = {"summary": summary, "step": step, "form": form, "references": references(summary)}
    if step.shows_changes and summary.live_version_id:
        context["changes"] = changes_since_live(summary)
    return render(request, "learning/summaries/step.html", context)


def summary_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "submit")


def summary_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "return")


def summary_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "publish")


def summary_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "withdraw")
