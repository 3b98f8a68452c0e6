"""Every CSV the portal sends: UTF-8, and no cell a spreadsheet would run as a formula.

A name, a title or a note typed by someone else reaches the reader's spreadsheet
through these files. Excel, LibreOffice and Google Sheets read a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a
formula, which can fetch data or run commands. Such a cell is written with a
leading ``'``, which the spreadsheet shows as text and does not run.

Numbers stay numbers: an int, float or Decimal is written as it is (a negative
figure too), and so is a string that is nothing but a plain decimal number
("-3", "+1.5"): a spreadsheet reads it as that number and there is nothing to run.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)\Z")
CONTENT_TYPE = "text/csv; charset=utf-8"
# The byte-order mark lets Excel read names of hubs and innovations as UTF-8.
BOM = "\ufeff"


def safe_cell(value):
    """The value as it may go into a CSV cell: numbers as they are, text never a formula."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)  # lazy translations and dates too
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable], *, bom: bool = True) -> Iterator[str]:
    """Each row as a line of CSV, every cell made safe; the first line after the byte-order mark."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    for row in rows:
        yield writer.writerow(safe_row(row))


def write_csv(file, rows: Iterable[Iterable]) -> None:
    """Write the rows, every cell made safe, to an open text file (or an HttpResponse)."""
    writer = csv.writer(file)
    for row in rows:
        writer.writerow(safe_row(row))


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str, rows: Iterable[Iterable], *, bom: bool = True) -> HttpResponse:
    """A CSV download of ``rows`` (the header first), built in memory: for tables of modest size."""
    response = HttpResponse(content_type=CONTENT_TYPE)
    if bom:
        response.write(BOM)
    write_csv(response, rows)
    return _attachment(response, filename)


def csv_streaming_response(
    filename: str, rows: Iterable[Iterable], *, bom: bool = True
) -> StreamingHttpResponse:
    """A CSV download streamed row by row, so a national export never sits in memory."""
    return _attachment(StreamingHttpResponse(csv_lines(rows, bom=bom), content_type=CONTENT_TYPE), filename)
