from django import forms
from django.utils import timezone

from .models import Adoption
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
