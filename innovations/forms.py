from django import forms
from django.utils import timezone

from hubs.concurrency import VersionedModelForm

from .models import Adoption, Innovation
from .stages import Stage, allowed_moves


class StageMoveForm(forms.Form):
    to_stage = forms.ChoiceField(
        label="Move to",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the stage to move to.",
            "invalid_choice": "Choose a stage from the list.",
        },
    )
    date = forms.DateField(
        label="Date of the move",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Not in the future, and not before the previous move.",
        error_messages={"required": "Enter the date of the move.", "invalid": "Enter a real date."},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed for a backward move, an exit (paused, not adopted, abandoned) or a return from an exit.",
    )

    def __init__(self, *args, adoption: Adoption, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(s.value, s.label) for s in allowed_moves(adoption.stage)]
        self.fields["date"].initial = timezone.localdate()
        self.fields["to_stage"].label = f"Move from “{Stage(adoption.stage).label}” to"


INNOVATION_ERRORS = {
    "name": {"required": "Enter the innovation's name."},
    "summary": {"required": "Say in a few sentences what the innovation is."},
    "category": {"required": "Choose a category."},
    "evidence_level": {"required": "Choose the strongest evidence there is for it."},
}


class InnovationForm(forms.ModelForm):
    """A catalogue entry as hub staff propose it."""

    class Meta:
        model = Innovation
        fields = ["name", "summary", "category", "evidence_level", "origin", "clinical_areas"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "category": forms.RadioSelect,
            "evidence_level": forms.RadioSelect,
            "clinical_areas": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "summary": "What it is and who it is for, in your own words.",
            "clinical_areas": "Leave blank if none applies.",
        }
        error_messages = INNOVATION_ERRORS

    def validate_unique(self):
        # The service checks the name, ignoring case, and links to the entry that has it.
        pass


class InnovationEditForm(VersionedModelForm, InnovationForm):
    """An AHSN admin's edit of an entry, refused if someone saved it since it was opened."""

    class Meta(InnovationForm.Meta):
        pass


class InnovationMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label="Merge into",
        queryset=Innovation.objects.none(),
        empty_label="Choose an entry",
        error_messages={
            "required": "Choose the entry to merge into.",
            "invalid_choice": "Choose an entry from the list.",
        },
    )
    reason = forms.CharField(
        label="Why merge them?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, “The same programme under an older name”. Kept in the history of the entry and its adoptions.",
        error_messages={"required": "Say why these entries are being merged."},
    )

    def __init__(self, *args, source: Innovation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Innovation.objects.approved().exclude(pk=source.pk)
