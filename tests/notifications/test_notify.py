"""``notify``: each person told once per key, in the caller's transaction, e-mailed after commit as they chose."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction

from notifications.models import Delivery, Kind, Notification, NotificationPreference
from notifications.services import Told, notify
from outbox.models import OutboxItem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(recipients, key="run-failed:2026-10-01", **fields):
    return notify(
        recipients,
        kind=fields.pop("kind", Kind.RUN_FAILED),
        key=key,
        title=fields.pop("title", "The roll-up for 1 October 2026 failed"),
        url=fields.pop("url", "/learning/reports/"),
        **fields,
    )


def test_each_active_person_is_told_once_and_a_second_call_tells_nobody(
    eager_tasks, django_capture_on_commit_callbacks
):
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    gone = UserFactory(username="gone", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        told = tell([ann, bob, ann, gone, None])
    assert told == Told(sent=2, skipped_already_sent=0)
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["ann", "bob"]
    assert sorted(m.to[0] for m in mail.outbox) == [ann.email, bob.email]

    with django_capture_on_commit_callbacks(execute=True):
        again = tell([ann, bob, gone])
    assert again == Told(sent=0, skipped_already_sent=2)
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2, "nobody is e-mailed twice"


def test_a_new_key_is_told_again(eager_tasks, django_capture_on_commit_callbacks):
    ann = UserFactory(username="ann")
    with django_capture_on_commit_callbacks(execute=True):
        tell([ann], key="run-failed:2026-10-01")
        tell([ann], key="run-failed:2026-10-02")
    assert Notification.objects.filter(recipient=ann).count() == 2
    assert len(mail.outbox) == 2


def test_nothing_is_told_or_e_mailed_if_the_callers_change_rolls_back(
    eager_tasks, django_capture_on_commit_callbacks
):
    ann = UserFactory(username="ann")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        tell([ann])
        raise RuntimeError("the change fails")
    assert not Notification.objects.exists()
    assert not OutboxItem.objects.exists()
    assert mail.outbox == []


def test_the_e_mail_waits_for_the_commit(eager_tasks, django_capture_on_commit_callbacks):
    ann = UserFactory(username="ann")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([ann])
    assert mail.outbox == [], "nothing goes before the caller's change is committed"
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == [ann.email]
    assert Notification.objects.get().emailed_at is not None


def test_only_those_who_chose_at_once_are_e_mailed_at_once(eager_tasks, django_capture_on_commit_callbacks):
    default, daily, none = (UserFactory(username=name) for name in ("default", "daily", "none"))
    no_address = UserFactory(username="no-address", email="")
    NotificationPreference.objects.create(user=daily, kind=Kind.RUN_FAILED, delivery=Delivery.DAILY)
    NotificationPreference.objects.create(user=none, kind=Kind.RUN_FAILED, delivery=Delivery.NONE)
    # A choice for another kind changes nothing for this one.
    NotificationPreference.objects.create(user=default, kind=Kind.FIGURES_DUE, delivery=Delivery.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        told = tell([default, daily, none, no_address])
    assert told.sent == 4, "everyone sees it in the portal"
    assert [m.to for m in mail.outbox] == [[default.email]]
    assert OutboxItem.objects.count() == 1


def test_a_constant_number_of_queries_however_many_are_told(django_assert_max_num_queries):
    few = [UserFactory(username=f"few{n}", email="") for n in range(2)]
    many = [UserFactory(username=f"many{n}", email="") for n in range(40)]
    with django_assert_max_num_queries(4):  # savepoint, people, insert, release
        assert tell(few).sent == 2
    with django_assert_max_num_queries(4):
        assert tell(many).sent == 40


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/", "//evil.example/x", "learning/", "/x" * 300, "/\\evil.example"],
)
def test_a_url_is_a_path_on_this_site(url):
    with pytest.raises(ValueError):
        tell([UserFactory()], url=url)


def test_an_unknown_kind_or_an_overlong_key_is_refused():
    with pytest.raises(ValueError):
        tell([UserFactory()], kind="something_else")
    with pytest.raises(ValueError):
        tell([UserFactory()], key="k" * 201)


def test_more_people_than_one_statement_holds_are_all_told_once(django_assert_max_num_queries):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"many{n}", email="") for n in range(1100)])
    people = list(User.objects.filter(username__startswith="many"))
    with django_assert_max_num_queries(6):  # savepoint, people, three inserts of 500 at most, release
        assert tell(people).sent == 1100
    assert tell(people) == Told(sent=0, skipped_already_sent=1100)
