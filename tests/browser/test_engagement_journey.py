"""A hub lead logs a workshop with two partners and adds a partner, on the demo data; an evaluator sees who works with
whom. axe on every page.

staff-dorset (Dorset's lead) opens the engagement log from the hub page, sends a workshop with more people trained
than reached (the error summary says so, nothing is saved), corrects it and saves it with two partners taking part;
on the partners page, a joining day in the future is refused the same way. The evaluator opens the cross-hub page:
the partner matrix and the quarter's counts include the workshop.
"""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from hubs.models import EngagementEvent, Hub


def test_a_lead_logs_a_workshop_with_two_partners(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    hub = Hub.objects.get(slug="dorset")
    before = EngagementEvent.objects.filter(hub=hub).count()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit(hub.get_absolute_url())
    main = page.locator("main")
    main.get_by_role("link", name="Engagement log: events, workshops and training").click()
    assert_accessible()
    main.get_by_role("link", name="Log an event").click()
    main.get_by_label("Date").fill(yesterday.isoformat())
    main.get_by_label("Workshop").check()
    main.get_by_label("Title").fill("Hypertension pathway workshop with coastal practices")
    main.get_by_label("Dorset Council").check()
    main.get_by_label("Help and Care").check()
    main.get_by_label("People reached").fill("18")
    main.get_by_label("People trained").fill("25")
    page.get_by_role("button", name="Save event").click()
    expect(main.locator(".nhsuk-error-summary")).to_contain_text("no more than the people reached")
    assert_accessible()
    assert EngagementEvent.objects.filter(hub=hub).count() == before

    main.get_by_label("People trained").fill("6")
    page.get_by_role("button", name="Save event").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("in the hub's engagement log")
    expect(main).to_contain_text("Dorset Council; Help and Care")
    assert_accessible()

    visit(f"/hubs/{hub.slug}/partners/")
    main.get_by_role("link", name="Add a partner").click()
    main.get_by_label("Organisation").select_option(index=1)
    main.get_by_label("Joined on").fill((timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Add partner").click()
    expect(main.locator(".nhsuk-error-summary")).to_contain_text("it cannot be in the future")
    assert_accessible()

    page.context.clear_cookies()
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)
    visit("/hubs/network/")
    expect(main.locator("#matrix-caption")).to_be_visible()
    expect(main).to_contain_text("Help and Care")
    expect(main.locator("svg title").first).to_contain_text("People reached and trained per quarter")
    assert_accessible()
