"""What the load test's clients and its runner share, without Locust or Django: tested on its own.

- ``form_inputs``/``csrf_token``: read a page's form the way a browser would post it.
- ``Write`` and ``lost_writes``: each figure a client was told was saved, and the count of
  those the database no longer holds when no later save could have replaced them.
- ``percentile`` and ``page_stats``: nearest-rank percentiles of the timings per page.
"""

from __future__ import annotations

import html
import math
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

# -- Reading pages ------------------------------------------------------------------------------

INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+)))?')
CSRF = re.compile(
    r'name="csrfmiddlewaretoken"\s+value="([^"]+)"|value="([^"]+)"\s+name="csrfmiddlewaretoken"'
)


def input_attributes(tag: str) -> dict[str, str]:
    """The attributes of one ``<input …>`` tag, unescaped; a bare attribute (``checked``) maps to ""."""
    attributes = {}
    for name, double, single, bare in ATTRIBUTE.findall(tag[len("<input") :].rstrip("/>")):
        attributes[name.lower()] = html.unescape(double or single or bare or "")
    return attributes


def form_inputs(page: str) -> dict[str, str]:
    """Every named text or hidden input of the page, with its value as the browser would send it.

    Checkboxes and radios are left out (the scenario chooses those itself), as are buttons.
    """
    inputs = {}
    for tag in INPUT.findall(page):
        attributes = input_attributes(tag)
        kind = attributes.get("type", "text").lower()
        name = attributes.get("name")
        if name and kind in ("text", "hidden", "number"):
            inputs[name] = attributes.get("value", "")
    return inputs


def checkbox_values(page: str, name: str) -> list[str]:
    """The values offered by the checkboxes (or radios) called ``name``."""
    values = []
    for tag in INPUT.findall(page):
        attributes = input_attributes(tag)
        if attributes.get("name") == name and attributes.get("type", "").lower() in ("checkbox", "radio"):
            values.append(attributes.get("value", ""))
    return values


ERROR_SUMMARY = re.compile(r'<div class="nhsuk-error-summary".*?</div>\s*</div>\s*</div>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def error_summary(page: str) -> str:
    """The text of the page's NHS.UK error summary ("" when it has none), for failure messages."""
    match = ERROR_SUMMARY.search(page)
    return " ".join(html.unescape(TAG.sub(" ", match.group(0))).split()) if match else ""


def csrf_token(page: str) -> str | None:
    """The CSRF token a Django form on the page carries, if any."""
    match = CSRF.search(page)
    return html.unescape(match.group(1) or match.group(2)) if match else None


# -- New figures, as the portal allows them ------------------------------------------------------

CELL_INPUT = re.compile(r"^i(\d+)-g(all|\d+)-(value|numerator|denominator|version)$")
# A count of people in one breakdown group (and a percentage's two counts) is at most the month's total.
BOUNDED_PARTS = {"count": ("value",), "percentage": ("numerator", "denominator")}
Cell = tuple[int, int | None]  # indicator id, breakdown group id (None: all people)


def _cell(indicator: str, group: str) -> Cell:
    return (int(indicator), None if group == "all" else int(group))


def open_cells(inputs: Mapping[str, str]) -> list[Cell]:
    """The grid's cells offered for typing (an approved, locked cell has no input)."""
    cells = []
    for name in inputs:
        match = CELL_INPUT.match(name)
        if match and match.group(3) in ("value", "numerator"):
            cells.append(_cell(match.group(1), match.group(2)))
    return cells


LOCKED_CELL = re.compile(r'<span id="id_i(\d+)-g(all|\d+)-(?:value|numerator)"')


def locked_cells(page: str) -> set[Cell]:
    """The grid's approved cells: shown as text, with no input."""
    return {_cell(i, g) for i, g in LOCKED_CELL.findall(page)}


def _whole(text: str | None) -> int | None:
    number = _number(text)
    return None if number is None else int(number)


def _name(cell: Cell, part: str) -> str:
    return f"i{cell[0]}-g{cell[1] or 'all'}-{part}"


def _groups_of(indicator: int, cells: Iterable[Cell]) -> set[Cell]:
    """The indicator's cells for a group (not all people) among these."""
    return {cell for cell in cells if cell[0] == indicator and cell[1] is not None}


def new_figures(
    inputs: dict[str, str],
    kinds: Mapping[int, str],
    chosen: Iterable[Cell],
    rng: random.Random,
    locked: set[Cell] = frozenset(),
) -> list[tuple[int, int | None, dict]]:
    """New figures for ``chosen`` open cells of a month's grid, typed into ``inputs`` as a person would.

    Totals for all people come first, each at least the groups it leaves as they are; then
    each chosen group at most its total as posted: the portal refuses a group's count above
    its month's total. Approved cells (``locked``) show text, not inputs, so their figures are not
    read here: a group of an approved total, and a total with an approved group, are skipped.
    Returns (indicator, group id, figure) for each cell written.
    """
    chosen = set(chosen)
    offered = open_cells(inputs)
    written = []
    for cell in sorted(chosen, key=lambda c: (c[1] is not None, c)):
        indicator, group = cell
        kind = kinds[indicator]
        parts = BOUNDED_PARTS.get(kind, ())
        if group is None:
            if parts and _groups_of(indicator, locked):
                continue  # an approved group: its figure is not read here
            floor = {
                part: max(
                    [
                        _whole(inputs.get(_name(other, part))) or 0
                        for other in _groups_of(indicator, offered)
                        if other not in chosen
                    ]
                    + [0]
                )
                for part in parts
            }
            ceiling = {}
        else:
            if any(_name((indicator, None), part) not in inputs for part in parts):
                continue  # the total is approved and locked: not shown, so not known here
            floor = {}
            ceiling = {part: _whole(inputs[_name((indicator, None), part)]) for part in parts}
        if kind == "percentage":
            low = max(floor.get("denominator", 0), 10)
            top = ceiling.get("denominator")
            denominator = rng.randint(1, top) if top is not None else rng.randint(low, low + 400)
            top_numerator = min(
                denominator, ceiling.get("numerator") if ceiling.get("numerator") is not None else denominator
            )
            numerator = rng.randint(min(floor.get("numerator", 0), top_numerator), top_numerator)
            figure = {"value": None, "numerator": numerator, "denominator": denominator}
        elif kind == "count":
            top = ceiling.get("value")
            low = floor.get("value", 0)
            figure = {"value": str(rng.randint(0, top) if top is not None else rng.randint(low, low + 999))}
        else:
            figure = {"value": f"{rng.randint(0, 9999) / 10:.1f}"}
        figure = {"value": None, "numerator": None, "denominator": None, **figure}
        for part in ("value", "numerator", "denominator"):
            if _name(cell, part) in inputs:
                inputs[_name(cell, part)] = "" if figure[part] is None else str(figure[part])
        written.append((indicator, group, figure))
    return written


# -- Lost writes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One figure a client was told was saved: which cell, what it holds, and when it was saved.

    ``seq`` numbers one client's saves in order (the figures of one save share it); ``sent`` and
    ``acked`` are the wall-clock seconds when the save was sent and when the client was told it
    was saved, on the load generator's clock (one process, one clock).
    """

    client: str
    seq: int
    indicator: int
    period: str  # YYYY-MM-01
    group: int | None  # the breakdown group's id; None for all people
    value: str | None
    numerator: int | None
    denominator: int | None
    sent: float
    acked: float
    via: str = "grid"  # or "upload"

    @property
    def cell(self) -> tuple[int, str, int | None]:
        return (self.indicator, self.period, self.group)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> Write:
        return cls(**data)


# What the database holds for a cell: (value, numerator, denominator), as read through the ORM.
Saved = tuple[Decimal | None, int | None, int | None]


def _number(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def holds(write: Write, saved: Saved | None) -> bool:
    """Whether the database's figure for the cell is the one ``write`` saved."""
    if saved is None:
        return False
    value, numerator, denominator = saved
    expected = _number(write.value)
    same_value = (value is None and expected is None) or (
        value is not None and expected is not None and Decimal(value) == expected
    )
    return same_value and numerator == write.numerator and denominator == write.denominator


def happened_before(first: Write, second: Write) -> bool:
    """``first`` was certainly saved before ``second``: one client's saves in order, or told before sent."""
    if first.client == second.client:
        return first.seq < second.seq
    return first.acked < second.sent


def lost_writes(writes: Iterable[Write], saved: Mapping[tuple, Saved]) -> dict:
    """Count the saves the database does not hold and that nothing later legitimately replaced.

    A write is kept when the database holds its figure; replaced when another save to the same
    cell certainly came after it, or overlapped it in time and is the one the database holds;
    otherwise lost. ``saved`` maps each cell (indicator id, "YYYY-MM-01", group id or None) to
    what the database holds, and lacks cells with no figure.
    """
    by_cell: dict[tuple, list[Write]] = defaultdict(list)
    for write in writes:
        by_cell[write.cell].append(write)
    kept = replaced = 0
    lost: list[dict] = []
    for cell, cell_writes in by_cell.items():
        now = saved.get(cell)
        for write in cell_writes:
            others = [other for other in cell_writes if other is not write]
            if holds(write, now):
                kept += 1
            elif any(happened_before(write, other) for other in others) or any(
                holds(other, now) and not happened_before(other, write) for other in others
            ):
                replaced += 1
            else:
                lost.append({**write.as_dict(), "database": None if now is None else [str(n) for n in now]})
    return {
        "checked": kept + replaced + len(lost),
        "kept": kept,
        "replaced": replaced,
        "lost": len(lost),
        "lost_examples": lost[:10],
    }


# -- Timings ------------------------------------------------------------------------------------


def percentile(times: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of ``times`` (None when there are none)."""
    if not times:
        return None
    ordered = sorted(times)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def page_stats(samples: Iterable[Sequence]) -> dict[str, dict]:
    """Per page from (name, milliseconds, failed, …) samples: requests, errors, p50 and p95 in ms."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for name, milliseconds, failed, *_ in samples:
        times[name].append(milliseconds)
        errors[name] += int(failed)
    return {
        name: {
            "requests": len(times[name]),
            "errors": errors[name],
            "p50_ms": round(percentile(times[name], 0.50), 1),
            "p95_ms": round(percentile(times[name], 0.95), 1),
        }
        for name in sorted(times)
    }
