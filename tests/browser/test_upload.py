"""A hub member uploads a file of figures on the demo data: a bad row is named, the corrected file imports.

Every page visited is scanned with axe-core (WCAG 2.2 AA), the preview with its error too.
"""

import datetime

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from evaluation.models import Indicator, Measurement, MeasurementUpload, Metric
from tests.factories import imd


def indicator_with_free_months(count: int) -> tuple[Indicator, list[datetime.date]]:
    """A Dorset count indicator and recent months with no IMD quintile 3 figure: the rows will be new."""
    last_month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    candidates = Indicator.objects.filter(
        adoption__hub__slug="dorset", adoption__archived=False, metric__kind=Metric.Kind.COUNT
    ).select_related("adoption", "metric")
    for indicator in candidates.order_by("pk"):
        taken = set(indicator.measurements.filter(group=imd(3)).values_list("period", flat=True))
        month, months = last_month, []
        while len(months) < count and month >= indicator.adoption.started_on.replace(day=1):
            if month not in taken:
                months.append(month)
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        if len(months) == count:
            return indicator, months
    raise AssertionError("The demo data has no Dorset count indicator with free months")


def csv_file(rows: list[list[str]]) -> dict:
    lines = ["metric,month,imd_quintile,value,numerator,denominator", *(",".join(row) for row in rows)]
    return {"name": "figures.csv", "mimeType": "text/csv", "buffer": "\r\n".join(lines).encode()}


def test_a_hub_member_corrects_a_bad_row_then_imports_the_file(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    indicator, months = indicator_with_free_months(2)
    code = indicator.metric.code
    first, second = (f"{month:%Y-%m}" for month in months)
    before = Measurement.objects.filter(indicator=indicator).count()
    total_there = Measurement.objects.filter(indicator=indicator, group=None, period=months[1]).exists()

    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit(indicator.adoption.get_absolute_url())
    main = page.locator("main")
    main.get_by_role("link", name="Upload figures from a file").click()
    visit(page.url)
    expect(main.get_by_role("table", name="Columns of the file")).to_contain_text("imd_quintile")

    page.get_by_label("File of figures").set_input_files(
        csv_file([[code, first, "3", "12", "", ""], [code, second, "3", "lots", "", ""]])
    )
    main.get_by_role("button", name="Check the file").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("1 row has errors: nothing can be imported")
    expect(summary).to_contain_text("Row 3: value: 'lots' is not a number.")
    expect(main.get_by_role("row", name="3 Error")).to_contain_text("'lots' is not a number")
    expect(main.get_by_role("button", name="Import")).to_have_count(0)
    assert_accessible()

    main.get_by_role("link", name="Upload the corrected file").click()
    visit(page.url)
    page.get_by_label("File of figures").set_input_files(
        # The second month's total for all people, written with a thousands separator: 1,250.
        csv_file([[code, first, "3", "12", "", ""], [code, second, "", '"1,250"', "", ""]])
    )
    main.get_by_role("button", name="Check the file").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Check the figures before importing")
    visit(page.url)
    main.get_by_role("button", name="Import 2 figures").click()

    expect(main.get_by_role("heading", level=1)).to_have_text("Figures imported")
    expect(main).to_contain_text("2 figures from figures.csv saved and submitted for review")
    visit(page.url)
    assert Measurement.objects.filter(indicator=indicator).count() == before + 1 + (not total_there)
    assert Measurement.objects.get(indicator=indicator, group=None, period=f"{second}-01").value == 1250


def test_a_large_file_shows_progress_and_the_page_updates_itself_when_checked(
    page, visit, log_in, assert_accessible, monkeypatch
):
    from evaluation import uploads

    call_command("seed_demo", verbosity=0)
    indicator, months = indicator_with_free_months(2)
    monkeypatch.setattr(uploads, "CHECK_IN_REQUEST_ROWS", 1)  # two rows are "large" here

    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit(f"/evaluation/adoptions/{indicator.adoption.pk}/upload/")
    page.get_by_label("File of figures").set_input_files(
        csv_file([[indicator.metric.code, f"{month:%Y-%m}", "3", "5", "", ""] for month in months])
    )
    main = page.locator("main")
    main.get_by_role("button", name="Check the file").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Checking figures.csv")
    expect(page.get_by_label("Reading the file")).to_be_visible()
    expect(main.get_by_role("link", name="Refresh the page")).to_be_visible()
    assert_accessible()

    upload = MeasurementUpload.objects.latest("created_at")  # its check was handed to the task queue
    uploads.check_upload_by_id(upload.pk)  # what the worker runs; the script sees it finish and reloads
    expect(main.get_by_role("heading", level=1)).to_have_text("Check the figures before importing")
    expect(main.get_by_role("button", name="Import 2 figures")).to_be_visible()
