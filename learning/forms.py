from django import forms

from hubs.concurrency import VersionedModelForm

from .models import LearningNote


class LearningNoteForm(forms.ModelForm):
    """A new barrier, enabler, lesson or adaptation."""

    class Meta:
        model = LearningNote
        fields = ["kind", "cfir_domain", "title", "text"]
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


class LearningNoteEditForm(VersionedModelForm, LearningNoteForm):
    """A change to a note, refused if someone saved it since the form was opened."""

    class Meta(LearningNoteForm.Meta):
        pass
