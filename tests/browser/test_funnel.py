"""An evaluator compares hubs on one metric with its funnel plot, on the demo data; axe scans each state."""

import re

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from core.months import add_months, last_complete_month


def test_an_evaluator_compares_hubs_on_a_funnel_plot(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)
    main = page.locator("main")

    visit("/evaluation/summary/")
    main.get_by_role(
        "link", name=re.compile(r"^Share enrolled from IMD quintile 1\W+funnel plot across hubs$")
    ).click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Share enrolled from IMD quintile 1")
    assert_accessible()
    chart = main.get_by_role("img", name="Funnel plot of Share enrolled from IMD quintile 1", exact=False)
    expect(chart).to_be_visible()
    expect(chart.locator("desc")).to_contain_text("4 hubs with approved figures")
    for hub in ("Dorset", "Manchester", "Bradford and Craven", "Cambridgeshire and Peterborough"):
        expect(chart.locator("text", has_text=hub)).to_have_count(1)
        expect(main.get_by_role("rowheader", name=hub, exact=False)).to_be_visible()
    expect(
        main.get_by_role("table", name="Share enrolled from IMD quintile 1 by hub", exact=False)
    ).to_contain_text("Where it falls")

    # A period the wrong way round: the message is next to the field and in the summary above.
    main.get_by_label("First month").fill("2025-06")
    main.get_by_label("Last month").fill("2025-01")
    main.get_by_role("button", name="Show these months").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The first month must be the same as the last month or before it.")
    assert_accessible()

    last = last_complete_month()
    first = add_months(last, -23)
    main.get_by_label("First month").fill(f"{first:%Y-%m}")
    main.get_by_label("Last month").fill(f"{last:%Y-%m}")
    main.get_by_role("button", name="Show these months").click()
    expect(main).to_contain_text(f"Showing {first:%b %Y} to {last:%b %Y}")
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    assert_accessible()

    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Indicators across hubs"
    ).first.click()
    expect(main.get_by_role("heading", level=1)).to_have_text("Indicators across hubs")
