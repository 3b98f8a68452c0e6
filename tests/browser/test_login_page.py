"""The login page: accessible, and it lets a user in (and keeps a wrong password out)."""

from urllib.parse import urlparse

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

PASSWORD = "correct-horse-battery-staple"


def log_out_control(page):
    return page.get_by_role("button", name="Log out").or_(page.get_by_role("link", name="Log out"))


def test_login_page_signs_a_user_in(page, visit, log_in):
    get_user_model().objects.create_user(username="staff-test", password=PASSWORD)

    visit("/accounts/login/")
    assert "Hub Portal" in page.title()

    log_in("staff-test", PASSWORD)
    assert urlparse(page.url).path == "/"
    expect(log_out_control(page)).to_be_visible()


def test_wrong_password_stays_on_login_page_and_is_accessible(page, visit, log_in, assert_accessible):
    get_user_model().objects.create_user(username="staff-test", password=PASSWORD)

    visit("/accounts/login/")
    log_in("staff-test", "not-the-password")

    assert urlparse(page.url).path == "/accounts/login/"
    expect(log_out_control(page)).to_have_count(0)
    # The error state (NHS error summary) must be as accessible as the empty form.
    assert_accessible()
