from django import forms

from .models import Hub


class HubProfileForm(forms.ModelForm):
    """What hub staff keep up to date about their own hub."""

    class Meta:
        model = Hub
        fields = ["priorities", "core20", "plus_groups", "clinical_areas"]
        widgets = {"clinical_areas": forms.CheckboxSelectMultiple}
