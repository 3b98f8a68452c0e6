from django import forms

from hubs.concurrency import VersionedModelForm

from .models import LearningNote


class LearningNoteForm(VersionedModelForm):
    class Meta:
        model = LearningNote
        fields = ["kind", "cfir_domain", "title", "text"]
        widgets = {
            "kind": forms.RadioSelect,
            "cfir_domain": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 8}),
        }
        error_messages = {
            "kind": {"required": "Choose whether this is a barrier, an enabler, a lesson or an adaptation."},
            "cfir_domain": {"required": "Choose the CFIR 2.0 domain the note belongs to."},
            "title": {"required": "Enter a title."},
            "text": {"required": "Write the note."},
        }
