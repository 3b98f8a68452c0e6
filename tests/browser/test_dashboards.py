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
    expect(main.get_by_role("heading", level=1)).to_have_text("Equity: whom reach reaches")
    chart = main.get_by_role(
        "img", name="People enrolled, Virtual wards (hospital at home) in Manchester", exact=False
    )
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_contain_text(
        "(IMD quintile), against its share of the local population"
    )
    expect(chart.locator("desc")).to_contain_text("1 (most deprived): ")
    expect(chart.locator("desc")).to_contain_text("; population 43.0%")  # Manchester's, synthetic
    table = main.get_by_role(
        "table", name="People enrolled, Virtual wards (hospital at home) in Manchester", exact=False
    )
    expect(table.locator("tbody tr")).to_have_count(5)
    expect(table).to_contain_text("share of the local population")

    # Another breakdown, for one hub: the ethnic groups Manchester reaches, against its population.
    main.get_by_label("Breakdown", exact=True).select_option(label="Ethnic group")
    main.get_by_label("Hub", exact=True).select_option(label="Manchester")
    main.get_by_role("button", name="Show").click()
    visit(page.url)
    expect(main.get_by_role("heading", level=2).first).to_have_text("Ethnic group: Manchester")
    table = main.get_by_role(
        "table", name="People enrolled, Virtual wards (hospital at home) in Manchester", exact=False
    )
    expect(
        table.get_by_role("rowheader", name="Black, Black British, Black Welsh, Caribbean or African")
    ).to_be_visible()
    expect(main).not_to_contain_text("in Dorset")
    main.get_by_label("Breakdown", exact=True).select_option(label="PLUS group")
    main.get_by_role("button", name="Show").click()
    visit(page.url)
    expect(main.get_by_role("rowheader", name="People experiencing homelessness").first).to_be_visible()
