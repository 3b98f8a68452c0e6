"""A hub's engagement log: the rules on dates and numbers, who may log, the counts per quarter, notes from events."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.concurrency import EditConflict
from core.quarters import quarter_start
from hubs.engagement import counts_by_quarter
from hubs.models import MAX_PEOPLE, EngagementEvent
from hubs.services import engagement_archive, engagement_log, engagement_update
from tests.factories import EngagementEventFactory, LearningNoteFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_WEEK = TODAY - datetime.timedelta(days=7)


def fields(**changes):
    data = {
        "date": LAST_WEEK,
        "kind": "workshop",
        "title": "Blood pressure in community pharmacy",
        "people_reached": 40,
        "people_trained": 12,
        "notes": "",
    }
    return data | changes


def form(**changes):
    data = fields(**changes)
    return {key: ("" if value is None else value) for key, value in data.items()}


class TestRules:
    def test_staff_log_an_event_with_the_organisations_taking_part(self, hub, owner):
        partners = OrganisationFactory.create_batch(2)
        event = engagement_log(hub=hub, by=owner, organisations=partners, **fields())
        assert set(event.organisations.all()) == set(partners)
        assert (event.people_reached, event.people_trained) == (40, 12)
        assert event.history.first().history_user == owner

    def test_a_planned_event_may_lie_ahead_but_counts_no_one(self, hub, owner):
        ahead = TODAY + datetime.timedelta(days=20)
        planned = engagement_log(
            hub=hub, by=owner, **fields(date=ahead, people_reached=None, people_trained=None)
        )
        assert planned.date == ahead
        with pytest.raises(ValidationError) as refused:
            engagement_log(hub=hub, by=owner, **fields(date=ahead, title="Counted too soon"))
        assert "once the event has taken place" in refused.value.message_dict["people_reached"][0]
        assert not EngagementEvent.objects.filter(title="Counted too soon").exists()

    @pytest.mark.parametrize(
        ("changes", "field", "words"),
        [
            (
                {"people_reached": 10, "people_trained": 11},
                "people_trained",
                "no more than the people reached",
            ),
            (
                {"people_reached": None, "people_trained": 3},
                "people_trained",
                "no more than the people reached",
            ),
            ({"people_reached": MAX_PEOPLE + 1}, "people_reached", "less than or equal to"),
            ({"people_reached": -1}, "people_reached", "greater than or equal to 0"),
            ({"date": datetime.date(2001, 1, 1)}, "date", "a year before the hub started"),
            ({"title": "x" * 201}, "title", "at most 200 characters"),
        ],
    )
    def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
        self, hub, owner, changes, field, words
    ):
        with pytest.raises(ValidationError) as refused:
            engagement_log(hub=hub, by=owner, **fields(**changes))
        assert words in " ".join(refused.value.message_dict[field])
        assert not EngagementEvent.objects.exists()

    @pytest.mark.parametrize("who", ["reader", "evaluator_user", "admin_user_ahsn", "public"])
    def test_only_the_hubs_own_staff_log_change_and_archive(self, request, who, hub):
        user = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            engagement_log(hub=hub, by=user, **fields())
        event = EngagementEventFactory(hub=hub, title="Kept")
        with pytest.raises(PermissionDenied):
            engagement_update(event=event, version=event.version, by=user, title="Taken over")
        with pytest.raises(PermissionDenied):
            engagement_archive(event=event, by=user)
        event.refresh_from_db()
        assert (event.title, event.archived) == ("Kept", False)

    def test_a_correction_over_someone_elses_newer_one_is_refused_and_changes_nothing(self, hub, lead, owner):
        event = engagement_log(hub=hub, by=lead, **fields())
        opened_at = event.version
        engagement_update(event=event, version=opened_at, by=owner, people_reached=45)
        with pytest.raises(EditConflict) as refused:
            engagement_update(event=event, version=opened_at, by=lead, people_reached=50)
        assert "Someone else saved this since you opened it" in refused.value.messages[0]
        event.refresh_from_db()
        assert event.people_reached == 45

    def test_a_correction_and_an_archive_keep_the_history(self, hub, lead):
        event = engagement_log(hub=hub, by=lead, **fields())
        engagement_update(
            event=event, version=event.version, by=lead, people_reached=45, reason="Late sign-in sheet"
        )
        engagement_archive(event=event, by=lead, reason="Logged twice")
        event.refresh_from_db()
        assert event.archived and EngagementEvent.objects.filter(pk=event.pk).exists()
        assert [r.people_reached for r in event.history.order_by("history_date")] == [40, 45, 45]
        assert event.history.first().history_change_reason == "Logged twice"


class TestPages:
    def test_everyone_signed_in_reads_the_log_and_the_event(
        self, client, hub, owner, reader, evaluator_user, admin_user_ahsn
    ):
        event = EngagementEventFactory(hub=hub, title="Hypertension case finding")
        for user in (owner, reader, evaluator_user, admin_user_ahsn):
            client.force_login(user)
            log = client.get(reverse("hubs:events", args=[hub.slug])).content.decode()
            assert "Hypertension case finding" in log
            assert ("Log an event" in log) == (user == owner)
            assert client.get(event.get_absolute_url()).status_code == 200

    def test_the_public_is_sent_to_sign_in(self, client, hub):
        event = EngagementEventFactory(hub=hub)
        for url in (reverse("hubs:events", args=[hub.slug]), event.get_absolute_url()):
            assert client.get(url).status_code == 302

    def test_other_staff_get_403_and_a_wrong_hub_address_404(
        self, client, hub, other_hub, owner, reader, evaluator_user
    ):
        event = EngagementEventFactory(hub=hub, title="Kept")
        for user in (reader, evaluator_user):
            client.force_login(user)
            assert client.post(reverse("hubs:event_add", args=[hub.slug]), form()).status_code == 403
            assert (
                client.post(
                    reverse("hubs:event_edit", args=[hub.slug, event.pk]), form(title="X")
                ).status_code
                == 403
            )
            assert client.post(reverse("hubs:event_archive", args=[hub.slug, event.pk])).status_code == 403
        client.force_login(owner)
        assert client.get(reverse("hubs:event", args=[other_hub.slug, event.pk])).status_code == 404
        event.refresh_from_db()
        assert (event.title, event.archived) == ("Kept", False)

    def test_a_hub_member_logs_a_workshop_with_two_partners(self, client, hub, owner):
        partners = OrganisationFactory.create_batch(2)
        client.force_login(owner)
        response = client.post(
            reverse("hubs:event_add", args=[hub.slug]), form() | {"organisations": [p.pk for p in partners]}
        )
        event = EngagementEvent.objects.get()
        assert response.url == event.get_absolute_url()
        page = client.get(event.get_absolute_url()).content.decode()
        assert all(p.name in page for p in partners)

    def test_bad_input_on_the_form_says_so_twice_and_saves_nothing(self, client, hub, owner):
        client.force_login(owner)
        page = client.post(
            reverse("hubs:event_add", args=[hub.slug]), form(people_reached=5, people_trained=9)
        )
        html = page.content.decode()
        assert "nhsuk-error-summary" in html
        assert html.count("no more than the people reached") == 2
        assert not EngagementEvent.objects.exists()

    def test_an_archived_event_leaves_the_log(self, client, hub, owner):
        event = EngagementEventFactory(hub=hub, title="Cancelled roadshow")
        client.force_login(owner)
        assert client.post(reverse("hubs:event_archive", args=[hub.slug, event.pk])).status_code == 302
        assert (
            "Cancelled roadshow" not in client.get(reverse("hubs:events", args=[hub.slug])).content.decode()
        )
        assert "Archived" in client.get(event.get_absolute_url()).content.decode()

    def test_the_event_lists_the_learning_notes_that_name_it(self, client, hub, owner, adoption):
        event = EngagementEventFactory(hub=hub)
        LearningNoteFactory(adoption=adoption, title="Pharmacists want a shared template", event=event)
        LearningNoteFactory(adoption=adoption, title="Unrelated note")
        client.force_login(owner)
        page = client.get(event.get_absolute_url()).content.decode()
        assert "Pharmacists want a shared template" in page
        assert "Unrelated note" not in page

    def test_a_note_can_name_only_its_own_hubs_events(self, client, hub, other_hub, owner, adoption):
        mine = EngagementEventFactory(hub=hub, title="Our workshop")
        theirs = EngagementEventFactory(hub=other_hub, title="Their workshop")
        client.force_login(owner)
        url = reverse("learning:note_add", args=[adoption.pk])
        page = client.get(url).content.decode()
        assert "Our workshop" in page and "Their workshop" not in page
        note = {"kind": "lesson", "cfir_domain": "individuals", "title": "Lesson", "text": "Text"}
        refused = client.post(url, note | {"event": theirs.pk})
        assert refused.status_code == 200 and "nhsuk-error-summary" in refused.content.decode()
        assert client.post(url, note | {"event": mine.pk}).status_code == 302
        written = mine.learning_notes.get()
        assert written.title == "Lesson"
        assert "From the hub's workshop: " in client.get(written.get_absolute_url()).content.decode()


class TestCountsOverTime:
    def test_events_and_people_per_quarter_and_hub_up_to_the_day(self, hub, other_hub):
        day = datetime.date(2025, 8, 15)
        EngagementEventFactory(hub=hub, date=datetime.date(2025, 1, 10), people_reached=30, people_trained=10)
        EngagementEventFactory(hub=hub, date=datetime.date(2025, 2, 20), people_reached=15, people_trained=0)
        EngagementEventFactory(
            hub=other_hub, date=datetime.date(2025, 7, 1), people_reached=8, people_trained=8
        )
        EngagementEventFactory(hub=hub, date=datetime.date(2025, 8, 16), people_reached=99)  # after the day
        EngagementEventFactory(
            hub=hub, date=datetime.date(2025, 3, 1), archived=True
        )  # archived: not counted
        quarters = counts_by_quarter([hub, other_hub], day)
        assert [q.label for q in quarters] == ["Jan–Mar 2025", "Apr–Jun 2025", "Jul–Sep 2025"]
        first, empty, third = quarters
        assert first.start == quarter_start(datetime.date(2025, 1, 10))
        assert [(c.events, c.reached, c.trained) for c in first.by_hub] == [(2, 45, 10), (0, 0, 0)]
        assert empty.total.events == 0
        assert [(c.events, c.reached, c.trained) for c in third.by_hub] == [(0, 0, 0), (1, 8, 8)]

    def test_the_page_shows_a_chart_with_a_title_a_summary_and_a_table(self, client, hub, reader):
        EngagementEventFactory(hub=hub, date=LAST_WEEK, people_reached=25, people_trained=6)
        client.force_login(reader)
        html = client.get(reverse("hubs:network")).content.decode()
        assert "<title" in html and "People reached and trained per quarter, Dorset" in html
        assert "1 events from" in html or "reaching 25 people and training 6" in html
        assert "25 reached" in html and "6 trained" in html
        csv = client.get(reverse("hubs:network_csv", args=["quarters"])).content.decode("utf-8-sig")
        assert ",Dorset,1,25,6" in csv

    def test_queries_do_not_grow_with_events(self, client, hub, other_hub, owner, reader):
        client.force_login(reader)
        EngagementEventFactory(hub=hub)
        urls = [reverse("hubs:network"), reverse("hubs:events", args=[hub.slug])]
        for url in urls:
            client.get(url)
        with CaptureQueriesContext(connection) as few:
            for url in urls:
                client.get(url)
        organisations = OrganisationFactory.create_batch(3)
        for n in range(12):
            event = EngagementEventFactory(
                hub=(hub, other_hub)[n % 2], date=LAST_WEEK - datetime.timedelta(days=40 * n)
            )
            event.organisations.set(organisations)
        with CaptureQueriesContext(connection) as many:
            for url in urls:
                client.get(url)
        assert len(many) == len(few)


def test_the_edit_page_carries_the_version_and_refuses_a_stale_save_keeping_what_was_typed(
    client, hub, lead, owner
):
    event = engagement_log(hub=hub, by=lead, **fields())
    url = reverse("hubs:event_edit", args=[hub.slug, event.pk])
    client.force_login(lead)
    assert f'name="version" value="{event.version}"' in client.get(url).content.decode()
    engagement_update(event=event, version=event.version, by=owner, title="Renamed by a colleague")
    posted = {
        "date": event.date.isoformat(), "kind": event.kind, "title": "My own title",
        "people_reached": event.people_reached, "people_trained": event.people_trained,
        "version": event.version,
    }  # fmt: skip
    page = client.post(url, posted)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Someone else saved this since you opened it" in html and "My own title" in html
    event.refresh_from_db()
    assert event.title == "Renamed by a colleague"
