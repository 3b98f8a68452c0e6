"""A hub lead adds a benefit and its realised value, and signs it off, on the demo data; axe on every page.

staff-dorset (Dorset's lead) opens an adoption, adds a cash-releasing benefit in hours
(refused next to the unit, nothing saved), then in pounds; records a realised value with
no evidence (refused), then with it; signs it off; the hub's benefits page shows the
totals by kind and the return per pound of approved spend with its caveats.
"""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from innovations.models import Adoption
from value.models import Benefit, RealisedValue


def test_a_lead_adds_a_benefit_records_and_signs_off_its_realised_value(
    page, visit, log_in, assert_accessible
):
    call_command("seed_demo", verbosity=0)
    adoption = Adoption.objects.filter(hub__slug="dorset", archived=False).order_by("pk").first()
    before = Benefit.objects.count()

    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit(adoption.get_absolute_url())
    main = page.locator("main")
    expect(main.locator("#benefits-heading")).to_be_visible()
    main.get_by_role("link", name="Add a benefit").click()
    visit(page.url)

    main.get_by_label("Title").fill("Fewer wound clinic visits")
    main.get_by_label("Kind").select_option(label="Cash-releasing")
    main.get_by_label("Expected value").fill("15000.50")
    main.get_by_label("Unit").select_option(label="Staff hours")
    main.get_by_label("Expected by").fill("2027-03-31")
    page.get_by_role("button", name="Add the benefit").click()
    expect(main.locator(".nhsuk-error-summary")).to_contain_text(
        "A cash-releasing benefit is measured in pounds"
    )
    assert_accessible()
    assert Benefit.objects.count() == before

    main.get_by_label("Unit").select_option(label="Pounds (£)")
    page.get_by_role("button", name="Add the benefit").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("is added")
    expect(main).to_contain_text("£15,000.50 by 31 March 2027")
    assert_accessible()

    main.get_by_role("link", name="Record the realised value").click()
    visit(page.url)
    main.get_by_label("Realised to date (Pounds (£))").fill("4000")
    main.get_by_label("Realised up to").fill((timezone.localdate() - datetime.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Record the realised value").click()
    expect(main.locator(".nhsuk-error-summary")).to_contain_text("Say what the evidence is.")
    assert_accessible()
    assert not RealisedValue.objects.filter(benefit__title="Fewer wound clinic visits").exists()
    main.get_by_label("Evidence", exact=True).fill("Clinic activity report, Q2, against the year before")
    page.get_by_role("button", name="Record the realised value").click()
    expect(main).to_contain_text("£4,000")
    expect(main).to_contain_text("Not signed off")
    assert_accessible()

    main.get_by_role("link", name="Sign off the latest realised value").click()
    visit(page.url)
    page.get_by_role("button", name="Sign off this value").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("signed off")
    expect(main).to_contain_text("Amy Carter")
    assert_accessible()

    visit(f"/value/hubs/{adoption.hub.slug}/benefits/")
    expect(main).to_contain_text("Fewer wound clinic visits")
    expect(main).to_contain_text("per £1 spent")
    main.get_by_text("What this return leaves out").click()
    expect(main).to_contain_text("deadweight")
    assert_accessible()
