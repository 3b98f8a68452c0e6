import datetime
from decimal import Decimal

import pytest

from value.models import Benefit
from value.services import benefit_add


def add_benefit(adoption, by, **fields):
    """A cash-releasing benefit of £12,000 by the end of next year, unless told otherwise."""
    values = {
        "title": "Fewer outpatient follow-ups",
        "description": "Remote monitoring replaces routine follow-up visits.",
        "kind": Benefit.Kind.CASH_RELEASING,
        "measure": "Follow-up appointments avoided × tariff",
        "indicator": None,
        "expected_value": Decimal("12000.00"),
        "unit": Benefit.Unit.POUNDS,
        "expected_by": datetime.date(datetime.date.today().year + 1, 12, 31),
    }
    values.update(fields)
    return benefit_add(adoption=adoption, by=by, **values)


@pytest.fixture
def benefit(adoption, owner):
    return add_benefit(adoption, owner)
