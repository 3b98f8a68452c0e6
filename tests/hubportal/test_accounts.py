"""Sign in, sign out, change and reset a password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_signing_in_and_out(client):
    UserFactory(username="staff-dorset")
    response = client.post(reverse("login"), {"username": "staff-dorset", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client):
    UserFactory(username="staff-dorset")
    response = client.post(reverse("login"), {"username": "staff-dorset", "password": "guess"})
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_by_email_link(client):
    user = UserFactory(username="staff-cambs", email="staff-cambs@example.org")
    response = client.post(reverse("password_reset"), {"email": "staff-cambs@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["staff-cambs@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session value
    new_password = "a brand new passphrase 42"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_change(client):
    user = UserFactory(username="evaluator")
    client.force_login(user)
    new_password = "another long passphrase 7"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_a_password_change_with_a_mismatch_changes_nothing(client):
    user = UserFactory(username="evaluator")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "one long passphrase", "new_password2": "another one"},
    )
    assert response.status_code == 200
    assert "nhsuk-error-summary" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_repeated_failures_lock_that_username_from_that_address(client):
    UserFactory(username="staff-dorset")
    UserFactory(username="staff-bradford")
    for _ in range(5):
        client.post(reverse("login"), {"username": "staff-dorset", "password": "guess"})
    locked = client.post(reverse("login"), {"username": "staff-dorset", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()
    assert client.get(reverse("home")).status_code == 302
    # Someone else signing in from the same address is not locked out.
    response = client.post(reverse("login"), {"username": "staff-bradford", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")


def test_a_new_password_from_the_reset_link_lifts_a_lockout(client):
    user = UserFactory(username="staff-dorset", email="staff-dorset@example.org")
    for _ in range(5):
        client.post(reverse("login"), {"username": "staff-dorset", "password": "guess"})
    assert (
        client.post(reverse("login"), {"username": "staff-dorset", "password": PASSWORD}).status_code == 429
    )

    client.post(reverse("password_reset"), {"email": "staff-dorset@example.org"})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    new_password = "a brand new passphrase 42"
    client.post(client.get(link).url, {"new_password1": new_password, "new_password2": new_password})

    response = client.post(reverse("login"), {"username": "staff-dorset", "password": new_password})
    assert response.status_code == 302 and response.url == reverse("home")
    user.refresh_from_db()
    assert user.check_password(new_password)
