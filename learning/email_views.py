"""Which e-mails people get (new learning summaries, and each kind of notification), and the summaries' unsubscribe link."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.emails import unsubscribe_view
from core.forms import submit
from hubs.access import roles_of
from notifications.forms import NotificationPreferencesForm, kinds_for

from . import emails
from .models import SummaryEmailPreference

Frequency = SummaryEmailPreference.Frequency
CONFIRMATIONS = {
    Frequency.EACH: "You will get an e-mail each time a learning summary is published.",
    Frequency.WEEKLY: "You will get a weekly digest of new learning summaries, on Monday mornings.",
    Frequency.NONE: "You will not get e-mails about learning summaries.",
}


class EmailPreferenceForm(NotificationPreferencesForm):
    """The summaries' question first, then one per kind of notification that may reach this person."""

    # Kept beside its only two views: the form is questions, not a model's fields.
    frequency = forms.ChoiceField(
        label="How often do you want to hear about new learning summaries?",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often you want to hear about new learning summaries."},
    )


def kinds_asked_of(user) -> list[str]:
    roles = roles_of(user)
    return kinds_for(hub_staff=roles.is_hub_staff, evaluator=roles.reviews_figures, ahsn_admin=roles.curates)


def email_preferences(request: HttpRequest) -> HttpResponse:
    """A signed-in user chooses which e-mails they get: about summaries, and about each kind of notification."""
    form = EmailPreferenceForm(
        request.POST or None,
        user=request.user,
        kinds=kinds_asked_of(request.user),
        initial={"frequency": emails.frequency_of(request.user)},
    )

    @transaction.atomic
    def save(data):
        form.save_deliveries(user=request.user)
        return emails.preference_set(user=request.user, frequency=data["frequency"])

    if submit(form, save):
        messages.success(request, CONFIRMATIONS[form.cleaned_data["frequency"]])
        return redirect("learning:email_preferences")
    return render(request, "learning/email/preferences.html", {"form": form})


@unsubscribe_view
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The person named by the token hears no more about summaries (GET asks, POST does it)."""
    if request.method == "GET":
        if emails.user_from_token(token) is None:
            raise Http404("This unsubscribe link is not valid.")
        return render(request, "learning/email/unsubscribe_confirm.html")
    try:
        before = emails.preference_unsubscribe(token=token)
    except PermissionDenied:
        raise Http404("This unsubscribe link is not valid.") from None
    # "Subscribe again" restores what they had; after an unsubscribe from nothing, each summary.
    again = before if before != Frequency.NONE else Frequency.EACH
    return render(request, "learning/email/unsubscribed.html", {"subscribe_again": again})
