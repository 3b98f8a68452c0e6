from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.concurrency import VersionedModelForm, VersionField
from core.people import display_name
from hubs.access import roles_of
from hubs.models import Hub

from .complexity import DOMAINS, REASON_MAX_LENGTH, Rating, reason_field
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
        self.fields["version"] = VersionField(initial=adoption.version)
        self.fields["to_stage"].choices = [(s.value, s.label) for s in allowed_moves(adoption.stage)]
        self.fields["date"].initial = timezone.localdate()
        self.fields["to_stage"].label = f"Move from “{Stage(adoption.stage).label}” to"


class AdoptionStartForm(forms.Form):
    hub = forms.ModelChoiceField(
        queryset=Hub.objects.none(),
        empty_label="Choose a hub",
        error_messages={
            "required": "Choose the hub that is adopting it.",
            "invalid_choice": "Choose one of your own hubs: you can start adoptions only for them.",
        },
    )
    innovation = forms.ModelChoiceField(
        queryset=Innovation.objects.none(),
        empty_label="Choose an innovation",
        help_text="Approved entries in the innovation catalogue.",
        error_messages={
            "required": "Choose the innovation.",
            "invalid_choice": "Choose an approved innovation from the list.",
        },
    )
    started_on = forms.DateField(
        label="Date the hub identified it",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Not in the future.",
        error_messages={"required": "Enter the date the hub identified it.", "invalid": "Enter a real date."},
    )
    aims = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    target_population = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's hubs are offered, and only they validate: a posted id of another hub is refused.
        hub_ids = roles_of(user).hub_ids
        self.fields["hub"].queryset = Hub.objects.filter(pk__in=hub_ids).order_by("name")
        if len(hub_ids) == 1:
            self.fields["hub"].initial = next(iter(hub_ids))
        self.fields["innovation"].queryset = Innovation.objects.approved().order_by("name")
        self.fields["started_on"].initial = timezone.localdate()


class AdoptionEditForm(VersionedModelForm):
    class Meta:
        model = Adoption
        fields = [
            "aims",
            "target_population",
            "core20",
            "plus_groups",
            "clinical_areas",
            "inequalities_aims",
            "lead",
        ]
        widgets = {
            "aims": forms.Textarea(attrs={"rows": 4}),
            "target_population": forms.Textarea(attrs={"rows": 3}),
            "plus_groups": forms.Textarea(attrs={"rows": 3}),
            "clinical_areas": forms.CheckboxSelectMultiple,
            "inequalities_aims": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"lead": {"invalid_choice": "Choose a member of the adoption's hub."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        lead.queryset = (
            get_user_model()
            .objects.filter(memberships__hub=self.instance.hub_id)
            .order_by("first_name", "last_name", "username")
        )
        lead.label_from_instance = display_name
        lead.empty_label = "No lead yet"
        lead.help_text = "A member of the hub."


class AdoptionArchiveForm(forms.Form):
    reason = forms.CharField(
        label="Why archive this adoption?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the adoption's page and kept in its history. You can restore it later.",
        error_messages={"required": "Say why you are archiving this adoption."},
    )


class AdoptionFilterForm(forms.Form):
    """The adoptions list's filters: hub ("your hubs" by default for hub staff), stage, archived."""

    hub = forms.ChoiceField(required=False)
    stage = forms.ChoiceField(required=False, choices=[("", "All stages"), *Stage.choices])
    archived = forms.BooleanField(label="Show archived adoptions", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.my_hub_ids = roles_of(user).hub_ids
        hubs = [(hub.slug, hub.name) for hub in Hub.objects.order_by("name").only("slug", "name")]
        mine = [("mine", "Your hubs")] if self.my_hub_ids else []
        self.fields["hub"].choices = [*mine, ("all", "All hubs"), *hubs]
        self.fields["hub"].initial = "mine" if self.my_hub_ids else "all"

    def filter(self, adoptions):
        """``adoptions`` narrowed to the chosen filters; archived ones only when asked for."""
        chosen = self.cleaned_data if self.is_valid() else {}
        hub = chosen.get("hub") or self.fields["hub"].initial
        if hub == "mine":
            adoptions = adoptions.filter(hub__in=self.my_hub_ids)
        elif hub != "all":
            adoptions = adoptions.filter(hub__slug=hub)
        if chosen.get("stage"):
            adoptions = adoptions.filter(stage=chosen["stage"])
        if not chosen.get("archived"):
            adoptions = adoptions.current()
        return adoptions


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


class ComplexityCheckForm(forms.Form):
    """The seven NASSS domains, each rated with a reason, and the date of the check."""

    checked_on = forms.DateField(
        label="Date of the check",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Not in the future, and not before the adoption started.",
        error_messages={"required": "Enter the date of the check.", "invalid": "Enter a real date."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()
        for domain, label in DOMAINS:
            self.fields[domain] = forms.ChoiceField(
                label=label,
                choices=Rating.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Rate {label.lower()}: simple, complicated or complex.",
                    "invalid_choice": f"Rate {label.lower()}: simple, complicated or complex.",
                },
            )
            self.fields[reason_field(domain)] = forms.CharField(
                label=f"Why {label.lower()} is rated so",
                max_length=REASON_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=f"A sentence or two, up to {REASON_MAX_LENGTH} characters.",
                error_messages={
                    "required": f"Say in a few words why {label.lower()} is rated so.",
                    "max_length": f"Keep the reason for {label.lower()} to {REASON_MAX_LENGTH} characters "
                    "or fewer (it has %(show_value)d).",
                },
            )
