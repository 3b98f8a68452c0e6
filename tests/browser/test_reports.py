"""An AHSN admin reads the roll-up reports on the demo data; axe scans each page (WCAG 2.2 AA)."""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.models import Indicator
from learning.models import LearningNote, RollupReport, RollupRun
from tests.learning.test_report_pages import DAY, content


def test_an_ahsn_admin_reads_the_list_and_a_report_and_sees_whats_new(page, visit, log_in):
    call_command("seed_demo", verbosity=0)
    report_content = content()
    report_content["signals"][0]["indicator_id"] = Indicator.objects.order_by("pk").first().pk
    notes = LearningNote.objects.order_by("pk")[:2]
    for shown, note in zip(report_content["learning"]["new_notes"], notes, strict=True):
        shown["note_id"] = note.pk
    report = RollupReport.objects.create(
        day=DAY, content=report_content, content_hash="0" * 64, duration_ms=2300
    )
    run = RollupRun.objects.create(day=DAY, status=RollupRun.Status.SUCCEEDED, report=report)

    visit("/accounts/login/")
    log_in("ahsn-admin", settings.DEMO_PASSWORD)
    main = page.locator("main")

    visit("/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("Roll-up reports")
    table = main.get_by_role("table", name="Reports, newest first")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Succeeded")
    expect(table).to_contain_text("Testing (PDSA cycles): 2")

    table.get_by_role("link", name="24 November 2026").click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("Report for 24 November 2026")
    oximetry = main.get_by_role("table", name="Remote oximetry at home", exact=False)
    expect(oximetry.get_by_role("row", name="Dorset", exact=False)).to_contain_text("New")
    expect(oximetry.get_by_role("row", name="Manchester", exact=False)).not_to_contain_text("New")
    chart = main.get_by_role(
        "img", name="People enrolled: the share reached in each group (IMD quintile)", exact=False
    )
    expect(chart).to_be_visible()
    ethnic = main.get_by_role(
        "img", name="People enrolled: the share reached in each group (Ethnic group)", exact=False
    )
    expect(ethnic.locator("desc")).to_contain_text("; population ")

    with page.expect_download() as download:
        main.get_by_role("link", name="Download the innovations table as CSV").click()
    assert len(download.value.path().read_text(encoding="utf-8-sig").splitlines()) == 4

    main.get_by_role("link", name="No smartphone, no data").click()
    expect(main.get_by_role("heading", level=1)).to_have_text(notes[0].title)

    visit("/learning/reports/run/")
    expect(main.get_by_label("Day the report is for")).to_have_value(
        (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    )
    visit(f"/learning/reports/runs/{run.pk}/")
    expect(main.get_by_role("link", name="Read the report for 24 November 2026")).to_be_visible()


def test_the_run_page_follows_the_run_until_it_finishes(page, visit, log_in):
    call_command("seed_demo", verbosity=0)
    run = RollupRun.objects.create(day=DAY, status=RollupRun.Status.RUNNING, section="signals")
    visit("/accounts/login/")
    log_in("ahsn-admin", settings.DEMO_PASSWORD)
    main = page.locator("main")

    visit(f"/learning/reports/runs/{run.pk}/")
    expect(main.get_by_role("status")).to_contain_text("Signals since the previous report")
    expect(main.get_by_role("link", name="Refresh")).to_be_visible()

    run.section = "equity"
    run.save()
    expect(main.get_by_role("status")).to_contain_text("Equity: whom reach reaches")

    report = RollupReport.objects.create(day=DAY, content=content(), content_hash="0" * 64, duration_ms=900)
    run.status, run.report, run.finished_at = RollupRun.Status.SUCCEEDED, report, timezone.now()
    run.save()
    expect(main.get_by_role("link", name="Read the report for 24 November 2026")).to_be_visible()
    expect(main).to_contain_text("The report for 24 November 2026 is built.")
