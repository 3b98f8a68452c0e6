"""The first sheet of an Excel workbook (.xlsx), read as it streams, within limits: rows of cell values.

A workbook is a zip of XML parts, and a few hundred kilobytes can unpack to gigabytes
(one 300 MB piece of text; millions of empty rows; a cell in column XFD, which a
general reader pads out to 16,384 cells a row). So nothing here is read whole or
trusted as declared: each part's size is checked as the zip declares it and again
as it unpacks; the XML is parsed a chunk at a time by defusedxml (no DTDs, no
entities), counting elements and text as they arrive; cells beyond the first
``max_columns`` must be empty and are not kept. Whatever breaks a limit, and
whatever is not a workbook, is ``Refused`` with a message for the person who sent it.

Only the parts a sheet of figures needs are read: the relationships to find the
first sheet, the workbook (for its date system), the styles (to tell dates from
numbers) and the shared strings.
"""

from __future__ import annotations

import datetime
import io
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

MB = 1024 * 1024
ZIP_MEMBERS = 1_000  # a workbook Excel writes has a dozen or two
SHEET_BYTES = 64 * MB  # the first sheet or the shared strings, unpacked: 100,000 rows take about 16 MB
PART_BYTES = 16 * MB  # any other part read: relationships, workbook, styles
# XML elements read, in all parts together: reading each costs about a microsecond, and 100,000 rows
# of six cells, two of them text, take 1.5 million (written inline) or 1.3 million (as Excel does).
ELEMENTS = 2_000_000
PART_ELEMENTS = (
    400_000  # in a part other than the sheet and its text (Excel keeps at most 64,000 cell styles)
)
SHARED_STRINGS = 300_000  # three different pieces of text in every row of the largest file of figures
SHARED_STRING_CHARS = 10_000_000  # as much text as the largest CSV file holds
CELL_CHARS = 32_767  # the most Excel itself keeps in a cell
TAG_BYTES = 1 * MB  # between two '>': the XML parser holds a whole tag in memory
# Different element and attribute names, and namespace declarations, in one part: the XML parser
# keeps each for the whole part (a worksheet uses a few dozen).
NAMES = 1_000
CHUNK = 64 * 1024
LAST_ROW = 1_048_576  # Excel's last row

NOT_A_WORKBOOK = (
    "The file could not be opened as an Excel workbook (.xlsx). Save it again from Excel, or as 'CSV UTF-8'."
)
NOT_READABLE = "The workbook could not be read to the end: save it again from Excel, or as 'CSV UTF-8'."
SAVE_SMALLER = "Copy the sheet of figures into a new workbook, or save it as 'CSV UTF-8', and upload that."
OFFICE_DOCUMENT = "/officeDocument"
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
EXCEL_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NUMBER_CHARS = 40  # a number's text longer than this stays text, for the column's reader to refuse


class Refused(Exception):
    """The workbook cannot be read; ``message`` says why, in words for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def column_letters(column: int) -> str:
    """3 is "C", 27 is "AA": as Excel names its columns."""
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _local(name: str) -> str:
    """An element or attribute's name without its namespace: "{http://…/main}row" is "row"."""
    return name.rpartition("}")[2]


def _attribute(attrib: dict, local: str, default: str | None = None) -> str | None:
    """An attribute by its name in whatever namespace: r:id is "id"."""
    if local in attrib:
        return attrib[local]
    return next((value for key, value in attrib.items() if _local(key) == local), default)


def _small_int(text: str | None, digits: int = 9) -> int | None:
    """A whole number written in at most ``digits`` digits, else None: never int() of a long string."""
    if text is None or not (0 < len(text) <= digits and text.isascii() and text.isdigit()):
        return None
    return int(text)


def excel_number(text: str) -> int | float | str:
    """A number cell as Excel wrote it: an int, a float, or (too long, not a number, infinite) the text itself."""
    text = text.strip()
    if len(text) > NUMBER_CHARS or not EXCEL_NUMBER.fullmatch(text):
        return text
    if "." in text or "e" in text or "E" in text:
        number = float(text)
        return number if math.isfinite(number) else text
    return int(text)


# --------------------------------------------------------------------------------------
# What the XML parser calls back, one class per part read
# --------------------------------------------------------------------------------------


class _Part:
    """What the XML parser calls for a part: counts elements and names as they arrive; subclasses keep what they need.

    Called by expat itself (``start(name, attributes)``, ``end``, ``data``), so nothing is
    built per element that is not needed, and no name is kept that is not counted.
    """

    elements_limit = PART_ELEMENTS
    finished = False  # set once what is needed has been read: the rest of the part is never parsed

    def __init__(self) -> None:
        self.elements = 0
        self.local_names: dict[str, str] = {}  # element names as expat gives them, without their namespace
        self.attribute_names: set[str] = set()
        self.namespaces = 0

    def too_many(self) -> Refused:
        return Refused(NOT_READABLE)

    def new_names(self) -> None:
        if len(self.local_names) + len(self.attribute_names) > NAMES:
            raise Refused(NOT_READABLE)

    def start(self, name: str, attrib: dict) -> None:
        if self.finished:  # the rest of the chunk being parsed
            return
        self.elements += 1
        if self.elements > self.elements_limit:
            raise self.too_many()
        local = self.local_names.get(name)
        if local is None:
            local = self.local_names[name] = _local(name)
            self.new_names()
        if attrib and not self.attribute_names.issuperset(attrib):
            self.attribute_names.update(attrib)
            self.new_names()
        self.opened(local, attrib)

    def end(self, name: str) -> None:
        if not self.finished:
            self.closed(self.local_names[name])

    def namespace(self, prefix: str | None, uri: str) -> None:
        self.namespaces += 1
        if self.namespaces > NAMES:
            raise Refused(NOT_READABLE)

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def opened(self, name: str, attrib: dict) -> None:
        pass

    def closed(self, name: str) -> None:
        pass


class _Relationships(_Part):
    """A ``.rels`` part: each relationship's type and target, by id."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, tuple[str, str]] = {}

    def opened(self, name: str, attrib: dict) -> None:
        if name == "Relationship" and attrib.get("TargetMode") != "External":
            self.by_id[attrib.get("Id", "")] = (attrib.get("Type", ""), attrib.get("Target", ""))

    def target_of_type(self, suffix: str) -> str | None:
        return next((target for kind, target in self.by_id.values() if kind.endswith(suffix)), None)


class _Workbook(_Part):
    """workbook.xml: the date system, and the relationship id of the first sheet."""

    def __init__(self) -> None:
        super().__init__()
        self.date1904 = False
        self.first_sheet: str | None = None

    def opened(self, name: str, attrib: dict) -> None:
        if name == "workbookPr":
            self.date1904 = attrib.get("date1904", "").lower() in ("1", "true")
        elif name == "sheet":
            self.first_sheet = _attribute(attrib, "id")
            self.finished = True


class _Styles(_Part):
    """styles.xml: the number format of each cell style, to tell dates from numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.formats: dict[int, str] = {}  # custom number formats by id
        self.cell_formats: list[int | None] = []  # the number format id of each cell style, in order
        self.in_cell_styles = False

    def opened(self, name: str, attrib: dict) -> None:
        if name == "numFmt":
            number = _small_int(attrib.get("numFmtId"))
            if number is not None:
                self.formats[number] = attrib.get("formatCode", "")
        elif name == "cellXfs":
            self.in_cell_styles = True
        elif name == "xf" and self.in_cell_styles:
            self.cell_formats.append(_small_int(attrib.get("numFmtId")))

    def closed(self, name: str) -> None:
        if name == "cellXfs":
            self.in_cell_styles = False
            self.finished = True

    def date_styles(self) -> frozenset[int]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format  # only workbooks need it

        def is_date(format_id: int | None) -> bool:
            code = self.formats.get(format_id) or BUILTIN_FORMATS.get(format_id)
            return bool(code) and is_date_format(code)

        return frozenset(index for index, format_id in enumerate(self.cell_formats) if is_date(format_id))


class _SharedStrings(_Part):
    """sharedStrings.xml: the workbook's text, counted and measured as it arrives."""

    elements_limit = ELEMENTS

    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []
        self.pieces: list[str] = []
        self.chars = 0  # of this string
        self.total_chars = 0
        self.in_text = False
        self.in_phonetic = 0  # rPh: a reading guide for East Asian text, not part of it

    def too_many(self) -> Refused:
        return Refused(f"The workbook's text is too long to read. {SAVE_SMALLER}")

    def opened(self, name: str, attrib: dict) -> None:
        if name == "si":
            self.pieces, self.chars = [], 0
        elif name == "t" and not self.in_phonetic:
            self.in_text = True
        elif name == "rPh":
            self.in_phonetic += 1

    def data(self, text: str) -> None:
        if not self.in_text:
            return
        self.chars += len(text)
        self.total_chars += len(text)
        if self.chars > CELL_CHARS:
            raise Refused(
                f"The workbook holds a piece of text of more than {CELL_CHARS:,} characters, more than "
                f"Excel itself allows in a cell. {SAVE_SMALLER}"
            )
        if self.total_chars > SHARED_STRING_CHARS:
            raise Refused(
                f"The workbook holds more than {SHARED_STRING_CHARS:,} characters of text, far more "
                f"than a file of figures needs. {SAVE_SMALLER}"
            )
        self.pieces.append(text)

    def closed(self, name: str) -> None:
        if name == "t":
            self.in_text = False
        elif name == "rPh":
            self.in_phonetic -= 1
        elif name == "si":
            if len(self.strings) >= SHARED_STRINGS:
                raise Refused(
                    f"The workbook holds more than {SHARED_STRINGS:,} different pieces of text, far more "
                    f"than a file of figures needs. {SAVE_SMALLER}"
                )
            self.strings.append("".join(self.pieces))


class _Sheet(_Part):
    """A worksheet: each row's cells as values, collected in ``rows`` until the reader takes them."""

    elements_limit = ELEMENTS

    def __init__(self, strings: list[str], date_styles: frozenset[int], epoch, max_columns: int) -> None:
        super().__init__()
        self.strings, self.date_styles, self.epoch, self.max_columns = (
            strings,
            date_styles,
            epoch,
            max_columns,
        )
        self.rows: list[tuple[int, list]] = []
        self.row_number = 0
        self.cells: list = []
        self.column = 0
        self.columns: dict[str, int] = {}  # "AB" is 28
        self.kind = "n"
        self.style: str | None = None
        self.pieces: list[str] = []
        self.chars = 0
        self.in_value = False
        self.in_phonetic = 0

    def too_many(self) -> Refused:
        return Refused(
            f"The workbook holds more than {ELEMENTS:,} cells and other entries, far more than a file of "
            f"figures needs. {SAVE_SMALLER}"
        )

    def opened(self, name: str, attrib: dict) -> None:
        if name == "c":
            self.pieces, self.chars, self.in_value = [], 0, False
            reference = attrib.get("r")
            if reference is None:
                self.column += 1
            else:
                found = CELL_REFERENCE.fullmatch(reference)
                if not found:
                    raise Refused(NOT_READABLE)
                letters = found[1]
                column = self.columns.get(letters)
                if column is None:
                    column = self.columns[letters] = _column_number(letters)
                self.column = column
            self.kind = attrib.get("t", "n")
            self.style = attrib.get("s")
        elif name == "v" or (name == "t" and not self.in_phonetic):
            self.in_value = True
        elif name == "rPh":
            self.in_phonetic += 1
        elif name == "row":
            reference = attrib.get("r")
            number = self.row_number + 1 if reference is None else _small_int(reference, digits=7)
            if number is None or not 0 < number <= LAST_ROW:
                raise Refused(NOT_READABLE)
            self.row_number, self.cells, self.column = number, [], 0

    def data(self, text: str) -> None:
        if self.in_value:
            self.chars += len(text)
            if self.chars > CELL_CHARS:
                raise Refused(
                    f"Row {self.row_number} has a cell of more than {CELL_CHARS:,} characters, more than Excel "
                    f"itself allows. {SAVE_SMALLER}"
                )
            self.pieces.append(text)

    def closed(self, name: str) -> None:
        if name in ("v", "t"):
            self.in_value = False
        elif name == "rPh":
            self.in_phonetic -= 1
        elif name == "c":
            if self.pieces:  # else empty, perhaps only formatted: nothing to keep, wherever it is
                self.keep(self.value("".join(self.pieces)))
        elif name == "row":
            self.rows.append((self.row_number, self.cells))
            self.cells = []
        elif name == "sheetData":
            self.finished = True

    def keep(self, value) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return  # an empty (perhaps only formatted) cell: nothing to keep, wherever it is
        if self.column > self.max_columns:
            raise Refused(
                f"Row {self.row_number} has something in column {column_letters(self.column)}: an upload reads "
                f"only the first {self.max_columns} columns, and uses six. Delete what is beyond them."
            )
        missing = self.column - len(self.cells)
        if missing > 0:
            self.cells.extend([None] * missing)
        self.cells[self.column - 1] = value

    def value(self, text: str):
        """A cell's value as Excel would show it: text, a number, a date, True or False; None if empty."""
        kind = self.kind
        if kind == "s":
            index = _small_int(text.strip())
            if index is None or index >= len(self.strings):
                raise Refused(NOT_READABLE)
            return self.strings[index]
        if kind in ("inlineStr", "str", "e"):  # text, a formula's text, an error such as #DIV/0!
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.datetime.fromisoformat(text.strip()) if len(text) <= NUMBER_CHARS else text
            except ValueError:
                return text
        number = excel_number(text)
        if (
            self.date_styles
            and isinstance(number, int | float)
            and _small_int(self.style, digits=6) in self.date_styles
        ):
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                return number  # no date: the month column says so
        return number


# --------------------------------------------------------------------------------------
# The workbook
# --------------------------------------------------------------------------------------


# What reading a broken zip or XML raises, besides our own Refused.
BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    ParseError,
    DefusedXmlException,
    NotImplementedError,  # a compression method zipfile does not know
    RuntimeError,  # an encrypted part
    ValueError,
    OSError,
)


class _Reader:
    def __init__(self, content: bytes, on_chunk: Callable[[], None] | None):
        self.on_chunk = on_chunk
        self.elements_left = ELEMENTS
        # Counted before zipfile builds an object for each entry of the central directory.
        if content.count(b"PK\x01\x02") > ZIP_MEMBERS:
            raise Refused(
                f"The file holds more than {ZIP_MEMBERS:,} parts, far more than a workbook of figures. {SAVE_SMALLER}"
            )
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(content))
        except BROKEN:
            raise Refused(NOT_A_WORKBOOK) from None

    def feed(self, name: str, target: _Part, *, limit: int, what: str) -> Iterator[None]:
        """Parse part ``name`` into ``target`` a chunk at a time, yielding after each; stop when it is finished.

        The part is refused if the zip declares it larger than ``limit`` bytes, and again if
        it unpacks to more (zipfile itself stops at the declared size and then checks the CRC).
        """
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise Refused(NOT_A_WORKBOOK) from None
        too_big = Refused(
            f"Unpacked, the workbook's {what} would be more than {limit // MB} MB, far more than a file of "
            f"figures needs. {SAVE_SMALLER}"
        )
        if info.file_size > limit:
            raise too_big
        target.elements_limit = min(target.elements_limit, self.elements_left)
        parser = DefusedXMLParser(target=target, forbid_dtd=True)
        # defusedxml refuses DTDs and entities on its expat parser; the part's callbacks go on it directly,
        # so no element or attribute name is kept beyond those the part counts.
        expat = parser.parser
        expat.ordered_attributes = False  # a dict, built by expat
        expat.StartElementHandler = target.start
        expat.EndElementHandler = target.end
        expat.CharacterDataHandler = target.data
        expat.StartNamespaceDeclHandler = target.namespace
        unpacked = since_tag_end = 0
        with self.archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                unpacked += len(chunk)
                if unpacked > limit:
                    raise too_big
                end = chunk.rfind(b">")
                since_tag_end = since_tag_end + len(chunk) if end < 0 else len(chunk) - end - 1
                if since_tag_end > TAG_BYTES:
                    raise Refused(NOT_READABLE)
                parser.feed(chunk)
                if self.on_chunk:
                    self.on_chunk()
                yield
                if target.finished:
                    break
            else:
                parser.close()
                yield  # what the end of the part completed
        self.elements_left -= target.elements

    def read(self, name: str, target: _Part, *, what: str, limit: int = PART_BYTES):
        for _ in self.feed(name, target, limit=limit, what=what):
            pass
        return target

    def relationships(self, part: str) -> tuple[_Relationships, str]:
        """The relationships of ``part``, and the folder its targets are relative to."""
        folder, file = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{file}.rels")
        return self.read(rels, _Relationships(), what="list of parts"), folder

    def rows(self, max_columns: int) -> Iterator[tuple[int, list]]:
        try:
            root = (
                self.read("_rels/.rels", _Relationships(), what="list of parts")
                if "_rels/.rels" in self.archive.namelist()
                else None
            )
            workbook_part = (
                _part_name("", root.target_of_type(OFFICE_DOCUMENT) if root else None) or "xl/workbook.xml"
            )
            workbook = self.read(workbook_part, _Workbook(), what="list of sheets")
            relationships, folder = self.relationships(workbook_part)
            sheet_target = relationships.by_id.get(workbook.first_sheet or "", ("", None))[1]
            sheet = _part_name(folder, sheet_target)
            if not sheet:
                raise Refused(NOT_A_WORKBOOK)
            styles_part = _part_name(folder, relationships.target_of_type("/styles"))
            date_styles = (
                self.read(styles_part, _Styles(), what="styles").date_styles() if styles_part else frozenset()
            )
            strings_part = _part_name(folder, relationships.target_of_type("/sharedStrings"))
            strings = (
                self.read(strings_part, _SharedStrings(), limit=SHEET_BYTES, what="text").strings
                if strings_part
                else []
            )
            from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

            epoch = MAC_EPOCH if workbook.date1904 else WINDOWS_EPOCH
            target = _Sheet(strings, date_styles, epoch, max_columns)
            for _ in self.feed(sheet, target, limit=SHEET_BYTES, what="first sheet"):
                rows, target.rows = target.rows, []
                yield from rows
        except BROKEN:
            raise Refused(NOT_READABLE) from None
        finally:
            self.archive.close()


def _part_name(folder: str, target: str | None) -> str | None:
    """A relationship's target as a name in the zip: "worksheets/sheet1.xml" from xl/ is "xl/worksheets/sheet1.xml"."""
    if not target:
        return None
    name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(name)


def sheet_rows(
    content: bytes, *, max_columns: int, on_chunk: Callable[[], None] | None = None
) -> Iterator[tuple[int, list]]:
    """(row number, cells) for each row of the first sheet, blank rows included, as the sheet holds them.

    ``on_chunk`` is called after each chunk of XML read (64 KB unpacked), so a caller with a
    time budget can stop reading by raising. Cells are values (str, int, float, bool,
    datetime), None where a row has a gap; a cell beyond ``max_columns`` must be empty.
    """
    yield from _Reader(content, on_chunk).rows(max_columns)
