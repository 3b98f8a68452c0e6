"""A hub member's first visit, on the demo data: home, hub directory, hub page, an adoption.

Every page visited is scanned with axe-core (WCAG 2.2 AA).
"""

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from innovations.models import Adoption


def test_a_hub_member_sees_only_their_hubs_adoptions_then_browses_the_hubs(page, visit, log_in):
    call_command("seed_demo", verbosity=0)
    dorset = set(
        Adoption.objects.current().filter(hub__slug="dorset").values_list("innovation__name", flat=True)
    )
    elsewhere_only = set(
        Adoption.objects.current()
        .exclude(innovation__name__in=dorset)
        .values_list("innovation__name", flat=True)
    )
    assert dorset and elsewhere_only

    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit("/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Your to-do list")
    expect(main.get_by_role("heading", level=2, name="Your hubs' adoptions")).to_be_visible()
    for name in dorset:
        expect(main.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in elsewhere_only:
        expect(main.get_by_role("link", name=name, exact=True)).to_have_count(0)

    page.get_by_role("navigation").get_by_role("link", name="Hubs").click()
    visit(page.url)
    for hub in ("Dorset", "Bradford and Craven", "Cambridgeshire and Peterborough", "Manchester"):
        expect(main.get_by_role("link", name=hub, exact=True)).to_be_visible()
    expect(main).to_contain_text("Wessex AHSN")

    main.get_by_role("link", name="Manchester", exact=True).click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("Manchester")
    # Another hub's page is readable, but not editable.
    expect(main.get_by_role("link", name="Edit the hub's profile")).to_have_count(0)

    main.get_by_role("link", name="Virtual wards (hospital at home)", exact=True).click()
    visit(page.url)
    expect(main).to_contain_text("Stage history")
    expect(main.get_by_role("link", name="Move to another stage")).to_have_count(0)


def test_a_refused_stage_move_explains_itself_accessibly(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    adoption = Adoption.objects.filter(hub__slug="dorset", archived=False).exclude(stage="identified").first()
    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit(f"/innovations/adoptions/{adoption.pk}/move/")
    page.get_by_label("Paused").check()
    page.get_by_role("button", name="Record the move").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("needs a reason")
    assert_accessible()
    adoption.refresh_from_db()
    assert adoption.stage != "paused"


def test_an_ahsn_admin_sees_the_programme_overview(page, visit, log_in):
    call_command("seed_demo", verbosity=0)
    visit("/accounts/login/")
    log_in("ahsn-admin", settings.DEMO_PASSWORD)
    visit("/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Your to-do list")
    main.get_by_role("link", name="Programme overview").click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("Programme overview")
    for hub in ("Dorset", "Bradford and Craven", "Cambridgeshire and Peterborough", "Manchester"):
        expect(main.get_by_role("link", name=hub, exact=True)).to_be_visible()
