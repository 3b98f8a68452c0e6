"""The shared mechanics at the bottom of the app order: figures, and the form/service bridge."""

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core.forms import submit
from core.numbers import as_typed, completeness, figure_text, figure_value, percentage


def test_a_percentage_is_sum_over_sum_and_none_of_nothing():
    assert percentage(45, 60) == 75.0
    assert percentage(0, 0) is None
    assert figure_value(None, 45, 60) == 75.0
    assert figure_value(Decimal("12.5"), None, None) == 12.5


def test_completeness_is_a_whole_percentage_at_most_100():
    assert completeness(7, 12) == 58
    assert completeness(13, 12) == 100
    assert completeness(0, 0) is None


def test_figures_print_as_people_read_them():
    assert figure_text(Decimal("1250.0000"), None, None) == "1,250"
    assert figure_text(Decimal("47.8000"), None, None) == "47.8"
    assert figure_text(None, 45, 60) == "75.0% (45/60)"
    assert as_typed(Decimal("120.0000")) == "120"


class NameForm(forms.Form):
    name = forms.CharField()


def test_submit_returns_what_the_service_saved():
    assert submit(NameForm({"name": "Dorset"}), lambda data: f"saved {data['name']}") == "saved Dorset"


@pytest.mark.parametrize("data", [None, {"name": ""}])
def test_submit_calls_no_service_for_a_form_not_sent_or_not_valid(data):
    def service(_):
        raise AssertionError("the service must not be called")

    assert submit(NameForm(data), service) is None


def test_a_service_refusal_lands_on_the_form_and_returns_nothing():
    form = NameForm({"name": "Dorset"})

    def refuse(_):
        raise ValidationError({"name": "That name is taken."})

    assert submit(form, refuse) is None
    assert form.errors["name"] == ["That name is taken."]
