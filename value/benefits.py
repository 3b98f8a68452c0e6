"""Reads of the benefits register: each benefit's realised value to date, and totals by kind and unit.

A constant number of queries whatever the number of benefits: the latest realised
value (and the latest signed-off one) come as subquery annotations, and totals are
added up in Python through ``value.returns.total``, which refuses unlike amounts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DateField, DateTimeField, DecimalField, Max, OuterRef, QuerySet, Subquery

from core.disclosure import SMALL_COUNT, is_small_count

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


def _amount_json(value: Decimal) -> str:
    """An exact amount in the report's JSON: a string with two places (a float would not be exact)."""
    return f"{value:.2f}"


def expected_vs_realised(end: datetime.datetime) -> list[dict]:
    """Each hub's benefits by kind and unit as they stood just before ``end``: the nightly report's section.

    As of the day, so a report rebuilt for a past day is identical: each benefit's kind,
    unit, expected value and archiving are read from its history as it was before ``end``;
    its realised value is the latest row recorded before ``end`` (rows are never edited),
    and its signed-off value the latest row signed off before ``end``. Archived benefits
    are left out. Amounts are exact strings; kinds and units are never added together.
    """
    historical = Benefit.history.model
    latest_ids = (
        historical.objects.filter(history_date__lt=end)
        .values("id")
        .annotate(last=Max("history_id"))
        .values("last")
    )
    states = {
        row["id"]: row
        for row in historical.objects.filter(history_id__in=Subquery(latest_ids))
        .exclude(history_type="-")
        .filter(archived=False)
        .values("id", "kind", "unit", "expected_value", "adoption__hub__name", "adoption__hub__slug")
    }
    realised: dict[int, Decimal] = {}
    signed_off: dict[int, Decimal] = {}
    rows = (
        RealisedValue.objects.filter(benefit__in=list(states), recorded_at__lt=end)
        .order_by("benefit", "recorded_at", "pk")
        .values_list("benefit", "value", "signed_off_at")
    )
    for benefit, value, signed_at in rows:
        realised[benefit] = value
        if signed_at is not None and signed_at < end:
            signed_off[benefit] = value
    groups: dict[tuple, list[int]] = defaultdict(list)
    for pk, state in states.items():
        key = (state["adoption__hub__name"], state["adoption__hub__slug"], state["kind"], state["unit"])
        groups[key].append(pk)
    order = {kind: index for index, kind in enumerate(Benefit.Kind.values)}
    section = []
    for (hub, slug, kind, unit), pks in sorted(
        groups.items(), key=lambda item: (item[0][0], order[item[0][2]], item[0][3])
    ):

        def summed(values: dict, kind=kind, unit=unit, pks=pks) -> str:
            return _amount_json(total(Amount(kind, unit, values.get(pk, ZERO)) for pk in pks).value)

        section.append(
            {
                "hub": hub,
                "hub_slug": slug,
                "kind": kind,
                "unit": unit,
                "benefits": len(pks),
                "expected": summed({pk: states[pk]["expected_value"] for pk in pks}),
                "realised": summed(realised),
                "signed_off": summed(signed_off),
            }
        )
    return section


def people_disclosed(value: Decimal | str, unit: str) -> Decimal | str:
    """An amount as everyone may read it (the report, its CSV): 1 to 7 people reads "<8" (``core.disclosure``).

    Only counts of people can identify someone; pounds, hours and points stay as they are.
    """
    if unit == Benefit.Unit.PEOPLE and is_small_count(Decimal(value)):
        return SMALL_COUNT
    return value


def amount_text_disclosed(value: Decimal, unit: str) -> str:
    shown = people_disclosed(value, unit)
    return f"{shown} {UNIT_WORDS[unit]}" if shown == SMALL_COUNT else amount_text(value, unit)
