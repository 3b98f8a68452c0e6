"""Each adoption's latest complexity profile in lists, and the reminder in hub staff's to-do list when a check is due."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.todo import Urgency
from hubs.access import roles_of
from innovations import todo
from innovations.complexity import next_check_due
from innovations.services import adoption_archive, adoption_move
from innovations.stages import Stage
from tests.factories import AdoptionFactory, HubFactory, InnovationFactory
from tests.pages import warm_todo_count

from .complexity_data import make_check

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


# The schedule ------------------------------------------------------------------------------------


def test_first_check_3_months_after_the_start_then_6_months_after_each():
    assert next_check_due(datetime.date(2026, 1, 15), None) == datetime.date(2026, 4, 15)
    assert next_check_due(datetime.date(2026, 1, 15), datetime.date(2026, 5, 2)) == datetime.date(2026, 11, 2)
    assert next_check_due(datetime.date(2026, 8, 31), None) == datetime.date(2026, 11, 30)  # no 31 November
    assert next_check_due(datetime.date(2025, 2, 10), datetime.date(2025, 8, 31)) == datetime.date(
        2026, 2, 28
    )


# The to-do list ----------------------------------------------------------------------------------


def items(user):
    return [item for item in todo.todo_items(user, roles_of(user), TODAY) if "complexity check" in item.title]


def test_a_check_overdue_and_a_check_due_soon_are_on_the_hub_staffs_list(hub, owner, lead, reader):
    never = AdoptionFactory(hub=hub, started_on=TODAY - 120 * DAY)  # due 3 months in: overdue
    soon = AdoptionFactory(hub=hub, started_on=TODAY - 700 * DAY)
    make_check(soon, next_check_due(soon.started_on, None))
    make_check(soon, TODAY - 170 * DAY)  # due in about 13 days
    recent = AdoptionFactory(hub=hub, started_on=TODAY - 700 * DAY)
    make_check(recent, TODAY - 30 * DAY)  # not due for 5 months: no item
    for user in (owner, lead):
        listed = items(user)
        assert [(i.title, i.urgency) for i in listed] == [
            (f"{never.innovation.name}: complexity check overdue", Urgency.OVERDUE),
            (f"{soon.innovation.name}: complexity check due", Urgency.DUE),
        ]
        due_on = next_check_due(TODAY - 170 * DAY, TODAY - 170 * DAY)
        assert listed[1].tag == f"Due {due_on.day} {due_on:%B}"
        assert listed[0].url == reverse("innovations:complexity_check_add", args=[never.pk])
        assert "not checked since it started" in listed[0].detail
    assert items(reader) == []  # another hub's staff


def test_a_new_check_takes_the_item_off_the_list(hub, owner):
    adoption = AdoptionFactory(hub=hub, started_on=TODAY - 120 * DAY)
    assert len(items(owner)) == 1
    make_check(adoption, TODAY)
    assert items(owner) == []


def test_archived_and_paused_adoptions_are_not_due(hub, owner):
    archived = AdoptionFactory(hub=hub, started_on=TODAY - 120 * DAY)
    paused = AdoptionFactory(hub=hub, started_on=TODAY - 120 * DAY)
    adoption_archive(adoption=archived, reason="Replaced", by=owner)
    adoption_move(adoption=paused, to_stage=Stage.PAUSED, on=TODAY, reason="Funding gap", by=owner, version=1)
    assert items(owner) == []


def test_the_item_shows_on_the_home_page(client, hub, owner):
    adoption = AdoptionFactory(hub=hub, started_on=TODAY - 120 * DAY)
    client.force_login(owner)
    html = client.get("/").content.decode()
    assert f"{adoption.innovation.name}: complexity check overdue" in html


# The lists ---------------------------------------------------------------------------------------


def add_adoptions(hubs, innovations, start=0):
    """An adoption of each innovation in each hub, each with two checks (the later one the profile shown)."""
    made = []
    for innovation in innovations:
        for hub in hubs:
            adoption = AdoptionFactory(hub=hub, innovation=innovation, started_on=TODAY - 400 * DAY)
            make_check(adoption, TODAY - 300 * DAY, "complex")
            make_check(adoption, TODAY - 100 * DAY, "simple", technology="complex", adopters="complicated")
            made.append(adoption)
    return made


PROFILE = "1 complex, 1 complicated, 5 simple"


def queries(client, url) -> tuple[int, str]:
    warm_todo_count(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        reverse("evaluation:stages"),
        reverse("innovations:catalogue"),
        reverse("innovations:adoption_list") + "?hub=all",
    ],
)
def test_lists_show_each_latest_profile_in_a_fixed_number_of_queries(client, reader, hub, other_hub, url):
    client.force_login(reader)
    innovation = InnovationFactory(status="approved")
    add_adoptions([hub], [innovation])
    few, html = queries(client, url)
    assert html.count(PROFILE) == 1
    assert "The technology: complex" in html and "The adopters (staff, patients, carers): complicated" in html
    assert "7 complex" not in html  # the earlier check is history, not the profile
    add_adoptions([hub, other_hub, HubFactory()], [InnovationFactory(status="approved") for _ in range(3)])
    AdoptionFactory(hub=other_hub, innovation=innovation)  # never checked
    many, html = queries(client, url)
    assert html.count(PROFILE) == 10
    assert "Not checked yet" in html
    assert many == few


def test_the_catalogue_entry_shows_each_hubs_latest_profile(client, reader, hub, other_hub):
    innovation = InnovationFactory(status="approved")
    add_adoptions([hub], [innovation])
    AdoptionFactory(hub=other_hub, innovation=innovation)
    client.force_login(reader)
    few, html = queries(client, reverse("innovations:innovation", args=[innovation.slug]))
    assert PROFILE in html and "Not checked yet" in html
    add_adoptions([HubFactory(), HubFactory()], [innovation])
    many, html = queries(client, reverse("innovations:innovation", args=[innovation.slug]))
    assert html.count(PROFILE) == 3
    assert many == few
