"""The notes panel learning draws on the adoption page: current notes, and an add link for its hub."""

import pytest
from django.urls import reverse

from tests.factories import LearningNoteFactory

pytestmark = pytest.mark.django_db


def test_the_adoption_page_lists_its_current_notes_with_an_add_link_for_its_hub_only(
    client, adoption, owner, reader
):
    note = LearningNoteFactory(adoption=adoption, author=owner, title="Train the nurses first")
    LearningNoteFactory(adoption=adoption, author=owner, title="Withdrawn idea", archived=True)
    LearningNoteFactory(title="Another adoption's lesson")
    add_link = reverse("learning:note_add", args=[adoption.pk])
    client.force_login(owner)
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert f'<a href="{note.get_absolute_url()}">Train the nurses first</a>' in html
    assert "Withdrawn idea" not in html and "Another adoption" not in html
    assert add_link in html

    client.force_login(reader)  # another hub's member reads the notes, adds none here
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert "Train the nurses first" in html
    assert add_link not in html


def test_an_adoption_without_notes_says_so(client, adoption, owner):
    client.force_login(owner)
    assert "No notes yet." in client.get(adoption.get_absolute_url()).content.decode()
