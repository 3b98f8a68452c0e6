"""The adoption panels innovations draws on the hub pages: counts in the directory, the list on a hub's page."""

import pytest
from django.urls import reverse

from tests.factories import AdoptionFactory, InnovationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def adoptions(hub, other_hub):
    AdoptionFactory(hub=hub, innovation=InnovationFactory(name="BP@home"))
    AdoptionFactory(hub=hub, innovation=InnovationFactory(name="FeNO testing"))
    AdoptionFactory(
        hub=hub, innovation=InnovationFactory(name="Old pilot"), archived=True, archived_reason="x"
    )
    AdoptionFactory(hub=other_hub, innovation=InnovationFactory(name="Virtual wards"))


def test_the_directory_counts_each_hubs_current_adoptions(client, reader, adoptions):
    client.force_login(reader)
    html = client.get(reverse("hubs:directory")).content.decode()
    dorset, manchester = html[html.index('id="hub-dorset"') :], html[html.index('id="hub-manchester"') :]
    assert "· 2 current adoptions</p>" in dorset[: dorset.index("</p>") + 4]
    assert "· 1 current adoption</p>" in manchester[: manchester.index("</p>") + 4]


def test_a_hub_page_lists_its_own_current_adoptions(client, reader, hub, adoptions):
    client.force_login(reader)
    html = client.get(hub.get_absolute_url()).content.decode()
    assert "BP@home" in html and "FeNO testing" in html
    assert "Old pilot" not in html and "Virtual wards" not in html


def test_a_hub_without_adoptions_says_so(client, reader, other_hub):
    client.force_login(reader)
    assert "No current adoptions." in client.get(other_hub.get_absolute_url()).content.decode()
