"""A hub's lead keeps its breakdowns: adds a PLUS group, enters the local population, archives a group.

Every page is scanned with axe (WCAG 2.2 AA), the refused form too.
"""

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from evaluation.models import BreakdownGroup, PopulationShare


def test_a_hubs_lead_adds_a_plus_group_enters_its_population_and_archives_it(
    page, visit, log_in, assert_accessible
):
    call_command("seed_demo", verbosity=0)
    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    main = page.locator("main")

    visit("/hubs/dorset/")
    main.get_by_role("link", name="Breakdowns: the hub's PLUS groups and local population").click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("Breakdowns")
    groups = main.get_by_role("table", name="Dorset's own PLUS groups")
    expect(groups.get_by_role("rowheader", name="Coastal communities")).to_be_visible()

    # A name already taken is refused next to the field, with the error summary; a new one is added.
    main.get_by_label("Name of the group").fill("coastal communities")
    main.get_by_role("button", name="Add the group").click()
    assert_accessible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Dorset already has a group called “Coastal communities”."
    )
    main.get_by_label("Name of the group").fill("People who are carers")
    main.get_by_role("button", name="Add the group").click()
    assert_accessible()
    expect(main).to_contain_text("“People who are carers” is added")
    expect(groups.get_by_role("rowheader", name="People who are carers")).to_be_visible()

    # Its share of the local population, bounded, from a named source.
    main.get_by_role("link", name="Enter the shares of Dorset by PLUS group").click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("Local population: PLUS group")
    main.get_by_label("People who are carers (%)").fill("120")
    main.get_by_role("button", name="Save the shares").click()
    assert_accessible()
    expect(page.get_by_role("alert")).to_contain_text("Enter a number no larger than 100.")
    main.get_by_label("People who are carers (%)").fill("9.5")
    main.get_by_label("Source", exact=True).fill("Dorset carers' survey")
    main.get_by_label("Date of the source").fill("2025-05-01")
    main.get_by_role("button", name="Save the shares").click()
    assert_accessible()
    expect(main).to_contain_text("Dorset's population shares are saved: PLUS group.")
    expect(main.get_by_role("table", name="Local population: PLUS group")).to_contain_text("9.5%")
    assert PopulationShare.objects.get(group__label="People who are carers").share == 9.5

    # Archived: kept with its figures, no longer offered in the grid.
    main.get_by_role("button", name="Archive People who are carers").click()
    assert_accessible()
    expect(main).to_contain_text("“People who are carers” is archived")
    assert BreakdownGroup.objects.get(label="People who are carers").archived
    adoption = BreakdownGroup.objects.get(label="People who are carers").hub.adoptions.first()
    visit(f"/evaluation/adoptions/{adoption.pk}/figures/?breakdown=plus")
    visit(page.url)
    expect(main).to_contain_text("PLUS group: Coastal communities")
    expect(main).not_to_contain_text("carers")
