"""The e-mail preferences page asks each person about summaries and about each kind that may reach them."""

import re

import pytest
from django.urls import reverse

from learning.models import SummaryEmailPreference
from notifications.models import Delivery, Kind, NotificationPreference

pytestmark = pytest.mark.django_db
URL = "/learning/email/"


def asked(page: str) -> set[str]:
    return {kind for kind in Kind.values if f'name="{kind}"' in page}


def test_each_role_is_asked_about_the_kinds_that_reach_it(client, owner, evaluator_user, admin_user_ahsn):
    assert reverse("learning:email_preferences") == URL
    expected = {
        owner: {"figures_returned", "figures_due", "figures_overdue", "reopen_decided", "proposal_decided"},
        evaluator_user: {"figures_resubmitted", "reopen_requested"},
        admin_user_ahsn: {"summary_for_review", "run_failed", "proposal_decided"},
    }
    for user, kinds in expected.items():
        client.force_login(user)
        page = client.get(URL).content.decode()
        assert asked(page) == kinds, user.username
        assert 'name="frequency"' in page, "and about learning summaries, on the same page"


def test_choices_are_saved_and_shown_again(client, owner):
    client.force_login(owner)
    page = client.get(URL).content.decode()
    assert re.search(r'<input[^>]*name="figures_due"[^>]*value="at_once"[^>]*checked', page) or re.search(
        r'<input[^>]*value="at_once"[^>]*name="figures_due"[^>]*checked', page
    ), "at once until they choose"
    choices = {
        "frequency": "weekly",
        "figures_returned": "at_once",
        "figures_due": "daily",
        "figures_overdue": "none",
        "reopen_decided": "at_once",
        "proposal_decided": "daily",
    }
    response = client.post(URL, choices, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    saved = dict(NotificationPreference.objects.filter(user=owner).values_list("kind", "delivery"))
    assert saved["figures_due"] == Delivery.DAILY and saved["figures_overdue"] == Delivery.NONE
    assert SummaryEmailPreference.objects.get(user=owner).frequency == "weekly"


def test_a_wrong_answer_is_shown_by_its_question_and_in_the_summary_and_nothing_is_saved(client, owner):
    client.force_login(owner)
    page = client.post(URL, {"frequency": "each", "figures_due": "weekly"}).content.decode()
    message = "Choose how you want to hear of figures due soon: at once, a daily digest or no e-mail."
    assert "There is a problem" in page
    assert page.count(message) == 2, "in the error summary and by the question"
    assert 'href="#id_figures_due' in page
    assert not NotificationPreference.objects.exists()
    assert not SummaryEmailPreference.objects.filter(user=owner).exists()


def test_answering_only_the_summaries_question_keeps_the_notification_choices(client, owner):
    NotificationPreference.objects.create(user=owner, kind=Kind.FIGURES_DUE, delivery=Delivery.DAILY)
    client.force_login(owner)
    client.post(URL, {"frequency": "each"})  # the "subscribe again" button sends only this
    assert NotificationPreference.objects.get(user=owner, kind=Kind.FIGURES_DUE).delivery == Delivery.DAILY
    assert SummaryEmailPreference.objects.get(user=owner).frequency == "each"
