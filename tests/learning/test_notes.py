"""Barriers, enablers, lessons and adaptations: written by a hub's staff, read by everyone, never unsafe."""

import pytest
from django.urls import reverse

from learning.models import LearningNote
from tests.factories import LearningNoteFactory, member_of

pytestmark = pytest.mark.django_db

GOOD = {
    "kind": "barrier",
    "cfir_domain": "outer_setting",
    "title": "No smartphone, no data",
    "text": "Many older people had **no smartphone**:\n\n- we lent devices\n- we offered calls",
}


def add_url(adoption):
    return reverse("learning:note_add", args=[adoption.pk])


def test_a_member_adds_a_note_that_renders_its_markdown(client, adoption, owner):
    client.force_login(owner)
    response = client.post(add_url(adoption), GOOD)
    note = LearningNote.objects.get()
    assert response.url == reverse("learning:note", args=[note.pk])
    assert (note.author, note.adoption) == (owner, adoption)
    page = client.get(response.url).content.decode()
    assert "<strong>no smartphone</strong>" in page and "<li>we lent devices</li>" in page


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("kind", "Choose whether this is a barrier, an enabler, a lesson or an adaptation."),
        ("cfir_domain", "Choose the CFIR 2.0 domain the note belongs to."),
        ("title", "Enter a title."),
        ("text", "Write the note."),
    ],
)
def test_each_missing_field_is_named_and_nothing_is_saved(client, adoption, owner, field, message):
    client.force_login(owner)
    response = client.post(add_url(adoption), {**GOOD, field: ""})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LearningNote.objects.exists()


def test_nobody_annotates_another_hubs_adoption(client, adoption, reader, evaluator_user):
    for user in (reader, evaluator_user):
        client.force_login(user)
        assert client.get(add_url(adoption)).status_code == 403
        assert client.post(add_url(adoption), GOOD).status_code == 403
    assert not LearningNote.objects.exists()


def test_only_the_author_edits_a_note(client, adoption, owner, hub):
    note = LearningNoteFactory(adoption=adoption, author=owner)
    colleague = member_of(hub, username="colleague")
    client.force_login(colleague)
    response = client.post(reverse("learning:note_edit", args=[note.pk]), {**GOOD, "version": 1})
    assert response.status_code == 403
    note.refresh_from_db()
    assert note.title != GOOD["title"]


def test_the_note_page_lists_every_saved_version(client, adoption, owner):
    note = LearningNoteFactory(adoption=adoption, author=owner, title="First title")
    client.force_login(owner)
    client.post(
        reverse("learning:note_edit", args=[note.pk]), {**GOOD, "title": "Second title", "version": 1}
    )
    page = client.get(reverse("learning:note", args=[note.pk])).content.decode()
    assert page.index("Second title") < page.index("First title")
    assert "(written)" in page
    assert "Title: Second title" in page and "(was First title)" in page  # what the edit changed


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="#" onclick="alert(1)">raw html</a>',
    ],
)
def test_unsafe_markdown_is_neutralised(client, adoption, owner, attack):
    note = LearningNoteFactory(adoption=adoption, author=owner, text=f"Before {attack} after")
    client.force_login(owner)
    page = client.get(reverse("learning:note", args=[note.pk])).content.decode()
    body = page[page.index('class="hp-prose"') :]
    for unsafe in ("<script", "onerror", "onclick", "javascript:", "data:text"):
        assert unsafe not in body
