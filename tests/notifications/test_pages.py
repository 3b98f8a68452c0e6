"""A person's notifications page, opening one, marking all read, and the header's unread count."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, Notification
from notifications.services import notify
from tests.factories import UserFactory, member_of
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db


def tell(user, n, *, url="/learning/reports/", title=None):
    return notify([user], kind=Kind.RUN_FAILED, key=f"test:{n}", title=title or f"Thing number {n}", url=url)


def header_link(html: str) -> str:
    """The notifications link's text as a screen reader reads it (visually hidden text included)."""
    link = re.search(r'<a class="nhsuk-header__account-link" href="/notifications/">(.*?)</a>', html, re.S)
    assert link, "a signed-in person has a notifications link in the header"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", link[1])).strip()


def test_the_list_shows_ones_own_newest_first_with_unread_marked(client, owner, reader):
    for n, title in enumerate(["Oldest", "Middle", "Newest"]):
        tell(owner, n, title=title)
        Notification.objects.filter(key=f"test:{n}").update(
            created_at=timezone.now() - datetime.timedelta(hours=3 - n)
        )
    Notification.objects.filter(title="Middle").update(read_at=timezone.now())
    tell(reader, 9, title="Someone else's")
    client.force_login(owner)
    page = client.get(reverse("notifications:list")).content.decode()
    assert page.index("Newest") < page.index("Middle") < page.index("Oldest")
    assert "Someone else's" not in page
    assert page.count('<strong class="nhsuk-tag nhsuk-tag--blue">Unread</strong>') == 2
    middle = page[page.index("Middle") - 300 : page.index("Middle")]
    assert "Unread" not in middle, "a read one is not marked unread"
    assert "Mark all as read" in page


def test_the_list_is_paginated(client, owner):
    for n in range(30):
        tell(owner, n)
    client.force_login(owner)
    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert first.count("nhsuk-tag--blue") == 25 and second.count("nhsuk-tag--blue") == 5
    assert "Page 2 of 2" in first


def test_nobody_has_nothing_to_mark(client, owner):
    client.force_login(owner)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "You have no notifications" in page and "Mark all as read" not in page


def test_opening_ones_own_marks_it_read_and_goes_to_its_page(client, owner):
    tell(owner, 1, url="/learning/reports/")
    notification = Notification.objects.get()
    client.force_login(owner)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert (response.status_code, response.url) == (302, "/learning/reports/")
    notification.refresh_from_db()
    assert notification.is_read


def test_another_persons_notification_is_404_and_stays_unread(client, owner, reader, evaluator_user, public):
    tell(owner, 1)
    notification = Notification.objects.get()
    for other in (reader, evaluator_user, member_of(notification.recipient.memberships.get().hub)):
        client.force_login(other)
        assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    notification.refresh_from_db()
    assert not notification.is_read


def test_mark_all_as_read_is_a_post_and_marks_only_ones_own(client, owner, reader):
    for n in range(3):
        tell(owner, n)
    tell(reader, 9)
    client.force_login(owner)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "All your notifications are marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=owner).unread().exists()
    assert Notification.objects.filter(recipient=reader).unread().count() == 1


def test_the_header_says_how_many_are_unread_in_the_links_text(client, owner):
    client.force_login(owner)
    assert header_link(client.get(reverse("notifications:list")).content.decode()) == "Notifications"
    for n in range(3):
        tell(owner, n)
    Notification.objects.filter(key="test:0").update(read_at=timezone.now())
    assert (
        header_link(client.get(reverse("notifications:list")).content.decode()) == "Notifications, 2 unread"
    )


def test_the_public_has_no_notifications_link(client):
    page = client.get(reverse("login")).content.decode()
    assert 'href="/notifications/"' not in page


def queries_for(client, url) -> list[str]:
    warm_todo_count(client)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_list_page_and_the_header_count_cost_the_same_however_many_there_are(client, owner):
    client.force_login(owner)
    list_url = reverse("notifications:list")
    other_page = reverse("learning:summary_list")
    tell(owner, 0)
    few = len(queries_for(client, list_url)), queries_for(client, other_page)
    for n in range(1, 60):
        tell(owner, n)
    many = len(queries_for(client, list_url)), queries_for(client, other_page)
    assert few[0] == many[0], "the list page's queries do not grow with the notifications"
    assert len(few[1]) == len(many[1])
    counts = [sql for sql in many[1] if "notifications_notification" in sql]
    assert len(counts) == 1 and "COUNT(" in counts[0], "the header costs one COUNT query"


def test_a_new_person_with_no_notifications_sees_no_count(client):
    client.force_login(UserFactory())
    assert header_link(client.get(reverse("notifications:list")).content.decode()) == "Notifications"
