"""Hostile uploads and typed figures: refused in words, nothing saved, and cheap, whatever they hold.

Each file here is built small and unpacks or parses into something huge: a 300 MB piece of
text in a 300 KB workbook, three million empty rows, a number with a billion digits. What
a person sees is the refusal (on the upload page, or as a row error naming the column);
what the server spends is measured: CPU time with ``time.process_time`` and Python's peak
memory with ``tracemalloc``, against a hard limit (2 s, 200 MB), not a benchmark.
"""

import contextlib
import datetime
import faulthandler
import functools
import html
import io
import multiprocessing
import time
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.numbers import bounded_number
from evaluation import uploads, xlsx
from evaluation.models import LARGEST_VALUE, LARGEST_WHOLE, Measurement, MeasurementUpload, figure_rule_errors
from tests.factories import MeasurementFactory, last_month

pytestmark = pytest.mark.django_db

SECONDS = 2.0  # CPU a hostile upload may cost, whatever it holds
MEGABYTES = 200  # and memory
HEADER = b"metric,month,imd_quintile,value,numerator,denominator"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def no_hang():
    """A page that hangs (on a billion-digit int, say) ends the run with a traceback instead of waiting forever.

    The functions are measured apart (``cost_apart``), where a hang fails only its own test.
    """
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


# --------------------------------------------------------------------------------------
# Hostile files, built small
# --------------------------------------------------------------------------------------


def workbook(sheet_chunks, shared_chunks=None) -> bytes:
    """A workbook of one sheet, its parts streamed into the zip with deflate: gigabytes take kilobytes."""
    shared = shared_chunks is not None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            '<sheet name="Figures" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PACKAGE}">'
            f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
                if shared
                else ""
            )
            + "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for chunk in sheet_chunks:
                sheet.write(chunk)
        if shared:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
                for chunk in shared_chunks:
                    strings.write(chunk)
    return buffer.getvalue()


def sheet(*rows: bytes) -> list[bytes]:
    return [f'<worksheet xmlns="{MAIN}"><sheetData>'.encode(), *rows, b"</sheetData></worksheet>"]


def inline_row(number: int, *cells: str) -> bytes:
    return (
        f'<row r="{number}">'
        + "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in cells)
        + "</row>"
    ).encode()


HEADER_ROW = inline_row(1, "metric", "month", "imd_quintile", "value", "numerator", "denominator")


def one_string(megabytes: int) -> bytes:
    """One piece of text of ``megabytes`` MB, shared by the sheet's one cell."""

    def text():
        yield f'<sst xmlns="{MAIN}"><si><t>'.encode()
        for _ in range(megabytes):
            yield b"a" * MB
        yield b"</t></si></sst>"

    return workbook(sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), text())


@functools.cache
def huge_shared_string() -> bytes:
    """A 300 MB piece of text in about 300 KB."""
    return one_string(300)


@functools.cache
def empty_rows() -> bytes:
    """Three million empty rows in about 30 KB."""
    return workbook(sheet(*[b"<row/>" * 100_000] * 30))


def with_declared_size(content: bytes, name: str, size: int) -> bytes:
    """The workbook with part ``name``'s sizes, in its local header and the central directory, forged."""
    forged = bytearray(content)
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = forged.find(signature)
        while at >= 0:
            if forged[at + name_at : at + name_at + len(name)] == name.encode():
                forged[at + size_at : at + size_at + 4] = size.to_bytes(4, "little")
            at = forged.find(signature, at + 4)
    return bytes(forged)


def csv_file(*rows: str, line_end: str = "\r\n") -> bytes:
    return (line_end.join([HEADER.decode(), *rows]) + line_end).encode()


# --------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------


def cost(call):
    """(what ``call`` returned or raised, CPU seconds, peak MB): timed untraced, then run again traced."""
    started = time.process_time()
    try:
        outcome = call()
    except Exception as exc:
        outcome = exc
    seconds = time.process_time() - started
    tracemalloc.start()
    try:
        with contextlib.suppress(Exception):
            call()
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    return outcome, seconds, peak


def cost_apart(call, timeout: float = 30):
    """``cost`` of a call that touches no database, in a forked process: one that hangs fails the test.

    (An int() of a billion digits never lets go of the interpreter, so no timer in this
    process could stop it.)
    """
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=lambda: sending.send(cost(call)), daemon=True)
    child.start()
    if not receiving.poll(timeout):
        child.kill()
        pytest.fail(f"did not finish within {timeout:g} s")
    result = receiving.recv()
    child.join()
    return result


def assert_cheap(seconds: float, megabytes: float) -> None:
    assert seconds < SECONDS, f"took {seconds:.2f} s of CPU"
    assert megabytes < MEGABYTES, f"took {megabytes:.0f} MB"


def refusal_of(name: str, content: bytes) -> str:
    """What ``parse`` refuses the file with, checked to be cheap; the file must be refused."""
    refused, seconds, megabytes = cost_apart(lambda: uploads.parse(name, content, {}))
    assert isinstance(refused, uploads.FileRefused), f"not refused: {refused!r}"
    assert_cheap(seconds, megabytes)
    return refused.message


# --------------------------------------------------------------------------------------
# The page: one adoption, a count and a percentage
# --------------------------------------------------------------------------------------


def send(client, adoption, content: bytes, name: str):
    return client.post(
        reverse("evaluation:upload", args=[adoption.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def latest_upload() -> MeasurementUpload:
    return MeasurementUpload.objects.latest("pk")


def sent_cheaply(client, adoption, content: bytes, name: str):
    """The upload page's answer to the file, checked to be cheap (the file is sent twice to measure)."""
    response, seconds, megabytes = cost(lambda: send(client, adoption, content, name))
    assert not isinstance(response, Exception), f"the page failed: {response!r}"
    assert_cheap(seconds, megabytes)
    return response


def assert_refused_on_the_page(response, message: str) -> None:
    assert response.status_code == 200
    assert html.escape(message) in response.text
    upload = latest_upload()
    assert upload.status == MeasurementUpload.Status.REFUSED
    assert upload.message == message
    assert bytes(upload.content) == b""  # refused files are not kept
    assert not Measurement.objects.exists()


# --------------------------------------------------------------------------------------
# Numbers: limits on digits and exponent, before any arithmetic
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "column", "says"),
    [
        (
            "1E+999999999",
            "value",
            "value: '1E+999999999' is too large: the most it can be is 9,999,999,999.9999.",
        ),
        (
            "1E+999999999",
            "numerator",
            "numerator: '1E+999999999' is too large: the most it can be is 2,147,483,647.",
        ),
        ("1E-999999999", "value", "value: '1E-999999999' has more than 4 decimal places."),
        ("1E-999999999", "denominator", "denominator: '1E-999999999' is not a whole number."),
        (
            "1" * 40,
            "value",
            "value: '11111111111111111111…' has more than 15 digits: a figure has at most 15.",
        ),
        (
            "9" * 41,
            "numerator",
            "numerator: '99999999999999999999…' is too long: a figure has at most 15 digits.",
        ),
        (
            "2147483648",
            "numerator",
            "numerator: '2147483648' is too large: the most it can be is 2,147,483,647.",
        ),
        (
            "10,000,000,000",
            "value",
            "value: '10,000,000,000' is too large: the most it can be is 9,999,999,999.9999.",
        ),
        ("12.34567", "value", "value: '12.34567' has more than 4 decimal places."),
    ],
)
def test_a_number_beyond_its_column_is_a_row_error_naming_the_column_at_once(typed, column, says):
    read = uploads.parse_decimal if column == "value" else uploads.parse_whole
    refused, seconds, megabytes = cost_apart(lambda: read(typed, column))
    assert isinstance(refused, ValueError)
    assert str(refused) == says
    assert_cheap(seconds, megabytes)


def test_numbers_the_columns_hold_are_read_as_people_write_them():
    assert uploads.parse_decimal("1.5E+3", "value") == 1500
    assert uploads.parse_decimal("£1,234.50", "value") == Decimal("1234.5")
    assert uploads.parse_decimal(LARGEST_VALUE, "value") == LARGEST_VALUE
    assert uploads.parse_decimal(0.1 + 0.2, "value") == Decimal("0.3")  # as Excel shows it: 15 digits
    assert uploads.parse_whole("2,147,483,647", "numerator") == LARGEST_WHOLE
    assert uploads.parse_whole("45.0", "numerator") == 45
    assert bounded_number("5.00000", name="value", places=4, largest=LARGEST_VALUE) == 5


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("1E+999999999", {}),  # whole: the columns' own limits refuse it
        ("1.5E+999999999", {}),
        ("1E-999999999", {"value": "A count must be a whole number."}),
    ],
)
def test_the_count_rule_is_safe_with_any_exponent(enrolled, value, errors):
    found, seconds, megabytes = cost_apart(
        lambda: figure_rule_errors(enrolled, last_month(), Decimal(value), None, None)
    )
    assert found == errors
    assert_cheap(seconds, megabytes)


def test_the_same_numbers_in_a_workbook_are_row_errors_too(staff, adoption):
    content = workbook(
        sheet(
            HEADER_ROW,
            b'<row r="2"><c t="inlineStr"><is><t>people-enrolled</t></is></c>'
            b'<c t="inlineStr"><is><t>2024-01</t></is></c><c/><c><v>1E+999999999</v></c></row>',
            b'<row r="3"><c t="inlineStr"><is><t>people-enrolled</t></is></c>'
            b'<c t="inlineStr"><is><t>2024-02</t></is></c><c/><c><v>' + b"1" * 40 + b"</v></c></row>",
        )
    )
    sent_cheaply(staff, adoption, content, "figures.xlsx")
    messages = [row["messages"][0] for row in latest_upload().rows]
    assert messages == [
        "value: '1E+999999999' is too large: the most it can be is 9,999,999,999.9999.",
        "value: '11111111111111111111…' has more than 15 digits: a figure has at most 15.",
    ]


def grid_cell(indicator, part):
    return f"i{indicator.pk}-gall-{part}"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1" * 40, "Enter a number of at most 15 digits."),
        ("1" * 5000, "Enter a number of at most 15 digits."),
        ("3000000000", "Enter a number no larger than 2,147,483,647."),
        ("1E+999999999", "Enter a whole number."),
    ],
)
def test_the_grid_refuses_a_numerator_beyond_its_column_at_the_cell(staff, adoption, controlled, typed, says):
    url = reverse("evaluation:figures_grid", args=[adoption.pk, f"{last_month():%Y-%m}"])
    data = {grid_cell(controlled, "numerator"): typed, grid_cell(controlled, "denominator"): "3000000001"}
    response, seconds, megabytes = cost(lambda: staff.post(url, data))
    assert_cheap(seconds, megabytes)
    assert response.status_code == 200
    assert says in response.context["form"].errors[grid_cell(controlled, "numerator")]
    assert not Measurement.objects.exists()


def test_the_grid_refuses_a_value_beyond_its_column(staff, adoption, enrolled):
    url = reverse("evaluation:figures_grid", args=[adoption.pk, f"{last_month():%Y-%m}"])
    for typed, says in (
        ("1" * 40, "Enter a number of at most 15 digits."),
        ("12345678901", "Enter a number no larger than 9,999,999,999.9999."),
        ("1.23456", "Enter a number with at most 4 decimal places."),
    ):
        response = staff.post(url, {grid_cell(enrolled, "value"): typed})
        assert response.context["form"].errors[grid_cell(enrolled, "value")] == [says]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("posted", "field", "says"),
    [
        ({"numerator": "1" * 40, "denominator": "60"}, "numerator", "Enter a number of at most 15 digits."),
        (
            {"numerator": "5", "denominator": "3000000000"},
            "denominator",
            "Enter a number no larger than 2,147,483,647.",
        ),
        (
            {"numerator": "1E+999999999", "denominator": "60"},
            "numerator",
            "Enter the numerator as a whole number.",
        ),
    ],
)
def test_the_single_edit_refuses_a_number_beyond_its_column(staff, controlled, posted, field, says):
    figure = MeasurementFactory(indicator=controlled, value=None, numerator=5, denominator=60)
    url = reverse("evaluation:measurement_edit", args=[figure.pk])
    response, seconds, megabytes = cost(lambda: staff.post(url, {**posted, "version": figure.version}))
    assert_cheap(seconds, megabytes)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [says]
    figure.refresh_from_db()
    assert (figure.numerator, figure.denominator) == (5, 60)


def test_the_single_edit_refuses_a_value_beyond_its_column(staff, enrolled):
    figure = MeasurementFactory(indicator=enrolled, value=7)
    url = reverse("evaluation:measurement_edit", args=[figure.pk])
    for typed, says in (
        ("1E+999999999", "Enter a number."),
        ("1" * 40, "Enter a number of at most 15 digits."),
        ("99999999999", "Enter a number no larger than 9,999,999,999.9999."),
    ):
        response = staff.post(url, {"value": typed, "version": figure.version})
        assert response.context["form"].errors["value"] == [says]
    assert staff.post(url, {"value": "1,250", "version": figure.version}).status_code == 302
    figure.refresh_from_db()
    assert figure.value == 1250


# --------------------------------------------------------------------------------------
# Zip bombs and odd files: refused in words, cheaply, in the request or by the worker
# --------------------------------------------------------------------------------------

UNPACKS_TOO_BIG = (
    "Unpacked, the workbook's text would be more than 64 MB, far more than a file of figures needs. "
    "Copy the sheet of figures into a new workbook, or save it as 'CSV UTF-8', and upload that."
)
TOO_MANY_ROWS = (
    "The file has more than 200,000 rows, counting empty ones: the most one upload can take is "
    "100,000 rows of figures. Delete any empty rows below the figures, or split the file into smaller ones."
)
UTF16 = (
    "The file looks like UTF-16 text ('Unicode Text') without the mark at its start that says so: "
    "save it as 'CSV UTF-8' and try again."
)
NUL = (
    "Line 2 holds a NUL character, which a file of figures never has: the file may be damaged, "
    "or not a CSV file. Save it as 'CSV UTF-8' and try again."
)


def test_a_300_mb_piece_of_text_in_a_small_workbook_is_refused_at_once(staff, adoption):
    content = huge_shared_string()
    assert len(content) < 400 * 1024
    assert refusal_of("figures.xlsx", content) == UNPACKS_TOO_BIG
    assert_refused_on_the_page(sent_cheaply(staff, adoption, content, "figures.xlsx"), UNPACKS_TOO_BIG)


def test_a_workbook_that_lies_about_its_sizes_is_refused_as_it_unpacks(staff, adoption):
    content = with_declared_size(huge_shared_string(), "xl/sharedStrings.xml", 1024)
    assert refusal_of("figures.xlsx", content) == xlsx.NOT_READABLE
    assert_refused_on_the_page(sent_cheaply(staff, adoption, content, "figures.xlsx"), xlsx.NOT_READABLE)


def test_text_longer_than_excel_allows_is_refused_after_reading_little_of_it():
    message = refusal_of("figures.xlsx", one_string(60))  # 60 MB: within the size limit, but one cell
    assert message.startswith("The workbook holds a piece of text of more than 32,767 characters")


def test_three_million_empty_rows_go_to_the_worker_and_are_refused_there(staff, adoption):
    content = empty_rows()
    assert len(content) < 100 * 1024
    decided, seconds, megabytes = cost_apart(lambda: uploads.checked_in_request("figures.xlsx", content))
    assert decided is False  # read past the request's budget of rows: a worker reads it
    assert_cheap(seconds, megabytes)
    response = sent_cheaply(staff, adoption, content, "figures.xlsx")
    upload = latest_upload()
    assert response.status_code == 302
    assert upload.status == MeasurementUpload.Status.CHECKING
    _, seconds, megabytes = cost(lambda: uploads.check_upload_by_id(upload.pk))  # what the worker runs
    assert_cheap(seconds, megabytes)
    upload.refresh_from_db()
    assert (upload.status, upload.message) == (MeasurementUpload.Status.REFUSED, TOO_MANY_ROWS)
    assert TOO_MANY_ROWS.split(":")[0] in staff.get(upload.get_absolute_url()).text
    assert refusal_of("figures.xlsx", content) == TOO_MANY_ROWS
    assert not Measurement.objects.exists()


def test_a_csv_with_carriage_returns_alone_is_counted_as_read(staff, adoption):
    """Lines ending in \\r alone once counted as one line, so a long file was checked in the request."""
    rows = [f"people-enrolled,{last_month():%Y-%m},,5,," for _ in range(uploads.CHECK_IN_REQUEST_ROWS + 1)]
    content = csv_file(*rows, line_end="\r")
    assert not uploads.checked_in_request("figures.csv", content)
    sent_cheaply(staff, adoption, content, "figures.csv")
    assert latest_upload().status == MeasurementUpload.Status.CHECKING

    blank = HEADER + b"\r" * (uploads.MAX_BYTES - len(HEADER))  # ten million empty lines
    assert refusal_of("figures.csv", blank) == TOO_MANY_ROWS
    assert not Measurement.objects.exists()


def test_utf16_without_its_byte_order_mark_is_refused_in_words(staff, adoption):
    content = csv_file(f"people-enrolled,{last_month():%Y-%m},,5,,").decode().encode("utf-16-le")
    assert refusal_of("figures.csv", content) == UTF16
    assert_refused_on_the_page(sent_cheaply(staff, adoption, content, "figures.csv"), UTF16)


def test_a_nul_in_a_cell_is_refused_in_words(staff, adoption):
    content = csv_file(f"people\x00enrolled,{last_month():%Y-%m},,5,,")
    assert refusal_of("figures.csv", content) == NUL
    assert_refused_on_the_page(sent_cheaply(staff, adoption, content, "figures.csv"), NUL)
    with_bom = csv_file(f"people\x00enrolled,{last_month():%Y-%m},,5,,").decode().encode("utf-16")
    assert refusal_of("figures.csv", with_bom) == NUL


@pytest.mark.parametrize(
    ("file_name", "build", "says"),
    [
        pytest.param(
            "figures.csv",
            lambda: HEADER + b"\r\n" + b"," * (uploads.MAX_BYTES - 100),
            "The row ending on line 2 is more than 65,536 characters long",
            id="a row of ten million commas",
        ),
        pytest.param(
            "figures.csv",
            lambda: HEADER + b"\r\npeople-enrolled,2024-01,," + b"9" * (uploads.MAX_BYTES - 200) + b",,\r\n",
            "The row ending on line 2 is more than 65,536 characters long",
            id="a number of ten million digits",
        ),
        pytest.param(
            "figures.xlsx",
            lambda: workbook(
                sheet(HEADER_ROW, b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>')
            ),
            "Row 2 has something in column XFD: an upload reads only the first 64 columns",
            id="something in column XFD",
        ),
        pytest.param(
            "figures.xlsx",
            lambda: workbook(sheet(*[f'<row a{i}="1"/>'.encode() for i in range(2_000)])),
            xlsx.NOT_READABLE,
            id="a thousand different attribute names",
        ),
        pytest.param(
            "figures.xlsx",
            lambda: workbook(sheet(*[f"<e{i}/>".encode() for i in range(2_000)])),
            xlsx.NOT_READABLE,
            id="a thousand different elements",
        ),
        pytest.param(
            "figures.xlsx",
            lambda: workbook(
                [
                    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>',
                    *sheet(b'<row><c t="inlineStr"><is><t>&lol2;</t></is></c></row>'),
                ]
            ),
            xlsx.NOT_READABLE,
            id="entities declared in a DTD",
        ),
        pytest.param(
            "figures.xlsx",
            lambda: workbook(sheet(b'<row r="1" x="' + b"a" * (2 * MB) + b'"/>')),
            xlsx.NOT_READABLE,
            id="a tag of two megabytes",
        ),
        pytest.param(
            "figures.xlsx", lambda: b"PK\x03\x04 not really", xlsx.NOT_A_WORKBOOK, id="not a zip at all"
        ),
        pytest.param(
            "figures.xlsx",
            lambda: many_parts(5_000),
            "The file holds more than 1,000 parts, far more than a workbook of figures.",
            id="five thousand parts",
        ),
    ],
)
def test_odd_files_are_refused_in_words_and_cheaply(file_name, build, says):
    assert refusal_of(file_name, build()).startswith(says)


def many_parts(count: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(count):
            archive.writestr(f"part{number}.xml", b"")
    return buffer.getvalue()


def test_a_workbook_of_more_elements_than_a_file_of_figures_needs_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "ELEMENTS", 50_000)
    content = workbook(sheet(b'<row r="2">' + b"<c/>" * 60_000 + b"</row>"))
    assert refusal_of("figures.xlsx", content).startswith(
        "The workbook holds more than 50,000 cells and other entries, far more than a file of figures needs."
    )


def test_a_workbook_with_too_many_pieces_of_text_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx, "SHARED_STRINGS", 1_000)
    text = [
        f'<sst xmlns="{MAIN}">'.encode(),
        *[f"<si><t>{n}</t></si>".encode() for n in range(1_001)],
        b"</sst>",
    ]
    content = workbook(sheet(b'<row r="1"><c t="s"><v>0</v></c></row>'), text)
    assert refusal_of("figures.xlsx", content).startswith(
        "The workbook holds more than 1,000 different pieces of text"
    )


def test_a_slow_file_is_handed_to_a_worker_when_the_requests_budget_runs_out(monkeypatch):
    monkeypatch.setattr(uploads, "REQUEST_SECONDS", 0.0)
    rows = [f"people-enrolled,2024-{month:02},,5,," for month in range(1, 13)] * 100
    assert not uploads.checked_in_request("figures.csv", csv_file(*rows))
    monkeypatch.setattr(uploads, "REQUEST_SECONDS", 10.0)
    assert uploads.checked_in_request("figures.csv", csv_file(*rows))


def test_a_good_workbook_reads_as_it_did_with_openpyxl():
    """The streaming reader gives the cells openpyxl gave: text, numbers, dates by style, booleans."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["metric", "month", "imd_quintile", "value", "numerator", "denominator"])
    book.active.append(["people-enrolled", datetime.datetime(2025, 3, 1), None, 1250, None, None])
    book.active.append(["bp-controlled", datetime.date(2025, 4, 15), 1, None, 45, 60])
    book.active.append([None, None, None, 0.5, True, "1,250"])
    book.active["H6"] = "further right"
    book.create_sheet("Not this one").append(["other"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = list(uploads.read_cells("figures.xlsx", buffer.getvalue()))
    assert rows == [
        (1, ["metric", "month", "imd_quintile", "value", "numerator", "denominator"]),
        (2, ["people-enrolled", datetime.datetime(2025, 3, 1), None, 1250]),
        (3, ["bp-controlled", datetime.datetime(2025, 4, 15), 1, None, 45, 60]),
        (4, [None, None, None, 0.5, True, "1,250"]),
        (6, [None, None, None, None, None, None, None, "further right"]),
    ]


# --------------------------------------------------------------------------------------
# Last, because before the limits the numerator's int() never finished: the page hung
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "cells", "says"),
    [
        ("people-enrolled", ",1E+999999999,,", "value: '1E+999999999' is too large: the most it can be is"),
        ("people-enrolled", f",{'1' * 40},,", "value: '11111111111111111111…' has more than 15 digits"),
        (
            "bp-controlled",
            ",,1E+999999999,60",
            "numerator: '1E+999999999' is too large: the most it can be is",
        ),
        ("bp-controlled", f",,{'1' * 40},60", "numerator: '11111111111111111111…' has more than 15 digits"),
    ],
)
@pytest.mark.parametrize("approved", [False, True], ids=["open month", "approved month"])
def test_an_uploaded_number_too_long_is_a_row_error_and_nothing_is_saved(
    staff, adoption, enrolled, controlled, metric, cells, says, approved
):
    period = f"{last_month():%Y-%m}"
    if approved:  # what the number would be compared with, then refused as locked
        MeasurementFactory(indicator=enrolled, period=last_month(), value=5, status="approved")
        MeasurementFactory(
            indicator=controlled,
            period=last_month(),
            value=None,
            numerator=5,
            denominator=60,
            status="approved",
        )
    saved = Measurement.objects.count()
    response = sent_cheaply(staff, adoption, csv_file(f"{metric},{period},{cells}"), "figures.csv")
    upload = latest_upload()
    assert response.status_code == 302
    assert upload.status == MeasurementUpload.Status.CHECKED
    assert upload.counts["error"] == 1
    [message] = upload.rows[0]["messages"]
    assert message.startswith(says)
    assert html.escape(says) in staff.get(upload.get_absolute_url()).text
    staff.post(reverse("evaluation:upload_import", args=[adoption.pk, upload.pk]))  # sent anyway
    assert Measurement.objects.count() == saved
