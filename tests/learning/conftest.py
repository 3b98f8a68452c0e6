import pytest

from tests.factories import ahsn_admin


@pytest.fixture
def writer(db):
    """The AHSN admin who drafts a summary and sends it for review."""
    return ahsn_admin(username="writer", first_name="Wendy", last_name="Writer")


@pytest.fixture
def reviewer(db):
    """A second AHSN admin, who reviews and publishes it."""
    return ahsn_admin(username="reviewer", first_name="Ravi", last_name="Reviewer")
