"""The one CSV writer: UTF-8, and no cell a spreadsheet would run as a formula; numbers stay numbers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy

from core.csvfile import csv_lines, csv_response, csv_streaming_response, safe_cell, write_csv

# What every export is tested with: a cell starting with each character a spreadsheet runs.
FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_starts_with_an_apostrophe(formula):
    assert safe_cell(formula) == "'" + formula


def test_a_lazy_label_is_neutralised_too():
    assert safe_cell(gettext_lazy("=1+1")) == "'=1+1"


@pytest.mark.parametrize(
    "value", [-3, -3.5, Decimal("-3.10"), 0, 1200, "-3", "+1.5", "-0.25", ".5", None, True]
)
def test_numbers_stay_numbers(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("text", ["Dorset", "BP@home", "a=b", " =1+1", "", "2026-11-24", "-3e5", "-1,234"])
def test_other_text_is_left_alone_or_neutralised_only_at_its_start(text):
    expected = "'" + text if text.startswith(("-", "=")) else text
    assert safe_cell(text) == expected


def test_a_date_is_written_as_its_iso_text():
    assert safe_cell(datetime.date(2026, 11, 24)) == "2026-11-24"


def test_the_response_is_utf8_with_a_byte_order_mark_and_its_file_name():
    response = csv_response("rollup-2026-11-24-equity.csv", [["hub", "change"], ["=cmd|' /C calc'!A0", -2.5]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rollup-2026-11-24-equity.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffhub,change\r\n")
    assert read(text.removeprefix("\ufeff"))[1] == ["'=cmd|' /C calc'!A0", "-2.5"]


def test_without_a_byte_order_mark_the_file_starts_with_its_header():
    response = csv_response("figures.csv", [["metric", "month"]], bom=False)
    assert response.content == b"metric,month\r\n"


def test_a_streamed_file_reads_the_same_as_one_built_in_memory():
    rows = [["name", "value"], *([formula, -1] for formula in FORMULAS)]
    streamed = csv_streaming_response("x.csv", rows)
    assert b"".join(streamed.streaming_content) == csv_response("x.csv", rows).content
    assert streamed["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert read("".join(csv_lines(rows, bom=False)))[1:] == [["'" + f, "-1"] for f in FORMULAS]


def test_rows_written_to_a_file_are_neutralised_too():
    buffer = io.StringIO(newline="")
    write_csv(buffer, [["@SUM(A1)", Decimal("-7.5")]])
    assert read(buffer.getvalue()) == [["'@SUM(A1)", "-7.5"]]
