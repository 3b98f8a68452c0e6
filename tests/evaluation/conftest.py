"""The adoption's indicators that the upload tests send figures for, and its signed-in hub member."""

import pytest

from tests.factories import IndicatorFactory, MetricFactory, percentage_metric


@pytest.fixture
def enrolled(adoption):
    return IndicatorFactory(adoption=adoption, metric=MetricFactory())


@pytest.fixture
def controlled(adoption):
    return IndicatorFactory(adoption=adoption, metric=percentage_metric())


@pytest.fixture
def staff(client, owner, enrolled, controlled):
    client.force_login(owner)
    return client
