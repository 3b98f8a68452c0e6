from django import forms
from django.db.models import Q

from core.concurrency import VersionedModelForm
from hubs.models import EngagementEvent, Hub
from innovations.models import Innovation

from .models import Audience, LearningNote, LearningSummary, RollupReport


class LearningNoteForm(forms.ModelForm):
    """A new barrier, enabler, lesson or adaptation."""

    class Meta:
        model = LearningNote
        fields = ["kind", "cfir_domain", "title", "text", "event"]
        widgets = {
            "kind": forms.RadioSelect,
            "cfir_domain": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "text": "Markdown works: *italic*, **bold**, lists starting with “-”, and links. "
            "Say what happened, for whom, and what you would do again or differently.",
        }
        error_messages = {
            "kind": {"required": "Choose whether this is a barrier, an enabler, a lesson or an adaptation."},
            "cfir_domain": {"required": "Choose the CFIR 2.0 domain the note belongs to."},
            "title": {"required": "Enter a title."},
            "text": {"required": "Write the note."},
        }

    def __init__(self, *args, hub: Hub | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the adoption's own hub's events, those still in its log (and the one already chosen).
        events = EngagementEvent.objects.filter(hub=hub, archived=False)
        if self.instance.event_id:
            events = events | EngagementEvent.objects.filter(pk=self.instance.event_id)
        self.fields["event"].queryset = events.order_by("-date", "title")
        self.fields["event"].empty_label = "Not from an event"


class LearningNoteEditForm(VersionedModelForm, LearningNoteForm):
    """A change to a note, refused if someone saved it since the form was opened."""

    class Meta(LearningNoteForm.Meta):
        pass


# -- Learning summaries -------------------------------------------------------------------------

REPORTS_OFFERED = 30
NOTES_OFFERED = 200


class NoteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, note: LearningNote) -> str:
        return (
            f"{note.title} — {note.get_kind_display().lower()} in {note.adoption.hub.name}, "
            f"{note.adoption.innovation.name} ({note.created_at:%-d %b %Y})"
        )


class ReportChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, report: RollupReport) -> str:
        return f"Roll-up report for {report.day:%-d %B %Y}"


class SummaryForm(forms.ModelForm):
    """A learning summary's words, themes, related hubs and innovations, sources and audience."""

    theme_codes = forms.MultipleChoiceField(
        label="CFIR 2.0 themes",
        choices=LearningNote.Domain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The domains of the Consolidated Framework for Implementation Research this summary is about.",
    )
    cited_reports = ReportChoiceField(
        label="Roll-up reports it draws on",
        queryset=RollupReport.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"The {REPORTS_OFFERED} newest nightly reports, and any already cited. Shown as references.",
    )
    cited_notes = NoteChoiceField(
        label="Learning notes it draws on",
        queryset=LearningNote.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=f"The {NOTES_OFFERED} newest barriers, enablers, lessons and adaptations, and any already cited.",
    )

    class Meta:
        model = LearningSummary
        fields = ["title", "standfirst", "body", "theme_codes", "hubs", "innovations",
                  "cited_reports", "cited_notes", "audience"]  # fmt: skip
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "hubs": forms.CheckboxSelectMultiple,
            "innovations": forms.CheckboxSelectMultiple,
            "audience": forms.RadioSelect,
        }
        labels = {"standfirst": "Standfirst", "audience": "Who may read it once published"}
        help_texts = {
            "title": "Say what was learned, in a few words. Each summary's title is its own.",
            "standfirst": "One paragraph, in plain words: what was learned, where and for whom. "
            "Lists, the feed and e-mails show it.",
            "body": "Markdown: ## for a heading, *italic*, **bold**, lists starting with “-”, links as "
            "[words](https://…). No images or HTML: they are removed.",
        }
        error_messages = {
            "title": {
                "required": "Enter a title.",
                "max_length": "Keep the title to 150 characters or fewer.",
            },
            "standfirst": {
                "required": "Write the standfirst: one paragraph that says what was learned.",
                "max_length": "Keep the standfirst to one paragraph of 600 characters or fewer.",
            },
            "body": {"required": "Write the summary's body."},
            "audience": {"required": "Choose who may read the summary once it is published."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        summary = self.instance
        self.fields["audience"].choices = Audience.choices
        self.fields["hubs"].queryset = Hub.objects.order_by("name")
        self.fields["innovations"].queryset = Innovation.objects.filter(
            Q(status=Innovation.Status.APPROVED) | Q(pk__in=self._cited(summary, "innovations"))
        ).order_by("name")
        newest_reports = RollupReport.objects.order_by("-day").values("pk")[:REPORTS_OFFERED]
        self.fields["cited_reports"].queryset = (
            RollupReport.objects.filter(
                Q(pk__in=newest_reports) | Q(pk__in=self._cited(summary, "cited_reports"))
            )
            .only("pk", "day")
            .order_by("-day")
        )
        newest_notes = LearningNote.objects.current().order_by("-created_at").values("pk")[:NOTES_OFFERED]
        self.fields["cited_notes"].queryset = (
            LearningNote.objects.filter(
                Q(pk__in=newest_notes) | Q(pk__in=self._cited(summary, "cited_notes"))
            )
            .select_related("adoption__hub", "adoption__innovation")
            .order_by("-created_at")
        )
        if summary.pk:
            self.initial["theme_codes"] = summary.theme_codes

    @staticmethod
    def _cited(summary: LearningSummary, field: str) -> list[int]:
        return list(getattr(summary, field).values_list("pk", flat=True)) if summary.pk else []

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        clash = LearningSummary.objects.filter(title__iexact=title).exclude(pk=self.instance.pk).first()
        if clash is not None:
            raise forms.ValidationError(
                f"A learning summary called “{clash.title}” already exists: choose another title."
            )
        return title

    def clean_standfirst(self) -> str:
        standfirst = self.cleaned_data["standfirst"].strip()
        if "\n\n" in standfirst.replace("\r\n", "\n"):
            raise forms.ValidationError("Keep the standfirst to one paragraph, with no blank lines.")
        return " ".join(standfirst.split())

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write the summary's body.")
        return body


class SummaryEditForm(VersionedModelForm, SummaryForm):
    """Changes to a summary, refused if someone saved it since the form was opened."""

    class Meta(SummaryForm.Meta):
        pass


class ReasonForm(forms.Form):
    """A step that needs words: what to change (returning), or why (withdrawing)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, label: str, help_text: str, required_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label, field.help_text = label, help_text
        field.error_messages["required"] = required_message
