"""One field-by-field diff of history records and one renderer for every history page."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from core.history import EMPTY, FieldChange, HistoryEntry, field_changes, value_text
from innovations.models import Adoption
from innovations.services import adoption_update
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def field(name: str):
    return Adoption._meta.get_field(name)


def test_values_read_as_people_read_them():
    assert value_text(field("stage"), "testing") == "Testing (PDSA cycles)"
    assert value_text(field("lead"), 7, {("lead", 7): "Priya Shah"}) == "Priya Shah"
    assert value_text(field("lead"), 8, {}) == "(since removed)"
    assert value_text(field("started_on"), datetime.date(2025, 3, 4)) == "4 March 2025"
    assert value_text(field("core20"), True) == "Yes"
    assert value_text(field("aims"), "") == EMPTY
    assert value_text(field("aims"), None) == EMPTY


def test_each_record_lists_what_it_changed_in_the_forms_order_with_names(adoption, hub, owner):
    lead = member_of(hub, username="lead", first_name="Priya", last_name="Shah")
    adoption_update(adoption=adoption, by=owner, version=1, lead=lead, aims="Halve missed diagnoses")
    records = list(adoption.history.order_by("history_date", "history_id"))
    changes = field_changes(records, excluded_fields=["clinical_areas"])
    assert changes[0] == []  # the adoption's creation
    assert [(c.label, c.old, c.new) for c in changes[1]] == [
        ("Aims", EMPTY, "Halve missed diagnoses"),
        ("Lead", EMPTY, "Priya Shah"),
    ]
    assert field_changes([]) == []


def render(**context) -> str:
    return render_to_string("core/history.html", context)


def test_the_renderer_shows_who_what_each_change_and_the_whole_reason(owner):
    reason = "The clinic moved.\nThe pathway changed with it. " * 40
    html = render(
        entries=[
            HistoryEntry(
                timezone.now(),
                owner,
                what="Baseline changed",
                why=reason,
                changes=[FieldChange("Target", "70", "80")],
            ),
            HistoryEntry(timezone.now(), None, what="Created"),
        ],
        heading="History of the options",
        no_reason="Not given",
    )
    assert '<h2 id="history-heading">History of the options</h2>' in html
    assert "Baseline changed" in html and "Target: 80" in html and "(was 70)" in html
    assert f"Reason: {reason.strip()}".replace("\n", "<br>") in html  # whole, line breaks kept
    assert "unknown: Created" in html and "Reason: Not given" in html


def test_the_renderer_says_when_there_is_nothing_yet():
    assert "No changes yet." in render(entries=[], empty="No changes yet.")
    assert "No changes recorded." in render(entries=[])
