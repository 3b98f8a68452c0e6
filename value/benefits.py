"""Reads of the benefits register: each benefit's realised value to date, and totals by kind and unit.

A constant number of queries whatever the number of benefits: the latest realised
value (and the latest signed-off one) come as subquery annotations, and totals are
added up in Python through ``value.returns.total``, which refuses unlike amounts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DateField, DateTimeField, DecimalField, OuterRef, QuerySet, Subquery

from .models import AMOUNT_DIGITS, AMOUNT_PLACES, Benefit, RealisedValue
from .returns import RETURN_KINDS, Amount, Return, simple_return, total
from .spend import spent

ZERO = Decimal("0.00")


def with_realised(benefits: QuerySet) -> QuerySet:
    """Benefits annotated with their latest realised value, its date, and the latest signed-off value."""
    latest = RealisedValue.objects.filter(benefit=OuterRef("pk")).order_by("-recorded_at", "-pk")
    signed = latest.filter(signed_off_at__isnull=False)
    amount = DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    return benefits.annotate(
        realised_to_date=Subquery(latest.values("value")[:1], output_field=amount),
        realised_as_of=Subquery(latest.values("as_of")[:1], output_field=DateField()),
        realised_signed_off_at=Subquery(latest.values("signed_off_at")[:1], output_field=DateTimeField()),
        signed_off_to_date=Subquery(signed.values("value")[:1], output_field=amount),
    )


@dataclass(frozen=True)
class KindTotal:
    """Benefits of one kind in one unit: how many, expected, realised to date, and signed off."""

    kind: str
    unit: str
    benefits: int
    expected: Amount
    realised: Amount
    signed_off: Amount

    @property
    def kind_label(self) -> str:
        return Benefit.Kind(self.kind).label

    @property
    def unit_label(self) -> str:
        return Benefit.Unit(self.unit).label

    @property
    def in_pounds(self) -> bool:
        return self.unit == Benefit.Unit.POUNDS


def totals_by_kind(benefits) -> list[KindTotal]:
    """Totals of benefits annotated by ``with_realised``, one per kind and unit, in the kinds' order."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for benefit in benefits:
        groups[(benefit.kind, benefit.unit)].append(benefit)
    order = {kind: index for index, kind in enumerate(Benefit.Kind.values)}
    rows = []
    for (kind, unit), members in sorted(groups.items(), key=lambda item: (order[item[0][0]], item[0][1])):

        def amounts(attribute: str, members=members, kind=kind, unit=unit):
            return total(Amount(kind, unit, getattr(b, attribute) or ZERO) for b in members)

        rows.append(
            KindTotal(
                kind=kind,
                unit=unit,
                benefits=len(members),
                expected=amounts("expected_value"),
                realised=amounts("realised_to_date"),
                signed_off=amounts("signed_off_to_date"),
            )
        )
    return rows


def returns_of(totals: list[KindTotal], spend: Decimal | None) -> list[Return]:
    """A return for each kind measured in pounds (cash-releasing, non-cash-releasing), never added together."""
    return [
        simple_return(expected=row.expected, realised=row.realised, spend=spend)
        for row in totals
        if row.kind in RETURN_KINDS and row.in_pounds
    ]


def spend_to_date(*, hub=None, adoption=None) -> Decimal:
    """Approved spend to date (not in kind) of a hub or an adoption, from spend against the award."""
    return spent(hub=hub, adoption=adoption)


UNIT_WORDS = {
    "hours": "hours",
    "bed_days": "bed days",
    "appointments": "appointments",
    "people": "people",
    "percentage_points": "percentage points",
    "score": "score points",
}


def amount_text(value: Decimal | None, unit: str) -> str:
    """An amount as pages, CSV and the report print it, exact: £12,000.50, £12,000, 320 hours."""
    if value is None:
        return "None recorded"
    number = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
    return f"£{number}" if unit == Benefit.Unit.POUNDS else f"{number} {UNIT_WORDS[unit]}"


def per_pound_text(value: Decimal | None) -> str:
    """A return: £1.50 of benefit per £1 spent."""
    return "No approved spend yet" if value is None else f"£{value:,.2f} per £1 spent"
