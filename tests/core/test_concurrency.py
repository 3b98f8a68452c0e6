"""No lost edits: the second of two saves from the same starting version is refused, and says why."""

import pytest
from django.urls import reverse

from tests.factories import LearningNoteFactory

pytestmark = pytest.mark.django_db


def note_form(**changes):
    return {"kind": "barrier", "cfir_domain": "inner_setting", "title": "Time", "text": "x", **changes}


def test_the_second_of_two_note_edits_is_refused_and_shows_what_changed(client, adoption, owner):
    note = LearningNoteFactory(adoption=adoption, author=owner, title="Time to enrol")
    url = reverse("learning:note_edit", args=[note.pk])
    client.force_login(owner)
    opened_at = client.get(url).context["form"]["version"].value()

    first = client.post(url, note_form(title="Protected time for enrolment", version=opened_at))
    assert first.status_code == 302
    second = client.post(url, note_form(title="A different title", version=opened_at))

    assert second.status_code == 200
    html = second.content.decode()
    assert "Someone else saved this since you opened it" in html
    assert "Title is now “Protected time for enrolment” (was “Time to enrol”)" in html
    note.refresh_from_db()
    assert note.title == "Protected time for enrolment"
    assert note.version == opened_at + 1
    assert note.history.count() == 2  # created, then the first edit: the refused one left no trace


def test_an_edit_from_the_current_version_goes_through(client, adoption, owner):
    note = LearningNoteFactory(adoption=adoption, author=owner)
    url = reverse("learning:note_edit", args=[note.pk])
    client.force_login(owner)
    client.post(url, note_form(title="First", version=1))
    response = client.post(url, note_form(title="Second", version=2))
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.title, note.version) == ("Second", 3)


def test_a_figure_corrected_twice_from_the_same_page_keeps_the_first_correction(client, adoption, owner):
    from tests.factories import IndicatorFactory, MeasurementFactory

    measurement = MeasurementFactory(indicator=IndicatorFactory(adoption=adoption), value=10)
    url = reverse("evaluation:measurement_edit", args=[measurement.pk])
    client.force_login(owner)
    assert client.post(url, {"value": "11", "version": 1}).status_code == 302
    second = client.post(url, {"value": "12", "version": 1})
    assert "Value is now “11.0000” (was “10.0000”)" in second.content.decode()
    measurement.refresh_from_db()
    assert measurement.value == 11


def test_a_figure_reviewed_after_the_form_was_opened_is_not_overwritten(
    client, adoption, owner, evaluator_user
):
    from evaluation.measurements import measurements_review
    from evaluation.models import Measurement
    from tests.factories import IndicatorFactory, MeasurementFactory

    measurement = MeasurementFactory(indicator=IndicatorFactory(adoption=adoption), value=10)
    measurements_review(
        measurements=Measurement.objects.filter(pk=measurement.pk),
        by=evaluator_user,
        approve=False,
        note="Check",
    )
    client.force_login(owner)
    response = client.post(
        reverse("evaluation:measurement_edit", args=[measurement.pk]), {"value": "12", "version": 1}
    )
    assert "Someone else saved this since you opened it" in response.content.decode()
    measurement.refresh_from_db()
    assert (measurement.value, measurement.status) == (10, "returned")


def test_a_refused_edit_keeps_what_the_user_typed_and_can_then_be_saved_on_purpose(client, adoption, owner):
    note = LearningNoteFactory(adoption=adoption, author=owner, title="Time to enrol")
    url = reverse("learning:note_edit", args=[note.pk])
    client.force_login(owner)
    client.post(url, note_form(title="Theirs", version=1))
    refused = client.post(url, note_form(title="Mine", version=1))
    form = refused.context["form"]
    assert form["title"].value() == "Mine"
    assert form["version"].value() == 2  # the page now offers to save over the version it showed
    assert client.post(url, note_form(title="Mine", version=2)).status_code == 302
    note.refresh_from_db()
    assert note.title == "Mine"
