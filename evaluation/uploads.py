"""Uploaded CSV and Excel files of monthly figures: read, parse, check, import.

Parsing is pure: a file's bytes in, ``measurements.ProposedFigure``s out, with any
parse error (an unreadable month, a number with letters) already on them. The one
measurement service applies every rule about figures: ``measurements_check`` for
the preview, ``measurements_save`` for the import, all or nothing. What this module
decides itself is only about the file: its format, size, columns and whether it
looks like patient-level data.

Reading is bounded, whatever the file holds: a file of at most ``MAX_BYTES``, read a row at a
time, at most ``ROWS_READ`` rows (blank ones too) and ``MAX_COLUMNS`` columns; workbooks
through ``evaluation.xlsx``, which streams them within limits of its own; every number through
``core.numbers.bounded_number``, which checks its digits and exponent before any arithmetic.
Whatever breaks a limit is a ``FileRefused``, or a row error naming the column, never a hang.

``upload_receive`` and ``upload_import`` are the pipeline the pages call: they decide
whether the work is done in the request (small files) or by a Celery worker
(``evaluation.tasks.check_upload`` / ``import_upload``), which runs the same functions.
Which one is decided by reading the file within a budget of rows and CPU time
(``checked_in_request``), not from a guess at its length.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache, partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.numbers import MAX_NUMBER_CHARS, bounded_number
from hubs.access import require_changeable
from innovations.models import Adoption

from . import flags, measurements, vocabulary, xlsx
from .measurements import ERROR, ProposedFigure
from .models import (
    LARGEST_VALUE,
    LARGEST_WHOLE,
    VALUE_PLACES,
    BreakdownDimension,
    BreakdownGroup,
    Indicator,
    MeasurementUpload,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
ROWS_READ = 2 * MAX_ROWS  # rows read, blank ones too: a file longer than this is refused, unread past it
MAX_COLUMNS = 64  # a cell beyond this column must be empty: the portal uses at most eight
CHECK_IN_REQUEST_ROWS = 2_000  # larger files are checked and imported by a worker
# What the request may spend reading a file to decide, blank rows and all; past it a worker reads the
# file instead. A small file takes a hundredth of either; a refused one is read twice in the request.
REQUEST_ROWS_READ = 10 * CHECK_IN_REQUEST_ROWS
REQUEST_SECONDS = 0.5
SHOWN_CHARS = 40  # of what a cell holds, quoted in a message or the preview
PROGRESS_EVERY = 1_000
ERROR_ROWS_LISTED = 1_000
OTHER_ROWS_LISTED = 200
FLAGS_LISTED = 200
EXTENSIONS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}

# The template's columns; a file may have ``imd_quintile`` too, as files made before other breakdowns did.
TEMPLATE_COLUMNS = ("metric", "month", "breakdown", "group", "value", "numerator", "denominator")
COLUMNS = (*TEMPLATE_COLUMNS[:4], "imd_quintile", *TEMPLATE_COLUMNS[4:])
COLUMN_LIST = ", ".join(TEMPLATE_COLUMNS)


@dataclass(frozen=True)
class Column:
    """A column as the upload page documents it."""

    name: str
    required: str
    meaning: str
    example: str


COLUMN_DOCS = (
    Column("metric", "Yes", "The metric's code: one of this adoption's indicators.", "people-enrolled"),
    Column(
        "month",
        "Yes",
        "The month measured: YYYY-MM, a date in that month (day/month/year), or an Excel date.",
        "2025-03",
    ),
    Column(
        "breakdown",
        "No",
        "Blank for all people; else the breakdown the group is of, by its code or name (listed below). "
        "May be left out when the group's name is enough.",
        "ethnic-group",
    ),
    Column(
        "group",
        "With a breakdown",
        "Blank for all people; else the group the figure is for, by its code or name (listed below).",
        "white",
    ),
    Column(
        "imd_quintile",
        "No",
        "As files made before other breakdowns had it: the IMD quintile from 1 (most deprived) to 5, "
        "instead of a breakdown and a group.",
        "1",
    ),
    Column("value", "For counts, rates, amounts", "The figure, in the metric's unit.", "1,250"),
    Column("numerator", "For percentages", "How many met the measure: a whole number.", "45"),
    Column("denominator", "For percentages", "Out of how many: a whole number above zero.", "60"),
)

NOT_UTF8 = "The file is not UTF-8 text: save it as 'CSV UTF-8' and try again."
AGGREGATE_ONLY = (
    "The portal holds aggregate figures only (monthly counts and totals), never data about "
    "individual patients, so a file with NHS numbers, dates of birth or postcodes is refused "
    "and not kept. Remove them and upload the monthly totals."
)
# Column names that say "one row per patient": NHS or CHI numbers, dates of birth, postcodes, names, addresses.
IDENTIFIER_COLUMN = re.compile(
    r"nhs_?(number|no|num|id)|^nhs$|chi_?(number|no)|patient_?(id|name|number)|date_?of_?birth|birth_?date"
    r"|^dob$|d_o_b|post_?code|postal_?code|^zip|address|first_?name|forename|surname|full_?name"
)
NHS_NUMBER = re.compile(r"^\d{3}[ -]?\d{3}[ -]?\d{4}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)
THOUSANDS = re.compile(r"^(-?\d{1,3})([,\s])\d{3}(?:\2\d{3})*(?:\.\d+)?$")


class FileRefused(Exception):
    """The file as a whole cannot be taken; ``message`` says why, in words for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------
# The file: kind, size, cells
# --------------------------------------------------------------------------------------


def file_kind(file_name: str) -> str:
    """ "csv" or "xlsx", from the name's extension; anything else is refused."""
    name = file_name.lower()
    for extension, kind in EXTENSIONS.items():
        if name.endswith(extension):
            return kind
    if name.endswith((".xls", ".xlsm", ".ods", ".numbers")):
        raise FileRefused(
            "Save the spreadsheet as an Excel Workbook (.xlsx) or as 'CSV UTF-8', then upload that."
        )
    raise FileRefused("Choose a CSV (.csv) or Excel (.xlsx) file.")


def refuse_if_too_big(size: int, limit: int | None = None) -> None:
    """Checked before a byte is read: a file over the limit is never parsed."""
    limit = MAX_BYTES if limit is None else limit
    if size > limit:
        raise FileRefused(
            f"The file is {size / 1024 / 1024:.1f} MB: the most one upload can take is "
            f"{limit / 1024 / 1024:g} MB. Split it into smaller files."
        )


def refuse_if_too_many_rows(rows: int, limit: int | None = None) -> None:
    limit = MAX_ROWS if limit is None else limit
    if rows > limit:
        raise FileRefused(
            f"The file has {rows:,} rows of figures: the most one upload can take is "
            f"{limit:,}. Split it into smaller files."
        )


class OverBudget(Exception):
    """Reading the file in the request has taken its budget: a worker reads it instead."""


class Budget:
    """CPU time a reader may spend (this thread's, so a busy machine does not make it shorter)."""

    def __init__(self, seconds: float):
        self.deadline = time.thread_time() + seconds

    def check(self) -> None:
        if time.thread_time() > self.deadline:
            raise OverBudget


UTF16_WITHOUT_BOM = (
    "The file looks like UTF-16 text ('Unicode Text') without the mark at its start that says so: "
    "save it as 'CSV UTF-8' and try again."
)


def line_of(text: str | bytes, position: int) -> int:
    """The line ``position`` is on, whichever line endings the file uses: \\r\\n, \\n or \\r alone."""
    cr, lf = ("\r", "\n") if isinstance(text, str) else (b"\r", b"\n")
    return text.count(lf, 0, position) + text.count(cr, 0, position) - text.count(cr + lf, 0, position) + 1


def _looks_like_utf16(content: bytes) -> bool:
    """Text in UTF-16 has a zero byte in every other place, where it is mostly Latin letters and digits."""
    sample = content[:2000]
    pairs = len(sample) // 2
    return pairs > 0 and max(sample[0::2].count(0), sample[1::2].count(0)) >= pairs / 2


def _refuse_nul(text: str | bytes, position: int) -> FileRefused:
    return FileRefused(
        f"Line {line_of(text, position)} holds a NUL character, which a file of figures never has: the file "
        "may be damaged, or not a CSV file. Save it as 'CSV UTF-8' and try again."
    )


def decode(content: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), or UTF-16 with one; anything else is refused.

    So is a NUL character, which no text file of figures holds (the database could not
    keep it in a message either), and of which UTF-16 without its byte-order mark is full.
    """
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRefused(NOT_UTF8) from exc
    else:
        nul = content.find(b"\x00")
        if nul >= 0:
            raise FileRefused(UTF16_WITHOUT_BOM) if _looks_like_utf16(content) else _refuse_nul(content, nul)
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = line_of(content, exc.start)
            raise FileRefused(
                f"{NOT_UTF8} (The first character that is not UTF-8 is on line {line}.)"
            ) from exc
    nul = text.find("\x00")
    if nul >= 0:
        raise _refuse_nul(text, nul)
    return text


FIRST_TEXT = re.compile(r"\S")
LINE_END = re.compile(r"[\r\n]")


def delimiter_of(text: str) -> str:
    """The separator the header line uses most: ``,`` (UK Excel), ``;`` (much of Europe) or a tab."""
    first = FIRST_TEXT.search(text)  # the header is the first line with anything on it
    if not first:
        return ","
    start = max(text.rfind("\n", 0, first.start()), text.rfind("\r", 0, first.start())) + 1
    end = LINE_END.search(text, first.start())
    header = text[start : end.start() if end else len(text)]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _beyond_columns(number: int, column: int) -> FileRefused:
    return FileRefused(
        f"Row {number} has something in column {column}: an upload reads only the first {MAX_COLUMNS} "
        f"columns, and uses six. The columns must be: {COLUMN_LIST}."
    )


ROW_CHARS = 64 * 1024  # a row of figures is a few dozen characters; a cell may hold 32,767
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


class _Lines:
    """The text's lines, with their endings, for ``csv.reader``: at most ``ROW_CHARS`` to a row.

    The csv module builds a whole row before handing it over, so a row of ten million commas
    would be a list of ten million cells: the row is refused as it is read instead.
    """

    def __init__(self, text: str):
        self.lines = LINE.finditer(text)
        self.line = 0
        self.row_chars = 0  # read since the last row was handed over

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines).group()
        self.line += 1
        self.row_chars += len(line)
        if self.row_chars > ROW_CHARS:
            raise FileRefused(
                f"The row ending on line {self.line} is more than {ROW_CHARS:,} characters long, where a row of "
                "figures takes a few dozen: the file may not be a CSV file of figures. Save it as 'CSV UTF-8' "
                "and try again."
            )
        return line


def csv_rows(content: bytes) -> Iterator[tuple[int, list]]:
    """(row number, cells): row 1 is the file's first line, as a spreadsheet would number it.

    Lines may end in \\r\\n, \\n or \\r alone. A row is at most ``ROW_CHARS`` long; cells beyond
    ``MAX_COLUMNS`` must be empty and are dropped, so what follows handles at most that many.
    """
    text = decode(content)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter_of(text))
    try:
        for number, cells in enumerate(reader, start=1):
            lines.row_chars = 0
            if len(cells) > MAX_COLUMNS:
                extra = enumerate(cells[MAX_COLUMNS:], start=MAX_COLUMNS + 1)
                column = next((column for column, cell in extra if cell.strip()), None)
                if column:
                    raise _beyond_columns(number, column)
                del cells[MAX_COLUMNS:]
            if any(len(cell) > xlsx.CELL_CHARS for cell in cells):
                raise FileRefused(
                    f"Row {number} has a cell of more than {xlsx.CELL_CHARS:,} characters, more than a figure "
                    "or a spreadsheet's cell can hold: the file may not be a file of figures."
                )
            yield number, cells
    except csv.Error as exc:
        raise FileRefused(
            f"The file could not be read as CSV near line {reader.line_num}: {exc}. Save it as 'CSV UTF-8' and try again."
        ) from exc


def xlsx_rows(content: bytes, budget: Budget | None = None) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the workbook's first sheet: dates as dates, numbers as numbers.

    Streamed by ``evaluation.xlsx`` within its limits; ``budget``, if given, is checked after
    each 64 KB of XML read.
    """
    try:
        yield from xlsx.sheet_rows(
            content, max_columns=MAX_COLUMNS, on_chunk=budget.check if budget else None
        )
    except xlsx.Refused as refused:
        raise FileRefused(refused.message) from None


def read_cells(file_name: str, content: bytes, budget: Budget | None = None) -> Iterator[tuple[int, list]]:
    """Every row of the file as read, blank ones too, up to ``ROWS_READ``; ``budget`` is checked as it goes."""
    rows = xlsx_rows(content, budget) if file_kind(file_name) == "xlsx" else csv_rows(content)
    for read, row in enumerate(rows, start=1):
        if read > ROWS_READ:
            raise FileRefused(
                f"The file has more than {ROWS_READ:,} rows, counting empty ones: the most one upload can "
                f"take is {MAX_ROWS:,} rows of figures. Delete any empty rows below the figures, or split "
                "the file into smaller ones."
            )
        if budget and read % 1000 == 0:
            budget.check()
        yield row


# --------------------------------------------------------------------------------------
# Cells: text, numbers, months
# --------------------------------------------------------------------------------------


def is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def shown(cell) -> str:
    """A cell as the person typed it, for messages."""
    if cell is None:
        return ""
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time() else cell.isoformat(sep=" ")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def brief(text: str) -> str:
    """Text as a message quotes it: whole, or its start if it is long (a cell can hold 32,767 characters)."""
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def column_name(cell) -> str:
    """Header names are matched without case, spaces or hyphens: "IMD quintile" is imd_quintile."""
    return re.sub(r"[\s\-]+", "_", shown(cell).lower().lstrip("\ufeff")).strip("_")


def _nhs_number_check_digit_ok(digits: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def looks_like_patient_identifier(cell) -> str | None:
    """ "an NHS number" or "a postcode" when the cell looks like one, else None."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int | float):
        if isinstance(cell, float) and not cell.is_integer():
            return None
        cell = str(int(cell))
    elif not isinstance(cell, str):
        return None
    text = cell.strip()
    if 10 <= len(text) <= 12 and NHS_NUMBER.match(text):
        digits = re.sub(r"\D", "", text)
        if _nhs_number_check_digit_ok(digits):
            return "an NHS number"
    if 5 <= len(text) <= 8 and text[0].isalpha() and POSTCODE.match(text):
        return "a postcode"
    return None


def parse_decimal(cell, column: str) -> Decimal | None:
    """A number from a cell: "1,234", "1 234", "£1,234.50" and Excel numbers; None when blank.

    At most 15 significant digits and what the column holds (``LARGEST_VALUE``, four decimal
    places), checked before any arithmetic: "1E+999999999" is refused, naming the column.
    """
    return _number(cell, column, places=VALUE_PLACES, largest=LARGEST_VALUE)


def parse_whole(cell, column: str) -> int | None:
    """A whole number from a cell, at most ``LARGEST_WHOLE`` (what a numerator's column holds); None when blank."""
    number = _number(cell, column, places=0, largest=LARGEST_WHOLE)
    return None if number is None else int(number)


def _number(cell, column: str, *, places: int, largest: Decimal | int) -> Decimal | None:
    if type(cell) is str:  # every cell of a CSV file
        text = cell.strip()
        if not text:
            return None
    elif cell is None:
        return None
    elif isinstance(cell, bool | datetime.date | datetime.time) or (
        isinstance(cell, float) and not math.isfinite(cell)
    ):
        raise ValueError(f"{column}: '{brief(shown(cell))}' is not a number.")
    else:
        # A float as Excel keeps it, to 15 significant digits (0.1 + 0.2 is 0.3 there, not
        # 0.30000000000000004); an int from a workbook is at most 40 digits long (evaluation.xlsx).
        text = format(cell, ".15g") if isinstance(cell, float) else str(cell)
    if len(text) > 2 * MAX_NUMBER_CHARS:  # refused at once, and not kept in the cache
        return _number_from_text.__wrapped__(text, column, places, largest)
    return _number_from_text(text, column, places, largest)


@lru_cache(maxsize=4096)
def _number_from_text(text: str, column: str, places: int, largest: Decimal | int) -> Decimal:
    number = text.removeprefix("£").replace("\u00a0", " ").replace("\u202f", " ").strip()
    grouped = THOUSANDS.match(number)
    if grouped:
        number = number.replace(grouped.group(2), "")
    elif "," in number:
        raise ValueError(
            f"{column}: '{brief(text)}' is not a number: use a full stop for decimals (12.5), and commas only between thousands (1,234)."
        )
    return bounded_number(number, name=column, places=places, largest=largest, shown=text)


def parse_month(cell) -> datetime.date | None:
    """The first day of the month a cell names: "2025-03", "2025-03-14", "14/03/2025", "Mar 2025" or an Excel date."""
    if is_blank(cell):
        return None
    if isinstance(cell, datetime.datetime):
        return cell.date().replace(day=1)
    if isinstance(cell, datetime.date):
        return cell.replace(day=1)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        raise ValueError(
            f"month: '{shown(cell)}' is a number, not a month: format the cell as a date, or write it as YYYY-MM."
        )
    text = str(cell).strip()
    if len(text) > 40:  # no month is written this long; not kept in the cache either
        raise ValueError(f"month: '{brief(text)}' is not a month: write it as YYYY-MM, for example 2025-03.")
    return _month_from_text(text)


MONTH_PATTERNS = (
    (re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?(?:[ T]00:00(?::00)?)?$"), (1, 2)),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 2)),  # day/month/year, as in the UK
    (re.compile(r"^(\d{1,2})/(\d{4})$"), (2, 1)),
)


@lru_cache(maxsize=1024)
def _month_from_text(text: str) -> datetime.date:
    for pattern, (year, month) in MONTH_PATTERNS:
        found = pattern.match(text)
        if found:
            try:
                return datetime.date(int(found.group(year)), int(found.group(month)), 1)
            except ValueError:
                break
    else:
        for layout in ("%b %Y", "%B %Y", "%b-%Y", "%B-%Y", "%b-%y"):
            try:
                return datetime.datetime.strptime(text, layout).date().replace(day=1)
            except ValueError:
                continue
    raise ValueError(f"month: '{text}' is not a month: write it as YYYY-MM, for example 2025-03.")


def parse_quintile(cell) -> int | None:
    try:
        quintile = parse_whole(cell, "imd_quintile")
    except ValueError:
        quintile = 0
    if quintile is not None and not 1 <= quintile <= 5:
        raise ValueError(
            f"imd_quintile: '{brief(shown(cell))}' is not a quintile: leave it blank for all people, "
            "or give a whole number from 1 (most deprived) to 5."
        )
    return quintile


def _name_key(text: str) -> str:
    """A code or name as files are matched by it: any case, any spacing ("Ethnic  group" is "ethnic group")."""
    return " ".join(text.lower().split())


class GroupFinder:
    """The breakdown groups a hub's file may name, found by code or name: the national ones and the hub's own.

    Another hub's own groups are not among them, so a file naming one is told it is unknown.
    Archived groups are, so a saved figure for one can still be corrected (the measurement
    service refuses a new one). Built from one query.
    """

    def __init__(self, groups: Iterable[BreakdownGroup] = ()):
        self.dimensions: dict[str, BreakdownDimension] = {}
        self.by_dimension: dict[int, dict[str, BreakdownGroup]] = defaultdict(dict)
        self.anywhere: dict[str, list[BreakdownGroup]] = defaultdict(list)
        self.imd: dict[str, BreakdownGroup] = {}
        for group in groups:
            dimension = group.dimension
            for name in (dimension.code, dimension.name):
                self.dimensions[_name_key(name)] = dimension
            for name in {_name_key(group.code), _name_key(group.label), _name_key(str(group))}:
                self.by_dimension[dimension.pk].setdefault(name, group)
                self.anywhere[name].append(group)
            if dimension.code == vocabulary.IMD and group.hub_id is None:
                self.imd[group.code] = group

    @classmethod
    def of_hub(cls, hub_id: int) -> GroupFinder:
        return cls(BreakdownGroup.objects.of_hub(hub_id).select_related("dimension"))

    def codes(self, dimension: BreakdownDimension | None = None) -> str:
        """The codes a message suggests: a dimension's groups', or the dimensions'."""
        if dimension is None:
            found = {d.pk: d.code for d in self.dimensions.values()}
        else:
            found = {g.pk: g.code for g in self.by_dimension[dimension.pk].values()}
        return ", ".join(sorted(set(found.values()))) or "none"

    def find(self, breakdown: str, group: str) -> BreakdownGroup | None:
        """The group named by these cells; None when both are blank. ValueError saying what is wrong."""
        if not group:
            if breakdown:
                raise ValueError(f"group: give the group of the breakdown '{brief(breakdown)}'.")
            return None
        if breakdown:
            dimension = self.dimensions.get(_name_key(breakdown))
            if dimension is None:
                raise ValueError(
                    f"breakdown: '{brief(breakdown)}' is not a breakdown: give one of {self.codes()}."
                )
            found = self.by_dimension[dimension.pk].get(_name_key(group))
            if found is None:
                raise ValueError(
                    f"group: '{brief(group)}' is not a group of {dimension.name} for this hub: "
                    f"give one of {self.codes(dimension)}."
                )
            return found
        candidates = {g.pk: g for g in self.anywhere.get(_name_key(group), [])}
        if not candidates:
            raise ValueError(
                f"group: '{brief(group)}' is not one of this hub's breakdown groups: give its code or "
                "name as the upload page lists them, with the breakdown it is of."
            )
        if len(candidates) > 1:
            names = "; ".join(sorted(str(g) for g in candidates.values()))
            raise ValueError(f"group: '{brief(group)}' could be any of {names}: give the breakdown too.")
        return next(iter(candidates.values()))

    def quintile(self, quintile: int) -> BreakdownGroup:
        """The IMD group of an old file's quintile (1 to 5, read by ``parse_quintile``)."""
        if str(quintile) not in self.imd:
            raise ValueError(f"imd_quintile: there is no IMD quintile {quintile} to give figures for.")
        return self.imd[str(quintile)]


NO_GROUPS = GroupFinder()


# --------------------------------------------------------------------------------------
# Rows to proposed figures
# --------------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    figures: list[ProposedFigure]
    # What was typed, for the rows whose cells could not be read (capped): the preview shows it.
    typed: dict[int, dict[str, str]] = field(default_factory=dict)


def header_columns(cells: Sequence, row_number: int) -> dict[str, int]:
    """Column name → position, or FileRefused saying which column is missing, unknown or personal."""
    names = [column_name(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        if IDENTIFIER_COLUMN.search(name):
            raise FileRefused(
                f"The file has a column '{brief(shown(cells[position]))}', which looks like a patient identifier. "
                + AGGREGATE_ONLY
            )
        if not name:
            raise FileRefused(
                f"Column {position + 1} of the header (row {row_number}) has no name. The columns must be: {COLUMN_LIST}."
            )
        if name in positions:
            raise FileRefused(
                f"The file has two '{brief(name)}' columns. The columns must be: {COLUMN_LIST}."
            )
        if name not in COLUMNS:
            raise FileRefused(
                f"The file has a column '{brief(shown(cells[position]))}' that the portal does not use. The columns must be: {COLUMN_LIST}."
            )
        positions[name] = position
    for required in ("metric", "month"):
        if required not in positions:
            raise FileRefused(f"The file has no '{required}' column. The columns must be: {COLUMN_LIST}.")
    if "value" not in positions and not {"numerator", "denominator"} <= positions.keys():
        missing = (
            "value"
            if not {"numerator", "denominator"} & positions.keys()
            else ("denominator" if "numerator" in positions else "numerator")
        )
        raise FileRefused(f"The file has no '{missing}' column. The columns must be: {COLUMN_LIST}.")
    return positions


def refuse_patient_identifiers(row_number: int, cells: Sequence, names: Sequence[str]) -> None:
    for position, cell in enumerate(cells):
        kind = looks_like_patient_identifier(cell)
        if kind:
            where = f"column '{names[position]}'" if position < len(names) else f"column {position + 1}"
            raise FileRefused(f"Row {row_number}, {where}, holds what looks like {kind}. " + AGGREGATE_ONLY)


# (ProposedFigure attribute, column, reader): what each cell becomes.
CELL_READERS: tuple[tuple[str, str, Callable], ...] = (
    ("period", "month", parse_month),
    ("value", "value", partial(parse_decimal, column="value")),
    ("numerator", "numerator", partial(parse_whole, column="numerator")),
    ("denominator", "denominator", partial(parse_whole, column="denominator")),
)


def group_from_row(cells: dict, groups: GroupFinder) -> BreakdownGroup | None:
    """The row's group: from its breakdown and group cells, or an old file's IMD quintile; None for all people."""
    quintile = parse_quintile(cells.get("imd_quintile"))
    breakdown, group = shown(cells.get("breakdown")), shown(cells.get("group"))
    if quintile is not None:
        if breakdown or group:
            raise ValueError(
                "imd_quintile: give either the IMD quintile, or a breakdown and a group, not both."
            )
        return groups.quintile(quintile)
    return groups.find(breakdown, group)


def figure_from_row(
    row_number: int, cells: dict, indicators: dict[str, Indicator], groups: GroupFinder = NO_GROUPS
) -> ProposedFigure:
    """One row as a proposed figure; what cannot be read becomes an error on it, named by column."""
    figure = ProposedFigure(indicator=None, period=None, row=row_number)
    try:
        figure.group = group_from_row(cells, groups)
    except ValueError as exc:
        figure.add_error("group", str(exc))
    code = shown(cells.get("metric")).lower()
    if not code:
        figure.add_error("indicator", "metric: give the metric's code.")
    elif code not in indicators:
        known = ", ".join(sorted(indicators)) or "none yet"
        figure.add_error(
            "indicator",
            f"metric: '{brief(code)}' is not one of this adoption's indicators (they are: {known}).",
        )
    else:
        figure.indicator = indicators[code]
    for attribute, column, read in CELL_READERS:
        try:
            setattr(figure, attribute, read(cells.get(column)))
        except ValueError as exc:
            figure.add_error(attribute, str(exc))
    if figure.period is None and "period" not in figure.errors:
        figure.add_error("period", "month: give the month, as YYYY-MM.")
    # The database allows a value or a fraction, never both, and the model's own
    # check looks only at the one the metric needs: say so here, row by row.
    fraction = (figure.numerator, figure.denominator)
    unreadable = figure.errors.keys() & {"numerator", "denominator"}  # said already, by column
    if figure.value is not None and fraction != (None, None):
        figure.add_error("value", "Give either a value, or a numerator and a denominator, not both.")
    elif (fraction[0] is None) != (fraction[1] is None) and not unreadable:
        figure.add_error("numerator", "Give both a numerator and a denominator.")
    return figure


def parse(
    file_name: str, content: bytes, indicators: dict[str, Indicator], groups: GroupFinder = NO_GROUPS
) -> ParsedFile:
    """Every non-blank row of the file as a ProposedFigure, or FileRefused for the file as a whole.

    ``indicators`` maps metric codes (lower case) to this adoption's indicators, loaded
    with ``select_related("metric", "adoption")``; ``groups`` finds the groups the hub's
    figures may be given for.
    """
    refuse_if_too_big(len(content))
    rows = read_cells(file_name, content)
    positions: dict[str, int] | None = None
    names: list[str] = []
    parsed = ParsedFile(figures=[])
    data_rows = 0
    for number, cells in rows:
        if all(is_blank(cell) for cell in cells):
            continue  # blank rows anywhere, trailing ones above all, are not figures
        if positions is None:
            positions = header_columns(cells, number)
            names = [column_name(cell) for cell in cells]
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            continue  # only counting now (read_cells stops at ROWS_READ), to say how long the file is
        refuse_patient_identifiers(number, cells, names)
        by_name = {name: cells[pos] if pos < len(cells) else None for name, pos in positions.items()}
        figure = figure_from_row(number, by_name, indicators, groups)
        if len(cells) > len(names) and not all(is_blank(cell) for cell in cells[len(names) :]):
            figure.add_error("row", "This row has cells beyond the header's last column.")
        if figure.errors and len(parsed.typed) < ERROR_ROWS_LISTED:
            parsed.typed[number] = {name: brief(shown(value)) for name, value in by_name.items()}
        parsed.figures.append(figure)
    if positions is None:
        raise FileRefused(f"The file is empty. The columns must be: {COLUMN_LIST}.")
    refuse_if_too_many_rows(data_rows)
    if not parsed.figures:
        raise FileRefused("The file has a header but no rows of figures.")
    return parsed


# --------------------------------------------------------------------------------------
# Checking and importing an upload
# --------------------------------------------------------------------------------------


def indicators_by_code(adoption) -> dict[str, Indicator]:
    rows = Indicator.objects.filter(adoption=adoption).select_related("metric", "adoption")
    return {indicator.metric.code.lower(): indicator for indicator in rows}


def check_in_batches(
    proposed: Sequence[ProposedFigure], *, by, progress: Callable[[int], None] | None = None
) -> list[measurements.Outcome]:
    """``measurements_check``, a few whole months at a time, so a long check can report progress.

    Two figures can only clash (be given twice) within one month, so batches of whole
    months find every clash one call would; outcomes come back in the file's order.
    """
    by_month: dict[datetime.date | None, list[ProposedFigure]] = defaultdict(list)
    for figure in proposed:
        by_month[figure.period].append(figure)
    outcomes: list[measurements.Outcome] = []
    batch: list[ProposedFigure] = []
    months = list(by_month.values())
    for index, month in enumerate(months):
        batch.extend(month)
        if len(batch) >= PROGRESS_EVERY or index == len(months) - 1:
            outcomes.extend(measurements.measurements_check(batch, by=by))
            batch = []
            if progress:
                progress(len(outcomes))
    outcomes.sort(key=lambda outcome: outcome.figure.row or 0)
    return outcomes


def _figure_text(value, numerator, denominator) -> str:
    """A figure as people write it: "1,250", "12.5" or "45 / 60"."""
    if value is not None:
        return f"{value.normalize():,f}"
    if numerator is not None or denominator is not None:
        return f"{numerator if numerator is not None else '?'} / {denominator if denominator is not None else '?'}"
    return ""


def row_listing(outcome: measurements.Outcome, typed: dict[int, dict[str, str]]) -> dict:
    """One row of the preview table: what the file said, what will happen, and why not."""
    figure = outcome.figure
    listing = {"row": figure.row, "status": outcome.status, "messages": outcome.messages}
    if figure.row in typed:
        cells = typed[figure.row]
        figure_text = cells.get("value") or " / ".join(
            filter(None, (cells.get("numerator"), cells.get("denominator")))
        )
        listing.update(
            metric=cells.get("metric", ""),
            month=cells.get("month", ""),
            group=" ".join(
                filter(None, (cells.get("breakdown"), cells.get("group"), cells.get("imd_quintile")))
            ),
            figure=figure_text,
        )
    else:
        listing.update(
            metric=figure.indicator.metric.code if figure.indicator else "",
            month=f"{figure.period:%Y-%m}" if figure.period else "",
            group=str(figure.group) if figure.group else "",
            figure=_figure_text(figure.value, figure.numerator, figure.denominator),
        )
    if outcome.existing is not None and outcome.status != "new":
        existing = outcome.existing
        listing["was"] = _figure_text(existing.value, existing.numerator, existing.denominator)
    return listing


# What checking and importing write: never the file's bytes again.
STATE_FIELDS = ["status", "message", "total_rows", "processed_rows", "counts", "rows", "finished_at"]


def record_outcomes(upload: MeasurementUpload, outcomes: Sequence[measurements.Outcome], typed) -> None:
    """Counts per outcome, and the rows the preview lists: errors first, then the first others."""
    counts = Counter(outcome.status for outcome in outcomes)
    upload.counts = {
        status: counts.get(status, 0)
        for status in (measurements.NEW, measurements.CHANGED, measurements.UNCHANGED, ERROR)
    }
    errors = [o for o in outcomes if o.status == ERROR][:ERROR_ROWS_LISTED]
    others = [o for o in outcomes if o.status != ERROR][:OTHER_ROWS_LISTED]
    upload.rows = [row_listing(outcome, typed) for outcome in (*errors, *others)]
    upload.total_rows = len(outcomes)
    upload.processed_rows = len(outcomes)


def record_flags(upload: MeasurementUpload, outcomes: Sequence[measurements.Outcome]) -> None:
    """The data-quality flags the file's figures would raise, kept in ``counts["flags"]`` for the preview.

    Only for a file that can be imported, and only when it raises any (``{"total": N, "listed":
    [...]}``, the first ``FLAGS_LISTED`` by metric and month). The same detection as the saved
    figures get, against the saved history, for the months in the file: a few queries in all.
    """
    if upload.counts.get(ERROR):
        return
    written = [
        (o.figure, o.existing) for o in outcomes if o.status in (measurements.NEW, measurements.CHANGED)
    ]
    kept = [o.figure for o in outcomes if o.status == measurements.UNCHANGED]
    found = flags.flags_for_figures(written, kept)
    if not found:
        return
    found.sort(key=lambda flagged: (flagged.indicator.metric.name, flagged.found.period, flagged.found.kind))
    upload.counts["flags"] = {
        "total": len(found),
        "listed": [
            {
                "metric": flagged.indicator.metric.name,
                "month": f"{flagged.found.period:%B %Y}",
                "kind": flags.Kind(flagged.found.kind).label,
                "detail": flagged.found.detail,
            }
            for flagged in found[:FLAGS_LISTED]
        ],
    }


def refuse(upload: MeasurementUpload, message: str) -> None:
    """Record why the file was refused and drop its bytes: it will never be imported."""
    upload.status = MeasurementUpload.Status.REFUSED
    upload.message = message
    upload.content = b""
    upload.finished_at = timezone.now()
    upload.save(update_fields=[*STATE_FIELDS, "content"])


def _parse_upload(upload: MeasurementUpload) -> ParsedFile:
    adoption = upload.adoption
    return parse(
        upload.file_name,
        bytes(upload.content),
        indicators_by_code(adoption),
        GroupFinder.of_hub(adoption.hub_id),
    )


def _report_progress(upload: MeasurementUpload) -> Callable[[int], None]:
    def report(done: int) -> None:
        # A statement of its own, outside any transaction of the caller's, so the page sees it.
        MeasurementUpload.objects.filter(pk=upload.pk).update(processed_rows=done)

    return report


def check_upload(upload: MeasurementUpload, *, report_progress: bool = False) -> MeasurementUpload:
    """Read the file and classify every row (new, changed, unchanged, error); write no figure."""
    try:
        parsed = _parse_upload(upload)
    except FileRefused as refused:
        refuse(upload, refused.message)
        return upload
    upload.total_rows = len(parsed.figures)
    if report_progress:
        MeasurementUpload.objects.filter(pk=upload.pk).update(total_rows=upload.total_rows, processed_rows=0)
    outcomes = check_in_batches(
        parsed.figures,
        by=upload.uploaded_by,
        progress=_report_progress(upload) if report_progress else None,
    )
    record_outcomes(upload, outcomes, parsed.typed)
    record_flags(upload, outcomes)
    upload.versions_seen = [
        outcome.existing.version if outcome.existing else measurements.NO_FIGURE_SEEN for outcome in outcomes
    ]
    upload.status = MeasurementUpload.Status.CHECKED
    upload.message = ""
    upload.finished_at = timezone.now()
    upload.save(update_fields=[*STATE_FIELDS, "versions_seen"])
    return upload


def start_import(upload: MeasurementUpload) -> bool:
    """Claim a checked upload without errors for importing; False if it is not (any longer) importable.

    The claim is one conditional UPDATE, so two clicks (or two workers) import once.
    """
    if upload.counts.get(ERROR):
        return False
    claimed = MeasurementUpload.objects.filter(pk=upload.pk, status=MeasurementUpload.Status.CHECKED).update(
        status=MeasurementUpload.Status.IMPORTING, processed_rows=0, message=""
    )
    if claimed:
        upload.status, upload.processed_rows, upload.message = MeasurementUpload.Status.IMPORTING, 0, ""
    return bool(claimed)


def import_upload(upload: MeasurementUpload) -> MeasurementUpload:
    """Save every row's figure in one transaction through ``measurements_save``, or none of them.

    The rows are checked again as they are saved, each against the version of the saved
    figure the preview showed: if someone changed one since, or a row now has an error,
    nothing is saved and the upload goes back to "checked", listing what changed and who
    changed it.
    """
    try:
        parsed = _parse_upload(upload)
    except FileRefused as refused:
        refuse(upload, refused.message)
        return upload
    # The versions the check saw: missing only for a file checked before they were kept.
    if len(upload.versions_seen) == len(parsed.figures):
        for figure, seen in zip(parsed.figures, upload.versions_seen, strict=True):
            figure.opened_at, figure.seen_on = seen, "checked the file"
    try:
        with transaction.atomic():
            locked = MeasurementUpload.objects.select_for_update().only("status").get(pk=upload.pk)
            if locked.status != MeasurementUpload.Status.IMPORTING:
                return upload  # imported (or given up) by another delivery of the same task
            outcomes = measurements.measurements_save(parsed.figures, by=upload.uploaded_by)
            record_outcomes(upload, outcomes, parsed.typed)
            upload.status = MeasurementUpload.Status.IMPORTED
            upload.message = ""
            upload.finished_at = timezone.now()
            upload.save(update_fields=STATE_FIELDS)
    except measurements.FiguresRefused as refused:
        record_outcomes(upload, refused.outcomes, parsed.typed)
        errors = upload.counts[ERROR]
        _back_to_checked(
            upload,
            f"Nothing was imported: since the check, {errors:,} row{'s' if errors != 1 else ''} "
            f"{'have' if errors != 1 else 'has'} come to have errors (someone changed these figures, "
            "or an evaluator approved them). Correct the file and upload it again.",
        )
    except ValidationError as exc:  # another save of the same months got in first
        _back_to_checked(upload, " ".join(exc.messages))
    return upload


def _back_to_checked(upload: MeasurementUpload, message: str) -> None:
    upload.status = MeasurementUpload.Status.CHECKED
    upload.message = message
    upload.finished_at = timezone.now()
    upload.save(update_fields=STATE_FIELDS)


def _in_worker(upload_id: int, expected: str, run: Callable[[MeasurementUpload], object]) -> None:
    upload = MeasurementUpload.objects.select_related("adoption", "uploaded_by").filter(pk=upload_id).first()
    if upload is None or upload.status != expected:
        return  # a second delivery of a task already done
    try:
        run(upload)
    except Exception:
        MeasurementUpload.objects.filter(pk=upload_id).update(
            status=MeasurementUpload.Status.FAILED,
            message="Something went wrong while the file was processed. Nothing was imported; try again.",
            finished_at=timezone.now(),
        )
        raise


def check_upload_by_id(upload_id: int) -> None:
    """What ``tasks.check_upload`` runs: check, reporting progress as it goes."""
    _in_worker(upload_id, MeasurementUpload.Status.CHECKING, lambda u: check_upload(u, report_progress=True))


def import_upload_by_id(upload_id: int) -> None:
    """What ``tasks.import_upload`` runs."""
    _in_worker(upload_id, MeasurementUpload.Status.IMPORTING, import_upload)


def checked_in_request(file_name: str, content: bytes) -> bool:
    """Small files are checked (and imported) while the person waits; large or slow ones by a worker.

    Decided by reading the file, not by guessing from its bytes: within ``REQUEST_SECONDS``
    of CPU time and ``REQUEST_ROWS_READ`` rows, blank or not, a file that ends with at most
    ``CHECK_IN_REQUEST_ROWS`` rows of figures is small, and so is one refused by then
    (checking it in the request says why at once). Anything else, however few bytes it
    has, goes to a worker.
    """
    budget = Budget(REQUEST_SECONDS)
    rows = 0
    try:
        refuse_if_too_big(len(content))
        for read, (_number, cells) in enumerate(read_cells(file_name, content, budget), start=1):
            if not all(is_blank(cell) for cell in cells):
                rows += 1
                if rows > CHECK_IN_REQUEST_ROWS + 1:  # the header, then the figures
                    return False
            if read > REQUEST_ROWS_READ:
                return False
    except OverBudget:
        return False
    except FileRefused:
        return True
    return True


def upload_receive(*, adoption, file_name: str, content: bytes, by) -> MeasurementUpload:
    """Keep an uploaded file and check it: at once if small, else queued for a worker after commit."""
    require_changeable(Adoption.objects, by, adoption, "upload this adoption's figures")
    upload = MeasurementUpload.objects.create(
        adoption=adoption, uploaded_by=by, file_name=file_name[:255], file_size=len(content), content=content
    )
    if checked_in_request(upload.file_name, content):
        check_upload(upload)
    else:
        from . import upload_queue

        upload_queue.queue_check(upload)  # through the outbox: waits if the task queue is down
    return upload


def upload_import(*, upload: MeasurementUpload, by) -> MeasurementUpload:
    """Import a checked upload, all or nothing: at once if small, else queued for a worker after commit.

    Importing is claimed first, so a second click (or a second worker) imports nothing twice.
    """
    require_changeable(Adoption.objects, by, upload.adoption, "import this adoption's figures")
    if not start_import(upload):
        return upload
    # The same decision as the check's: a file that was slow to read goes to a worker, however few its rows.
    if checked_in_request(upload.file_name, bytes(upload.content)):
        return import_upload(
            MeasurementUpload.objects.select_related("adoption", "uploaded_by").get(pk=upload.pk)
        )
    from . import upload_queue

    upload_queue.queue_import(upload)  # through the outbox: waits if the task queue is down
    return upload


def template_rows(indicators: Iterable[Indicator], month: datetime.date) -> list[list[str]]:
    """The template's header and one row per indicator, its figures left for the hub to fill in."""
    return [list(TEMPLATE_COLUMNS)] + [
        [indicator.metric.code, f"{month:%Y-%m}", *[""] * (len(TEMPLATE_COLUMNS) - 2)]
        for indicator in indicators
    ]
