"""An evaluator reads an indicator's XmR chart on the demo data and rebases it, with a reason.

The rebase is then marked on the chart with the hub's notes and stage moves, listed under
it with links, and hidden and shown again by a link. Every page visited is scanned with
axe-core (WCAG 2.2 AA), the annotated chart too.
"""

import re

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from evaluation.models import Indicator, RebasePoint


def test_an_evaluator_reads_the_chart_and_adds_a_rebase_with_a_reason(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    indicator = Indicator.objects.filter(measurements__isnull=False).order_by("pk").first()
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)

    visit(indicator.get_absolute_url())
    main = page.locator("main")
    chart = main.get_by_role("img", name=f"XmR chart of {indicator.metric.name}")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_contain_text("XmR chart of")
    expect(chart.locator("desc")).to_contain_text("monthly figures from")
    expect(main.locator("#figures-caption + thead + tbody tr").first).to_be_visible()
    assert main.locator("#figures-caption + thead + tbody tr").count() >= 12
    expect(main.get_by_role("list", name="Key to the chart")).to_contain_text("Special cause concern")

    main.get_by_role("link", name="Add a rebase point").click()
    visit(page.url)
    page.get_by_label("First month of the new limits").select_option(index=6)
    page.get_by_role("button", name="Add the rebase").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a reason for the rebase")
    assert_accessible()

    page.get_by_label("Reason for the rebase").fill("Second clinic opened in the town centre")
    page.get_by_role("button", name="Add the rebase").click()
    expect(page.locator("main")).to_contain_text("The rebase is added")
    expect(
        main.get_by_role("img", name=f"XmR chart of {indicator.metric.name}").locator("desc")
    ).to_contain_text("Second clinic opened in the town centre")
    expect(main.get_by_role("cell", name="Second clinic opened in the town centre").first).to_be_visible()
    assert_accessible()
    assert RebasePoint.objects.get(indicator=indicator).created_by.username == "evaluator"

    # The rebase is an event marked under its month, with the demo hub's notes and stage moves.
    chart = main.get_by_role("img", name=f"XmR chart of {indicator.metric.name}")
    expect(chart.locator("desc")).to_contain_text("Marked under the months:")
    expect(
        chart.locator(".hp-xmr__events title").filter(has_text="Rebase: Second clinic opened")
    ).to_have_count(1)
    expect(main.get_by_role("list", name="Key to the chart")).to_contain_text("Rebase")
    events = main.get_by_role("table", name="Events marked on the chart")
    expect(events).to_be_visible()
    expect(events).to_contain_text("Barrier")  # the demo hub's note on this adoption
    expect(events).to_contain_text("Stage move")
    events.get_by_role("link", name="Second clinic opened in the town centre").click()
    expect(page).to_have_url(re.compile(r"#rebase-\d+$"))
    assert_accessible()

    main.get_by_role("link", name="Hide the events on the chart").click()
    expect(page).to_have_url(re.compile(r"\?events=off#chart-events$"))
    expect(events).to_have_count(0)
    expect(chart.locator(".hp-xmr__events")).to_have_count(0)
    assert_accessible()
    main.get_by_role("link", name=re.compile("Show the events on the chart")).click()
    expect(events).to_be_visible()


def test_a_short_series_is_a_run_chart_that_says_how_long_to_wait(page, visit, log_in, assert_accessible):
    """The demo's pilot pharmacies have 7 months of figures: too few for process limits."""
    call_command("seed_demo", verbosity=0)
    indicator = Indicator.objects.get(
        adoption__hub__slug="manchester",
        adoption__innovation__slug="community-pharmacy-hypertension-case-finding",
        metric__code="people-offered",
    )
    shown = indicator.summary.points_counted
    assert 0 < shown < 12
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)

    visit(indicator.get_absolute_url())
    main = page.locator("main")
    chart = main.get_by_role("img", name=f"Run chart of {indicator.metric.name}")
    expect(chart).to_be_visible()
    expect(chart.locator("desc")).to_contain_text("A run chart: median")
    key = main.get_by_role("list", name="Key to the chart")
    expect(key).to_contain_text("Median")
    expect(key).not_to_contain_text("Process limits")
    expect(main.locator(".hp-spc-reading")).to_have_text(f"Too few figures ({shown} of 12)")
    more = 12 - shown
    expect(main).to_contain_text(f"{more} more months of figures are needed before process limits are shown")
    assert_accessible()
