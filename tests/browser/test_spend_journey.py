"""A hub lead enters and submits a quarter's spend, on the demo data; an evaluator approves it. axe on every page.

lead-manchester opens the hub's spend page, asks for a quarter already entered (refused
next to the field and in the error summary), starts the current quarter, sends a negative
amount not marked as a refund (refused, nothing saved), adds the line and submits the
quarter. The evaluator finds it on the to-do list's page, approves it, and sees the hub's
spend in the cross-hub view.
"""

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from core.quarters import quarter_label, quarter_start
from value.models import SpendLine, SpendQuarter


def test_a_lead_submits_a_quarter_and_an_evaluator_approves_it(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    current = quarter_start(timezone.localdate())
    typed = f"{current.year} Q{(current.month - 1) // 3 + 1}"
    entered = SpendQuarter.objects.filter(hub__slug="manchester").order_by("start").first()
    main = page.locator("main")

    visit("/accounts/login/")
    log_in("lead-manchester", settings.DEMO_PASSWORD)
    visit("/hubs/manchester/")
    main.get_by_role("link", name="Spend against the award").click()
    visit(page.url)
    expect(main.locator("svg title")).to_contain_text("approved spend to date against the award")
    main.get_by_role("link", name="Enter a quarter's spend").click()
    visit(page.url)

    main.get_by_label("Quarter").fill(f"{entered.start.year} Q{(entered.start.month - 1) // 3 + 1}")
    page.get_by_role("button", name="Start the quarter").click()
    expect(main.locator(".nhsuk-error-summary")).to_contain_text("already has spend")
    assert_accessible()

    main.get_by_label("Quarter").fill(typed)
    page.get_by_role("button", name="Start the quarter").click()
    expect(main.get_by_role("heading", level=1)).to_have_text(f"Spend for {quarter_label(current)}")
    assert_accessible()

    main.get_by_label("Category").select_option(label="Digital and equipment")
    main.get_by_label("Amount (£)").fill("-120.00")
    page.get_by_role("button", name="Add the line").click()
    expect(main.locator(".nhsuk-error-summary")).to_contain_text(
        "cannot be negative unless it is marked as a refund"
    )
    assert_accessible()
    assert not SpendLine.objects.filter(quarter__start=current, quarter__hub__slug="manchester").exists()

    main.get_by_label("Amount (£)").fill("1250.40")
    page.get_by_role("button", name="Add the line").click()
    expect(main.locator("table")).to_contain_text("£1,250.40")
    page.get_by_role("button", name="Submit the quarter to evaluators").click()
    expect(main).to_contain_text("Submitted")
    assert_accessible()

    page.context.clear_cookies()
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)
    quarter = SpendQuarter.objects.get(hub__slug="manchester", start=current)
    visit(f"/value/spend/quarters/{quarter.pk}/")
    main.get_by_label("Approve").check()
    page.get_by_role("button", name="Save the review").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("approved")
    assert_accessible()
    visit("/value/spend/")
    expect(main.locator("table")).to_contain_text("Manchester")
    quarter.refresh_from_db()
    assert quarter.status == SpendQuarter.Status.APPROVED
