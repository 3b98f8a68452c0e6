from django import forms

from .models import LearningNote


class LearningNoteForm(forms.ModelForm):
    class Meta:
        model = LearningNote
        fields = ["kind", "cfir_domain", "title", "text"]
        widgets = {
            "kind": forms.RadioSelect,
            "cfir_domain": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 8}),
        }
