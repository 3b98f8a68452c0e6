"""Uploading a CSV or Excel file of figures: check, preview, import all or nothing, and who may."""

import codecs
import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation import uploads
from evaluation.measurements import measurement_edit
from evaluation.models import Measurement, MeasurementUpload
from outbox.models import OutboxItem
from tests.factories import (
    AdoptionFactory,
    IndicatorFactory,
    MeasurementFactory,
    MetricFactory,
    PlusGroupFactory,
    imd,
    last_month,
    member_of,
)

pytestmark = pytest.mark.django_db
# Files made before breakdowns other than IMD: they still import, the quintile in its own column.
HEADER = ["metric", "month", "imd_quintile", "value", "numerator", "denominator"]
TEMPLATE_HEADER = ["metric", "month", "breakdown", "group", "value", "numerator", "denominator"]


def month(back: int = 0) -> datetime.date:
    """Last month, or ``back`` months before it."""
    day = last_month()
    for _ in range(back):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


def good_rows(months: int = 3) -> list[list]:
    rows = []
    for back in range(months):
        period = f"{month(back):%Y-%m}"
        rows.append(["people-enrolled", period, "", str(100 + back), "", ""])
        rows.append(["people-enrolled", period, "1", str(20 + back), "", ""])
        rows.append(["bp-controlled", period, "", "", str(40 + back), "60"])
    return rows


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=False, header=HEADER) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        [header, *rows] if header else rows
    )
    return (codecs.BOM_UTF8 if bom else b"") + buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def send(client, adoption, content: bytes, name: str = "figures.csv"):
    return client.post(
        reverse("evaluation:upload", args=[adoption.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def latest_upload() -> MeasurementUpload:
    return MeasurementUpload.objects.latest("created_at")


def import_it(client, upload):
    return client.post(reverse("evaluation:upload_import", args=[upload.adoption_id, upload.pk]))


def test_the_page_documents_the_columns_and_offers_templates(staff, adoption):
    page = staff.get(reverse("evaluation:upload", args=[adoption.pk]))
    assert page.status_code == 200
    for column in {*HEADER, *TEMPLATE_HEADER}:
        assert f"<code>{column}</code>" in page.text
    # Every breakdown and its groups' codes, for the breakdown and group columns.
    assert "<code>ethnic-group</code>" in page.text and "<code>85-plus</code>" in page.text
    assert "people-enrolled" in page.text
    assert reverse("evaluation:upload_template", args=[adoption.pk]) in page.text
    detail = staff.get(adoption.get_absolute_url())
    assert "Upload figures from a file" in detail.text


def test_the_templates_have_the_header_and_a_row_per_indicator(staff, adoption):
    response = staff.get(reverse("evaluation:upload_template", args=[adoption.pk]))
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == TEMPLATE_HEADER
    assert sorted(row[0] for row in rows[1:]) == ["bp-controlled", "people-enrolled"]
    assert {row[1] for row in rows[1:]} == {f"{month():%Y-%m}"}
    workbook_response = staff.get(
        reverse("evaluation:upload_template", args=[adoption.pk]), {"format": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_response.content)).active
    assert [cell.value for cell in sheet[1]] == TEMPLATE_HEADER
    assert sheet.max_row == 3


def breakdown_rows(*rows) -> bytes:
    """A file in the template's columns: (metric, breakdown, group, value), last month."""
    return csv_bytes(
        [
            [metric, f"{month():%Y-%m}", breakdown, group, value, "", ""]
            for metric, breakdown, group, value in rows
        ],
        header=TEMPLATE_HEADER,
    )


def test_figures_for_any_breakdowns_groups_import_by_code_or_name(staff, adoption, enrolled):
    plus = PlusGroupFactory(hub=adoption.hub, label="People experiencing homelessness", code="homeless")
    content = breakdown_rows(
        ("people-enrolled", "", "", "100"),
        ("people-enrolled", "ethnic-group", "white", "60"),  # codes
        ("people-enrolled", "Ethnic group", "Black, Black British, Black Welsh, Caribbean or African", "20"),
        ("people-enrolled", "", "Mixed or Multiple ethnic groups", "5"),  # a name enough on its own
        ("people-enrolled", "AGE BAND", "85 and over", "12"),  # any case
        ("people-enrolled", "sex", "Female", "55"),
        ("people-enrolled", "plus", "homeless", "7"),  # the hub's own group
        ("people-enrolled", "", "IMD quintile: 1 (most deprived)", "30"),  # as the pages name it
    )
    send(staff, adoption, content)
    upload = latest_upload()
    assert upload.counts == {"new": 8, "changed": 0, "unchanged": 0, "error": 0}, upload.rows
    assert "Ethnic group: White" in staff.get(upload.get_absolute_url()).text
    import_it(staff, upload)
    saved = dict(Measurement.objects.exclude(group=None).values_list("group__code", "value"))
    assert saved == {
        "white": 60,
        "black": 20,
        "mixed": 5,
        "85-plus": 12,
        "female": 55,
        "homeless": 7,
        "1": 30,
    }
    assert Measurement.objects.get(group=plus).value == 7


def test_unknown_breakdowns_and_groups_are_row_errors_that_say_what_to_give(
    staff, adoption, enrolled, other_hub
):
    PlusGroupFactory(hub=other_hub, label="Gypsy, Roma and Traveller communities", code="grt")
    PlusGroupFactory(hub=adoption.hub, label="Other", code="other-people")
    content = breakdown_rows(
        ("people-enrolled", "", "", "100"),
        ("people-enrolled", "religion", "none", "5"),
        ("people-enrolled", "ethnic-group", "purple", "5"),
        ("people-enrolled", "plus", "grt", "5"),  # another hub's own group: unknown here
        ("people-enrolled", "", "Gypsy, Roma and Traveller communities", "5"),
        ("people-enrolled", "sex", "", "5"),
        ("people-enrolled", "", "Other", "5"),  # the ethnic group's code, and this hub's PLUS group's name
    )
    send(staff, adoption, content)
    upload = latest_upload()
    assert upload.counts["error"] == 6 and upload.counts["new"] == 1
    messages = {row["row"]: row["messages"] for row in upload.rows if row["status"] == "error"}
    assert messages[3] == [
        "breakdown: 'religion' is not a breakdown: give one of age-band, ethnic-group, imd, plus, sex."
    ]
    assert messages[4] == [
        "group: 'purple' is not a group of Ethnic group for this hub: give one of asian, black, mixed, other, white."
    ]
    assert messages[5] == [
        "group: 'grt' is not a group of PLUS group for this hub: give one of other-people."
    ]
    assert messages[6][0].startswith(
        "group: 'Gypsy, Roma and Traveller communities' is not one of this hub's breakdown groups"
    )
    assert messages[7] == ["group: give the group of the breakdown 'sex'."]
    assert messages[8] == [
        "group: 'Other' could be any of Ethnic group: Other ethnic group; PLUS group: Other: give the breakdown too."
    ]
    assert not Measurement.objects.exists()


def test_an_old_files_imd_quintile_column_still_imports_but_not_beside_a_group(staff, adoption, enrolled):
    header = ["metric", "month", "imd_quintile", "breakdown", "group", "value"]
    period = f"{month():%Y-%m}"
    rows = [
        ["people-enrolled", period, "", "", "", "100"],
        ["people-enrolled", period, "2", "", "", "30"],
        ["people-enrolled", period, "1", "sex", "male", "30"],
    ]
    send(staff, adoption, csv_bytes(rows, header=header))
    upload = latest_upload()
    error = next(row for row in upload.rows if row["status"] == "error")
    assert error["messages"] == [
        "imd_quintile: give either the IMD quintile, or a breakdown and a group, not both."
    ]
    send(staff, adoption, csv_bytes(rows[:2], header=header))
    import_it(staff, latest_upload())
    assert Measurement.objects.get(group=imd(2)).value == 30


def test_a_good_file_imports_every_row(staff, adoption, owner, enrolled, controlled):
    response = send(staff, adoption, csv_bytes(good_rows()))
    upload = latest_upload()
    assert response.status_code == 302
    assert response["Location"] == upload.get_absolute_url()
    assert upload.status == "checked"
    assert upload.counts == {"new": 9, "changed": 0, "unchanged": 0, "error": 0}
    preview = staff.get(upload.get_absolute_url())
    assert "Import 9 figures" in preview.text
    assert Measurement.objects.count() == 0  # the check writes nothing

    assert import_it(staff, upload).status_code == 302
    upload.refresh_from_db()
    assert upload.status == "imported"
    assert Measurement.objects.count() == 9
    assert set(Measurement.objects.values_list("status", "submitted_by")) == {("submitted", owner.pk)}
    assert Measurement.objects.get(indicator=enrolled, period=month(2), group=imd(1)).value == 22
    fraction = Measurement.objects.get(indicator=controlled, period=month(1))
    assert (fraction.numerator, fraction.denominator) == (41, 60)
    assert "Figures imported" in staff.get(upload.get_absolute_url()).text


def test_one_bad_row_in_the_middle_imports_nothing_and_names_that_row(staff, adoption):
    rows = good_rows()
    rows[3][3] = "twelve"  # spreadsheet row 5: the header is row 1
    send(staff, adoption, csv_bytes(rows))
    upload = latest_upload()
    assert upload.counts["error"] == 1
    assert upload.rows[0]["row"] == 5
    assert upload.rows[0]["messages"] == ["value: 'twelve' is not a number."]
    preview = staff.get(upload.get_absolute_url())
    assert "Row 5: value: &#x27;twelve&#x27; is not a number." in preview.text
    assert "Import " not in preview.text

    import_it(staff, upload)  # sent anyway
    assert Measurement.objects.count() == 0
    upload.refresh_from_db()
    assert upload.status == "checked"


def test_a_row_failing_the_figure_rules_stops_the_import(staff, adoption):
    rows = good_rows()
    rows[4] = ["people-enrolled", f"{month(1):%Y-%m}", "1", "2.5", "", ""]  # a count must be whole
    send(staff, adoption, csv_bytes(rows))
    upload = latest_upload()
    assert upload.rows[0] == upload.rows[0] | {"row": 6, "status": "error", "figure": "2.5"}
    assert upload.rows[0]["messages"] == ["A count must be a whole number."]


def test_a_byte_order_mark_and_semicolons_are_understood(staff, adoption):
    send(staff, adoption, csv_bytes(good_rows(), delimiter=";", bom=True))
    assert latest_upload().counts["new"] == 9


def test_utf16_with_tabs_as_excel_saves_unicode_text_is_understood(staff, adoption):
    content = csv_bytes(good_rows(1), delimiter="\t").decode().encode("utf-16")
    send(staff, adoption, content, "figures.txt")
    assert latest_upload().counts["new"] == 3


def test_an_excel_file_with_date_cells_and_numbers(staff, adoption, enrolled, controlled):
    first = datetime.datetime.combine(month(1), datetime.time())
    mid_month = datetime.datetime.combine(month(0).replace(day=15), datetime.time())
    rows = [
        ["people-enrolled", first, None, 1250, None, None],
        ["people-enrolled", mid_month, 1, 300.0, None, None],
        ["bp-controlled", mid_month, None, None, 45, 60],
    ]
    send(
        staff,
        adoption,
        xlsx_bytes(rows, header=["Metric", "Month", "IMD Quintile", "Value", "Numerator", "Denominator"]),
        "figures.xlsx",
    )
    upload = latest_upload()
    assert upload.counts == {"new": 3, "changed": 0, "unchanged": 0, "error": 0}
    import_it(staff, upload)
    assert Measurement.objects.get(indicator=enrolled, period=month(1)).value == 1250
    assert Measurement.objects.get(indicator=enrolled, period=month(0), group=imd(1)).value == 300
    assert Measurement.objects.get(indicator=controlled, period=month(0)).numerator == 45


def test_thousands_separators_are_read(staff, adoption, enrolled):
    rows = [
        ["people-enrolled", f"{month(0):%Y-%m}", "", "1,234", "", ""],
        ["people-enrolled", f"{month(1):%Y-%m}", "", "12 345", "", ""],
        ["people-enrolled", f"{month(2):%Y-%m}", "", "1,234,567", "", ""],
    ]
    send(staff, adoption, csv_bytes(rows))
    import_it(staff, latest_upload())
    values = dict(Measurement.objects.values_list("period", "value"))
    assert values == {month(0): Decimal(1234), month(1): Decimal(12345), month(2): Decimal(1234567)}


def test_a_decimal_comma_is_a_row_error_not_a_guess(staff, adoption):
    send(
        staff,
        adoption,
        csv_bytes([["people-enrolled", f"{month():%Y-%m}", "", "12,5", "", ""]], delimiter=";"),
    )
    assert "use a full stop for decimals" in latest_upload().rows[0]["messages"][0]


def test_blank_rows_are_skipped_and_row_numbers_stay_the_spreadsheets(staff, adoption):
    rows = good_rows(1)
    content = csv_bytes(
        [rows[0], ["", "", "", "", "", ""], rows[1], ["people-enrolled", "2025-13", "", "5", "", ""]]
    )
    content += b",,,,,\r\n\r\n , ,,,,\r\n,,,,,\r\n"
    send(staff, adoption, content)
    upload = latest_upload()
    assert upload.total_rows == 3
    assert upload.rows[0]["row"] == 5
    assert "'2025-13' is not a month" in upload.rows[0]["messages"][0]


def test_a_wrong_encoding_is_refused_with_a_clear_message(staff, adoption):
    content = csv_bytes(
        [["people-enrolled", f"{month():%Y-%m}", "", "5", "", ""]], header=[*HEADER[:5], "dénominateur"]
    )
    response = send(staff, adoption, content.decode().encode("cp1252"))
    assert response.status_code == 200
    assert "The file is not UTF-8 text: save it as &#x27;CSV UTF-8&#x27; and try again." in response.text
    assert "line 1" in response.text
    assert latest_upload().status == "refused"


def test_a_broken_workbook_and_an_old_xls_file_are_refused_clearly(staff, adoption):
    response = send(staff, adoption, b"this is not a zip file", "figures.xlsx")
    assert "could not be opened as an Excel workbook (.xlsx)" in response.text
    response = send(staff, adoption, b"whatever", "figures.xls")
    assert "Save the spreadsheet as an Excel Workbook (.xlsx)" in response.text
    assert Measurement.objects.count() == 0


def test_a_missing_column_is_named(staff, adoption):
    content = csv_bytes([["people-enrolled", "5"]], header=["metric", "value"])
    response = send(staff, adoption, content)
    assert "The file has no &#x27;month&#x27; column. The columns must be: metric, month" in response.text
    assert Measurement.objects.count() == 0


def test_files_over_10_mb_are_refused_before_reading(staff, adoption):
    with pytest.raises(uploads.FileRefused, match="11.0 MB"):
        uploads.refuse_if_too_big(11 * 1024 * 1024)
    content = csv_bytes(good_rows(1)) + b"\r\n" * (uploads.MAX_BYTES // 2)
    response = send(staff, adoption, content)
    assert "The file is 10.0 MB: the most one upload can take is 10 MB" in response.text
    assert not MeasurementUpload.objects.exists()


def test_more_than_100000_rows_are_refused_with_the_count(adoption, enrolled):
    with pytest.raises(uploads.FileRefused, match="100,001 rows"):
        uploads.refuse_if_too_many_rows(100_001)
    row = b"people-enrolled,2024-01,,5,,\n"
    content = b"metric,month,imd_quintile,value,numerator,denominator\n" + row * (uploads.MAX_ROWS + 2)
    with pytest.raises(
        uploads.FileRefused,
        match="The file has 100,002 rows of figures: the most one upload can take is 100,000",
    ):
        uploads.parse("big.csv", content, uploads.indicators_by_code(adoption))


def test_too_many_rows_through_the_page(staff, adoption, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ROWS", 5)
    response = send(staff, adoption, csv_bytes(good_rows()))
    assert "The file has 9 rows of figures: the most one upload can take is 5." in response.text


@pytest.mark.parametrize(
    ("header", "row", "says"),
    [
        (
            [*HEADER, "NHS number"],
            ["people-enrolled", "2024-01", "", "5", "", "", "x"],
            "column &#x27;NHS number&#x27;",
        ),
        (
            ["metric", "month", "DOB", "value"],
            ["people-enrolled", "2024-01", "", "5"],
            "column &#x27;DOB&#x27;",
        ),
        (
            HEADER,
            ["people-enrolled", "2024-01", "", "943 476 5919", "", ""],
            "Row 2, column &#x27;value&#x27;, holds what looks like an NHS number",
        ),
        (
            HEADER,
            ["BH1 1AA", "2024-01", "", "5", "", ""],
            "Row 2, column &#x27;metric&#x27;, holds what looks like a postcode",
        ),
    ],
)
def test_patient_identifiers_are_refused_and_not_kept(staff, adoption, header, row, says):
    response = send(staff, adoption, csv_bytes([row], header=header))
    assert says in response.text
    assert "aggregate figures only" in response.text
    upload = latest_upload()
    assert upload.status == "refused"
    assert bytes(upload.content) == b""


def test_nhs_numbers_in_excel_number_cells_are_refused(adoption, enrolled):
    content = xlsx_bytes([["people-enrolled", "2024-01", None, 9434765919, None, None]])
    with pytest.raises(uploads.FileRefused, match="NHS number"):
        uploads.parse("figures.xlsx", content, uploads.indicators_by_code(adoption))


def test_a_second_upload_shows_unchanged_and_changed_rows(staff, adoption, enrolled):
    rows = good_rows()
    send(staff, adoption, csv_bytes(rows))
    import_it(staff, latest_upload())
    rows[0][3] = "500"
    send(staff, adoption, csv_bytes(rows))
    upload = latest_upload()
    assert upload.counts == {"new": 0, "changed": 1, "unchanged": 8, "error": 0}
    changed = next(row for row in upload.rows if row["status"] == "changed")
    assert (changed["row"], changed["figure"], changed["was"]) == (2, "500", "100")
    import_it(staff, upload)
    assert Measurement.objects.get(indicator=enrolled, period=month(0), group=None).value == 500


def test_figures_changed_since_the_check_stop_the_import(staff, adoption, enrolled):
    MeasurementFactory(indicator=enrolled, period=month(0), value=7)
    send(staff, adoption, csv_bytes(good_rows()))
    upload = latest_upload()
    assert upload.counts["changed"] == 1
    Measurement.objects.filter(indicator=enrolled).update(
        status="approved"
    )  # an evaluator approves it meanwhile
    import_it(staff, upload)
    upload.refresh_from_db()
    assert upload.status == "checked"
    assert upload.message.startswith("Nothing was imported")
    assert "approved and locked" in upload.rows[0]["messages"][0]
    assert Measurement.objects.count() == 1


def test_other_adoptions_metrics_duplicates_and_mixed_figures_are_row_errors(staff, adoption, hub):
    elsewhere = AdoptionFactory(hub=hub)
    IndicatorFactory(adoption=elsewhere, metric=MetricFactory(code="staff-trained", name="Staff trained"))
    period = f"{month():%Y-%m}"
    rows = [
        ["staff-trained", period, "", "5", "", ""],
        ["people-enrolled", period, "", "5", "", ""],
        ["people-enrolled", period, "", "6", "", ""],
        ["people-enrolled", period, "2", "5", "3", "4"],
    ]
    send(staff, adoption, csv_bytes(rows))
    messages = {row["row"]: row["messages"] for row in latest_upload().rows}
    assert "'staff-trained' is not one of this adoption's indicators" in messages[2][0]
    assert messages[4] == ["This figure is given twice (first on row 3)."]
    assert messages[5] == ["Give either a value, or a numerator and a denominator, not both."]


# --------------------------------------------------------------------------------------
# Who may upload
# --------------------------------------------------------------------------------------


def test_another_hubs_member_cannot_upload_preview_or_import_whatever_ids_they_send(
    client, staff, adoption, reader, other_hub, evaluator_user
):
    send(staff, adoption, csv_bytes(good_rows()))
    upload = latest_upload()
    their_adoption = AdoptionFactory(hub=other_hub)

    client.force_login(reader)
    assert send(client, adoption, csv_bytes(good_rows())).status_code == 403
    assert MeasurementUpload.objects.count() == 1
    for name in ("upload_preview", "upload_status"):
        assert client.get(reverse(f"evaluation:{name}", args=[adoption.pk, upload.pk])).status_code == 403
        assert (
            client.get(reverse(f"evaluation:{name}", args=[their_adoption.pk, upload.pk])).status_code == 404
        )
    assert client.post(reverse("evaluation:upload_import", args=[adoption.pk, upload.pk])).status_code == 403
    assert (
        client.post(reverse("evaluation:upload_import", args=[their_adoption.pk, upload.pk])).status_code
        == 404
    )
    assert client.get(reverse("evaluation:upload_template", args=[adoption.pk])).status_code == 403
    assert client.get(reverse("evaluation:upload", args=[999_999])).status_code == 404
    assert Measurement.objects.count() == 0
    upload.refresh_from_db()
    assert upload.status == "checked"

    client.force_login(evaluator_user)
    assert client.get(reverse("evaluation:upload", args=[adoption.pk])).status_code == 403


def test_an_upload_checked_for_someone_who_has_left_the_hub_changes_nothing(staff, adoption, owner):
    send(staff, adoption, csv_bytes(good_rows(1)))
    upload = latest_upload()
    owner.memberships.all().delete()
    uploads.start_import(upload)
    uploads.import_upload(MeasurementUpload.objects.get(pk=upload.pk))
    upload.refresh_from_db()
    assert upload.status == "checked"
    assert "your own hubs" in upload.rows[0]["messages"][0]
    assert Measurement.objects.count() == 0


# --------------------------------------------------------------------------------------
# Large files: a worker checks and imports, and the page shows progress
# --------------------------------------------------------------------------------------


def test_a_large_file_is_checked_and_imported_by_a_worker_with_progress(
    staff, adoption, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(uploads, "CHECK_IN_REQUEST_ROWS", 4)
    monkeypatch.setattr(uploads, "PROGRESS_EVERY", 3)

    def queued() -> list[tuple]:
        """What was promised to a worker (through the outbox): each item's task and arguments."""
        return [(item.task, *item.args) for item in OutboxItem.objects.order_by("pk")]

    with django_capture_on_commit_callbacks(execute=True):
        send(staff, adoption, csv_bytes(good_rows(4)))
    upload = latest_upload()
    assert queued() == [("evaluation.tasks.check_upload", upload.pk)]
    assert upload.status == "checking"
    page = staff.get(upload.get_absolute_url())
    assert "js/upload-progress.js" in page.text
    assert "Reading the file" in page.text
    assert "Refresh the page" in page.text
    status_url = reverse("evaluation:upload_status", args=[adoption.pk, upload.pk])
    assert staff.get(status_url).json() == {
        "status": "checking",
        "running": True,
        "total_rows": None,
        "processed_rows": 0,
    }

    seen = []
    report = uploads._report_progress

    def watching(upload):
        write = report(upload)

        def wrapped(done):
            write(done)
            seen.append(MeasurementUpload.objects.values_list("processed_rows", flat=True).get(pk=upload.pk))

        return wrapped

    monkeypatch.setattr(uploads, "_report_progress", watching)
    uploads.check_upload_by_id(upload.pk)  # what the task runs
    assert seen == [3, 6, 9, 12]  # a month (3 rows) at a time, each written where the page can read it
    upload.refresh_from_db()
    assert (upload.status, upload.total_rows, upload.processed_rows) == ("checked", 12, 12)

    with django_capture_on_commit_callbacks(execute=True):
        import_it(staff, upload)
    assert queued() == [
        ("evaluation.tasks.check_upload", upload.pk),
        ("evaluation.tasks.import_upload", upload.pk),
    ]
    assert staff.get(status_url).json()["status"] == "importing"
    assert "Importing 12 rows" in staff.get(upload.get_absolute_url()).text
    assert Measurement.objects.count() == 0
    uploads.import_upload_by_id(upload.pk)
    uploads.import_upload_by_id(upload.pk)  # a second delivery of the same task does nothing
    upload.refresh_from_db()
    assert upload.status == "imported"
    assert Measurement.objects.count() == 12


def test_a_worker_that_fails_marks_the_upload_failed(staff, adoption, monkeypatch):
    monkeypatch.setattr(uploads, "CHECK_IN_REQUEST_ROWS", 1)  # queued for a worker, which the test plays
    send(staff, adoption, csv_bytes(good_rows(1)))
    upload = latest_upload()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(uploads.measurements, "measurements_check", broken)
    with pytest.raises(RuntimeError):
        uploads.check_upload_by_id(upload.pk)
    upload.refresh_from_db()
    assert upload.status == "failed"
    assert "Nothing was imported" in staff.get(upload.get_absolute_url()).text


# No lost updates: an import applies only to figures still as the preview showed them -----------


def test_an_import_does_not_overwrite_a_figure_saved_after_the_preview(staff, adoption, enrolled, hub):
    """The preview says 300 (was 215); a colleague saves 250 in the grid; the import is refused."""
    figure = MeasurementFactory(indicator=enrolled, period=month(), value=215)
    send(staff, adoption, csv_bytes([["people-enrolled", f"{month():%Y-%m}", "", "300", "", ""]]))
    upload = latest_upload()
    assert upload.counts["changed"] == 1
    colleague = member_of(hub, username="colleague", first_name="Sam", last_name="Okafor")
    measurement_edit(measurement=figure, by=colleague, version=figure.version, value=Decimal("250"))

    import_it(staff, upload)

    upload.refresh_from_db()
    figure.refresh_from_db()
    assert figure.value == 250
    assert upload.status == "checked" and upload.message.startswith("Nothing was imported")
    [message] = upload.rows[0]["messages"]
    assert message.startswith(
        "Someone else changed this figure since you checked the file: it is now 250, changed by Sam Okafor on "
    )
    page = staff.get(upload.get_absolute_url()).content.decode()
    assert "Import 1 figure" not in page and "changed by Sam Okafor" in page


def test_of_two_uploads_checked_together_the_second_import_is_refused(staff, adoption, enrolled):
    row = ["people-enrolled", f"{month():%Y-%m}", "", "", "", ""]
    send(staff, adoption, csv_bytes([[*row[:3], "120", *row[4:]]]))
    first = latest_upload()
    send(staff, adoption, csv_bytes([[*row[:3], "130", *row[4:]]]))
    second = latest_upload()
    assert first.counts["new"] == second.counts["new"] == 1

    import_it(staff, first)
    import_it(staff, second)

    second.refresh_from_db()
    assert second.status == "checked"
    assert "it is now 120" in second.rows[0]["messages"][0]
    assert Measurement.objects.get(indicator=enrolled, period=month(), group=None).value == 120
