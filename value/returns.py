"""A simple return: benefit per pound spent, only where both are pounds, never across kinds.

Amounts carry their kind and unit. Adding two amounts of a different kind or unit
is refused (``UnlikeAmounts``): £1 of cash released and £1 of staff time freed are
not the same pound, and 40 bed days are not pounds at all. So a total is always
one kind in one unit, and a return is worked out for each kind measured in pounds
(cash-releasing and non-cash-releasing) on its own, with its caveats stated once, here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

POUNDS = "gbp"
CASH_RELEASING = "cash_releasing"
NON_CASH_RELEASING = "non_cash_releasing"
# The kinds a return is given for: measured in pounds, against pounds spent.
RETURN_KINDS = (CASH_RELEASING, NON_CASH_RELEASING)

CAVEATS = (
    "A simple return: the benefit in pounds divided by the approved spend to date, with no discounting, "
    "no allowance for what would have happened anyway (deadweight) or for benefits shared with others "
    "(attribution). An adoption's return counts only the spend attributed to it; a hub's, all its approved "
    "spend, in kind excluded. Cash-releasing and non-cash-releasing pounds are shown apart and never added: only "
    "cash-releasing savings can be taken out of a budget. Benefits in other units (hours, bed days, "
    "people, quality, experience, equity) have no return here. Realised values are as recorded by the "
    "hub; those not yet signed off may change."
)

PENCE = Decimal("0.01")


class UnlikeAmounts(ValueError):
    """Two amounts of a different kind or unit were to be added."""


@dataclass(frozen=True)
class Amount:
    """An amount of one kind of benefit in one unit, exact."""

    kind: str
    unit: str
    value: Decimal

    def __post_init__(self):
        if isinstance(self.value, float):
            raise TypeError("Amounts are exact decimals, never floats.")

    def __add__(self, other: Amount) -> Amount:
        if not isinstance(other, Amount):
            return NotImplemented
        if (self.kind, self.unit) != (other.kind, other.unit):
            raise UnlikeAmounts(
                f"Cannot add {other.kind} in {other.unit} to {self.kind} in {self.unit}: "
                "they are different kinds or units."
            )
        return Amount(self.kind, self.unit, self.value + other.value)


def total(amounts: Iterable[Amount]) -> Amount | None:
    """The sum of amounts of one kind and unit (None for none); refuses unlike ones."""
    result = None
    for amount in amounts:
        result = amount if result is None else result + amount
    return result


@dataclass(frozen=True)
class Return:
    """Pounds of one kind of benefit per pound spent, expected and realised."""

    kind: str
    expected: Decimal
    realised: Decimal
    spend: Decimal | None  # None: no approved spend to date to divide by

    @property
    def expected_per_pound(self) -> Decimal | None:
        return _per_pound(self.expected, self.spend)

    @property
    def realised_per_pound(self) -> Decimal | None:
        return _per_pound(self.realised, self.spend)


def _per_pound(benefit: Decimal, spend: Decimal | None) -> Decimal | None:
    if not spend or spend <= 0:
        return None
    return (benefit / spend).quantize(PENCE, rounding=ROUND_HALF_UP)


def simple_return(*, expected: Amount, realised: Amount, spend: Decimal | None) -> Return:
    """The return of one kind in pounds against ``spend``; refuses other units and mixed kinds."""
    if expected.unit != POUNDS or expected.kind not in RETURN_KINDS:
        raise UnlikeAmounts(
            f"A return is only given for benefits in pounds, not {expected.kind} in {expected.unit}."
        )
    if (expected.kind, expected.unit) != (realised.kind, realised.unit):
        raise UnlikeAmounts("Expected and realised amounts of a return must be the same kind, in pounds.")
    return Return(kind=expected.kind, expected=expected.value, realised=realised.value, spend=spend)
