from django import forms

from core.concurrency import VersionedModelForm

from .models import EngagementEvent, Hub, Organisation, Partnership


class HubProfileForm(forms.ModelForm):
    """What hub staff keep up to date about their own hub."""

    class Meta:
        model = Hub
        fields = ["priorities", "core20", "plus_groups", "clinical_areas"]
        widgets = {"clinical_areas": forms.CheckboxSelectMultiple}


def _date_widget():
    return forms.DateInput(attrs={"type": "date", "class": "nhsuk-input--width-10"})


class PartnershipForm(forms.ModelForm):
    """A hub's lead adds an organisation already in the portal as a partner."""

    class Meta:
        model = Partnership
        fields = ["organisation", "role", "joined_on"]
        widgets = {"joined_on": _date_widget()}


class PartnershipChangeForm(VersionedModelForm):
    """A partner's role and dates; a day in ``left_on`` ends the partnership (the record stays)."""

    reason = forms.CharField(
        required=False, max_length=500, help_text="Optional: why, for the partnership's history."
    )

    class Meta:
        model = Partnership
        fields = ["role", "joined_on", "left_on"]
        widgets = {"joined_on": _date_widget(), "left_on": _date_widget()}


class EngagementEventForm(forms.ModelForm):
    class Meta:
        model = EngagementEvent
        fields = ["date", "kind", "title", "organisations", "people_reached", "people_trained", "notes"]
        widgets = {
            "date": _date_widget(),
            "kind": forms.RadioSelect,
            "organisations": forms.CheckboxSelectMultiple,
            "people_reached": forms.NumberInput(attrs={"class": "nhsuk-input--width-5", "min": 0}),
            "people_trained": forms.NumberInput(attrs={"class": "nhsuk-input--width-5", "min": 0}),
        }

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's rules (dates, counts) read the hub, so the form's own clean() can run them.
        self.instance.hub = hub
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")


class EngagementEventChangeForm(VersionedModelForm, EngagementEventForm):
    """The event's fields, opened at its version: a save over someone else's newer one is refused."""
