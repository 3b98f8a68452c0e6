"""What a hub is worth, end to end on the demo data, with axe on every page.

Dorset's lead (staff-dorset) enters and submits this quarter's spend, adds a benefit to an
adoption and records its realised value, logs a workshop with two partners, and rates the
adoption's complexity; then an evaluator approves the quarter and sees it in the cross-hub view.
The refusals along each of these ways have journeys of their own (test_spend_journey,
test_benefits_journey, test_engagement_journey, test_complexity_check).
"""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from core.quarters import quarter_label, quarter_start
from hubs.models import Hub
from innovations.complexity import DOMAINS
from innovations.models import Adoption
from value.models import SpendQuarter
from value.spend import spent
from value.templatetags.value_tags import pence


def test_a_lead_records_what_the_hub_spent_and_gained_and_an_evaluator_approves_the_spend(
    page, visit, log_in, assert_accessible
):
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    current = quarter_start(today)
    adoption = Adoption.objects.filter(hub__slug="dorset", archived=False).order_by("pk").first()
    approved_before = spent(hub=Hub.objects.get(slug="dorset"))
    main = page.locator("main")
    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)

    # This quarter's spend, entered and submitted.
    visit("/hubs/dorset/")
    main.get_by_role("link", name="Spend against the award").click()
    main.get_by_role("link", name="Enter a quarter's spend").click()
    main.get_by_label("Quarter").fill(f"{current.year} Q{(current.month - 1) // 3 + 1}")
    page.get_by_role("button", name="Start the quarter").click()
    expect(main.get_by_role("heading", level=1)).to_have_text(f"Spend for {quarter_label(current)}")
    main.get_by_label("Category").select_option(label="Engagement and events")
    main.get_by_label("Amount (£)").fill("2400.00")
    page.get_by_role("button", name="Add the line").click()
    expect(main.locator("table")).to_contain_text("£2,400.00")
    page.get_by_role("button", name="Submit the quarter to evaluators").click()
    expect(main).to_contain_text("Submitted")
    assert_accessible()

    # A benefit of the adoption, and what it has released so far.
    visit(adoption.get_absolute_url())
    main.get_by_role("link", name="Add a benefit").click()
    main.get_by_label("Title").fill("Fewer GP appointments for blood pressure checks")
    main.get_by_label("Kind").select_option(label="Cash-releasing")
    main.get_by_label("Expected value").fill("12000")
    main.get_by_label("Unit").select_option(label="Pounds (£)")
    main.get_by_label("Expected by").fill(f"{today.year + 1}-03-31")
    page.get_by_role("button", name="Add the benefit").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("is added")
    main.get_by_role("link", name="Record the realised value").click()
    main.get_by_label("Realised to date (Pounds (£))").fill("3000")
    main.get_by_label("Realised up to").fill((today - datetime.timedelta(days=2)).isoformat())
    main.get_by_label("Evidence", exact=True).fill("Practice appointment counts against the year before")
    page.get_by_role("button", name="Record the realised value").click()
    expect(main).to_contain_text("£3,000")
    assert_accessible()

    # A workshop with two partners, in the hub's engagement log.
    visit("/hubs/dorset/")
    main.get_by_role("link", name="Engagement log: events, workshops and training").click()
    main.get_by_role("link", name="Log an event").click()
    main.get_by_label("Date").fill((today - datetime.timedelta(days=1)).isoformat())
    main.get_by_label("Workshop").check()
    main.get_by_label("Title").fill("Home blood pressure monitoring workshop")
    main.get_by_label("Dorset Council").check()
    main.get_by_label("Help and Care").check()
    main.get_by_label("People reached").fill("30")
    main.get_by_label("People trained").fill("12")
    page.get_by_role("button", name="Save event").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("in the hub's engagement log")
    expect(main).to_contain_text("Dorset Council; Help and Care")
    assert_accessible()

    # The adoption's complexity, rated in each of the seven domains.
    visit(adoption.get_absolute_url())
    main.get_by_role("link", name="Add a complexity check").click()
    for _, label in DOMAINS:
        main.get_by_role("group", name=label).get_by_label("Complicated").check()
        main.get_by_label(f"Why {label.lower()} is rated so").fill(f"Several teams share {label.lower()}.")
    page.get_by_role("button", name="Save the check").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("The complexity check is saved.")
    expect(main).to_contain_text("7 complicated, checked")
    assert_accessible()

    # The evaluator approves the quarter; the cross-hub view counts it.
    page.context.clear_cookies()
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)
    quarter = SpendQuarter.objects.get(hub__slug="dorset", start=current)
    visit(f"/value/spend/quarters/{quarter.pk}/")
    main.get_by_label("Approve").check()
    page.get_by_role("button", name="Save the review").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("approved")
    assert_accessible()
    visit("/value/spend/")
    dorset = main.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Dorset"))
    expect(dorset).to_contain_text(pence(approved_before + 2400))
    assert_accessible()
    quarter.refresh_from_db()
    assert quarter.status == SpendQuarter.Status.APPROVED
