"""An evaluator reads the cross-hub dashboards on the demo data; axe scans each page (WCAG 2.2 AA)."""

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect


def test_an_evaluator_reads_the_stages_and_equity_dashboards(page, visit, log_in):
    call_command("seed_demo", verbosity=0)
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)
    main = page.locator("main")

    visit("/evaluation/stages/")
    expect(main.get_by_role("heading", level=1)).to_have_text("Stages across hubs")
    matrix = main.get_by_role("region", name="Current stage by innovation and hub")
    expect(matrix.get_by_role("columnheader", name="Manchester")).to_be_visible()
    expect(matrix.get_by_role("rowheader", name="Virtual wards (hospital at home)")).to_be_visible()
    counts = main.get_by_role("table", name="Adoptions at each stage")
    expect(counts.locator("tbody tr")).to_have_count(12)  # 11 stages and the total

    visit("/evaluation/equity/")
    expect(main.get_by_role("heading", level=1)).to_have_text("Equity: reach into the most deprived fifth")
    chart = main.get_by_role("img", name="People enrolled: share living in IMD quintile 1", exact=False)
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_contain_text("People enrolled")
    expect(chart.locator("desc")).to_contain_text("Virtual wards (hospital at home), Manchester")
    table = main.get_by_role("table", name="People enrolled: share in IMD quintile 1", exact=False)
    rows = table.locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 4
    expect(table).to_contain_text("population share")
