"""The indicators panel evaluation draws on the adoption page: its indicators, and entry links for its hub."""

import pytest
from django.urls import reverse

from tests.factories import IndicatorFactory, MetricFactory

pytestmark = pytest.mark.django_db


def test_the_adoption_page_lists_its_indicators_with_entry_links_for_its_hub_only(
    client, adoption, owner, reader
):
    reach = IndicatorFactory(adoption=adoption, metric=MetricFactory(code="enrolled", name="People enrolled"))
    IndicatorFactory(metric=MetricFactory(code="elsewhere", name="Another adoption's metric"))
    entry_links = [
        reverse("evaluation:indicators_choose", args=[adoption.pk]),
        reverse("evaluation:figures_grid_latest", args=[adoption.pk]),
        reverse("evaluation:upload", args=[adoption.pk]),
    ]
    client.force_login(owner)
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert f'<a href="{reach.get_absolute_url()}">People enrolled</a>' in html
    assert "Another adoption&#x27;s metric" not in html
    assert all(link in html for link in entry_links)

    client.force_login(reader)  # another hub's member reads the indicators, enters nothing
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert f'<a href="{reach.get_absolute_url()}">People enrolled</a>' in html
    assert not any(link in html for link in entry_links)


def test_an_adoption_without_indicators_says_so(client, adoption, owner):
    client.force_login(owner)
    assert "No indicators chosen yet." in client.get(adoption.get_absolute_url()).content.decode()
