"""The simple return: benefit per pound spent, only in pounds, and never adding unlike kinds or units."""

from decimal import Decimal

import pytest

from value.benefits import KindTotal, returns_of
from value.returns import Amount, UnlikeAmounts, simple_return, total

CASH = "cash_releasing"
NON_CASH = "non_cash_releasing"


def test_like_amounts_add_exactly():
    amounts = [Amount(CASH, "gbp", Decimal("0.10")) for _ in range(3)]
    assert total(amounts) == Amount(CASH, "gbp", Decimal("0.30"))
    assert total([]) is None


@pytest.mark.parametrize(
    "other",
    [
        Amount(NON_CASH, "gbp", Decimal("1")),
        Amount(CASH, "hours", Decimal("1")),
        Amount("quality", "score", Decimal(1)),
    ],
)
def test_unlike_kinds_or_units_are_refused(other):
    with pytest.raises(UnlikeAmounts):
        total([Amount(CASH, "gbp", Decimal("1")), other])
    with pytest.raises(UnlikeAmounts):
        Amount(CASH, "gbp", Decimal("1")) + other


def test_floats_are_refused():
    with pytest.raises(TypeError):
        Amount(CASH, "gbp", 0.1)


def test_return_per_pound_spent():
    result = simple_return(
        expected=Amount(CASH, "gbp", Decimal("60000")),
        realised=Amount(CASH, "gbp", Decimal("15000")),
        spend=Decimal("40000"),
    )
    assert result.expected_per_pound == Decimal("1.50")
    assert result.realised_per_pound == Decimal("0.38")  # 0.375 rounds half up


def test_no_spend_gives_no_return_rather_than_infinity():
    result = simple_return(
        expected=Amount(CASH, "gbp", Decimal("1")), realised=Amount(CASH, "gbp", Decimal("0")), spend=None
    )
    assert result.expected_per_pound is None
    zero = simple_return(
        expected=Amount(CASH, "gbp", Decimal("1")),
        realised=Amount(CASH, "gbp", Decimal("0")),
        spend=Decimal(0),
    )
    assert zero.realised_per_pound is None


def test_no_return_for_other_units_or_kinds():
    with pytest.raises(UnlikeAmounts):
        simple_return(
            expected=Amount("capacity_released", "hours", Decimal("1")),
            realised=Amount("capacity_released", "hours", Decimal("1")),
            spend=Decimal("10"),
        )
    with pytest.raises(UnlikeAmounts):
        simple_return(
            expected=Amount("quality", "gbp", Decimal("1")),
            realised=Amount("quality", "gbp", Decimal("1")),
            spend=Decimal("10"),
        )
    with pytest.raises(UnlikeAmounts):
        simple_return(
            expected=Amount(CASH, "gbp", Decimal("1")),
            realised=Amount(NON_CASH, "gbp", Decimal("1")),
            spend=Decimal("10"),
        )


def _row(kind, unit, expected, realised):
    zero = Amount(kind, unit, Decimal(0))
    return KindTotal(
        kind, unit, 1, Amount(kind, unit, Decimal(expected)), Amount(kind, unit, Decimal(realised)), zero
    )


def test_returns_are_per_kind_in_pounds_only():
    rows = [
        _row(CASH, "gbp", "10000", "4000"),
        _row(NON_CASH, "gbp", "30000", "0"),
        _row(NON_CASH, "hours", "800", "100"),
        _row("quality", "percentage_points", "5", "2"),
    ]
    returns = returns_of(rows, Decimal("20000"))
    assert [(r.kind, r.expected_per_pound, r.realised_per_pound) for r in returns] == [
        (CASH, Decimal("0.50"), Decimal("0.20")),
        (NON_CASH, Decimal("1.50"), Decimal("0.00")),
    ]
