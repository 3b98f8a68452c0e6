"""A hub member searches the innovation catalogue and learns how far every hub has got with a result.

Every page visited is scanned with axe-core (WCAG 2.2 AA).
"""

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from innovations.models import Adoption


def test_a_hub_member_searches_the_catalogue_and_reads_the_cross_hub_view(page, visit, log_in):
    call_command("seed_demo", verbosity=0)
    adopters = list(
        Adoption.objects.current()
        .filter(innovation__slug="bp-at-home")
        .order_by("hub__name")
        .values_list("hub__name", flat=True)
    )
    assert len(adopters) > 1  # the point of the page: more than one hub to learn from

    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Innovations").click()
    visit(page.url)
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Innovation catalogue")

    main.get_by_label("Search the catalogue").fill("blood pressure")
    main.get_by_role("button", name="Search").click()
    visit(page.url)
    results = main.get_by_role("heading", level=2)
    expect(results.get_by_role("link", name="BP@home", exact=True)).to_be_visible()
    expect(
        results.get_by_role("link", name="Community pharmacy hypertension case-finding", exact=True)
    ).to_be_visible()
    expect(results.get_by_role("link", name="FeNO testing in primary care")).to_have_count(0)

    results.get_by_role("link", name="BP@home", exact=True).click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("BP@home")
    expect(main).to_contain_text("blood-pressure monitor")
    table = main.get_by_role("table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(adopters))
    for n, hub in enumerate(adopters):
        expect(rows.nth(n).get_by_role("rowheader")).to_have_text(hub)
        expect(rows.nth(n).locator(".nhsuk-tag")).to_be_visible()
        expect(rows.nth(n)).to_contain_text(" days)")
    # Hub staff read the catalogue; they do not curate it.
    expect(main.get_by_role("link", name="Edit the entry")).to_have_count(0)

    # From the cross-hub view to another hub's adoption of it.
    other = next(hub for hub in adopters if hub != "Dorset")
    main.get_by_role("link", name=f"View {other}'s adoption").click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("BP@home")
    expect(main).to_contain_text(other)


def test_a_proposal_that_repeats_an_entry_is_refused_accessibly_with_a_link_to_it(
    page, visit, log_in, assert_accessible
):
    call_command("seed_demo", verbosity=0)
    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit("/innovations/propose/")
    page.get_by_label("Name").fill("bp@HOME")
    page.get_by_label("Summary").fill("Blood-pressure monitors at home.")
    page.get_by_label("Remote monitoring and virtual care").check()
    page.get_by_label("National programme with published evaluation").check()
    page.get_by_role("button", name="Propose the innovation").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The catalogue already has “BP@home”")
    assert_accessible()
    page.locator("#id_name-error").get_by_role("link", name="see the existing entry").click()
    visit(page.url)
    expect(page.locator("main").get_by_role("heading", level=1)).to_have_text("BP@home")


def test_an_ahsn_admin_approves_a_proposal_and_opens_the_curation_pages(
    page, visit, log_in, assert_accessible
):
    call_command("seed_demo", verbosity=0)
    visit("/accounts/login/")
    log_in("ahsn-admin", settings.DEMO_PASSWORD)
    visit("/innovations/health-checks-at-traveller-sites/")
    main = page.locator("main")
    expect(main.get_by_role("strong").filter(has_text="Proposed").first).to_be_visible()
    main.get_by_role("button", name="Approve the proposal").click()
    expect(main.get_by_role("status")).to_contain_text("is approved and listed for everyone")
    expect(main.get_by_role("button", name="Approve the proposal")).to_have_count(0)
    assert_accessible()

    visit("/innovations/bp-at-home/")
    main.get_by_role("link", name="Edit the entry").click()
    visit(page.url)
    visit("/innovations/bp-at-home/merge/")
    expect(page.get_by_label("Merge into")).to_be_visible()
