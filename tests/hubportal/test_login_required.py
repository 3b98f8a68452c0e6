"""Every page needs a signed-in user, except sign-in, password reset and /healthz."""

import pytest
from django.urls import reverse

from tests.factories import IndicatorFactory, LearningNoteFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/accounts/login/", "/accounts/password_reset/", "/accounts/password_reset/done/", "/healthz"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_open_without_signing_in(client, url):
    assert client.get(url).status_code == 200


def test_every_other_page_sends_the_public_to_sign_in(client, adoption):
    indicator = IndicatorFactory(adoption=adoption)
    measurement = MeasurementFactory(indicator=indicator)
    note = LearningNoteFactory(adoption=adoption)
    private_pages = [
        reverse("home"),
        reverse("hubs:directory"),
        adoption.hub.get_absolute_url(),
        reverse("hubs:edit", args=[adoption.hub.slug]),
        adoption.get_absolute_url(),
        reverse("innovations:adoption_move", args=[adoption.pk]),
        indicator.get_absolute_url(),
        reverse("evaluation:measurement_edit", args=[measurement.pk]),
        reverse("learning:note", args=[note.pk]),
        reverse("learning:note_edit", args=[note.pk]),
        reverse("password_change"),
    ]
    for url in private_pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
