"""How each person wants each kind of notification by e-mail: one question per kind that applies to them."""

from __future__ import annotations

from django import forms
from django.db import transaction

from . import emails, services
from .models import Delivery, Kind

# The kinds each role is sent, so each person is asked only about what can reach them.
HUB_STAFF_KINDS = (
    Kind.FIGURES_RETURNED,
    Kind.FIGURES_DUE,
    Kind.FIGURES_OVERDUE,
    Kind.REOPEN_DECIDED,
    Kind.PROPOSAL_DECIDED,
)
EVALUATOR_KINDS = (Kind.FIGURES_RESUBMITTED, Kind.REOPEN_REQUESTED)
AHSN_ADMIN_KINDS = (Kind.SUMMARY_FOR_REVIEW, Kind.RUN_FAILED, Kind.PROPOSAL_DECIDED)


def kinds_for(*, hub_staff: bool, evaluator: bool, ahsn_admin: bool) -> list[str]:
    """The kinds that may reach someone with these roles, in the order ``Kind`` lists them."""
    applies = set()
    for has_role, kinds in (
        (hub_staff, HUB_STAFF_KINDS),
        (evaluator, EVALUATOR_KINDS),
        (ahsn_admin, AHSN_ADMIN_KINDS),
    ):
        if has_role:
            applies.update(kinds)
    return [kind for kind in Kind.values if kind in applies]


class NotificationPreferencesForm(forms.Form):
    """ "An e-mail at once / A daily digest / No e-mail" for each of ``kinds``, as ``user`` chose them.

    A kind left out of a submitted form keeps what the person chose before: a form that asks
    one other question (the "subscribe again" button after unsubscribing) changes only that.
    """

    def __init__(self, data=None, *args, user, kinds: list[str], **kwargs):
        current = emails.deliveries_of(user)
        if data is not None:
            data = data.copy()
            for kind in kinds:
                data.setdefault(kind, current[kind])
        super().__init__(data, *args, **kwargs)
        self.kinds = list(kinds)
        for kind in self.kinds:
            label = Kind(kind).label
            self.fields[kind] = forms.ChoiceField(
                label=label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=current[kind],
                error_messages={
                    "required": f"Choose how you want to hear of {label.lower()}.",
                    "invalid_choice": f"Choose how you want to hear of {label.lower()}: at once, a daily digest or no e-mail.",
                },
            )

    def kind_fields(self):
        """The bound fields of the notification questions, for a template to show under their own heading."""
        return [self[kind] for kind in self.kinds]

    def other_fields(self):
        return [field for field in self if field.name not in self.kinds]

    @transaction.atomic
    def save_deliveries(self, *, user) -> list:
        """Save each kind's choice through ``preference_set``; returns the preferences."""
        return [
            services.preference_set(user=user, kind=kind, delivery=self.cleaned_data[kind])
            for kind in self.kinds
        ]
