"""A hub lead rates an adoption's complexity, on the demo data; everyone then sees the profile. axe on every page.

staff-dorset opens an adoption whose check is due, sends the form with a domain left
unrated (the error summary links to it, nothing is saved), rates it and saves: the
adoption page shows the new profile and how each domain moved; the stages dashboard and
the catalogue entry show the latest profile, the seven domains on opening it.
"""

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from innovations.complexity import DOMAINS
from innovations.models import Adoption, ComplexityCheck


def test_a_lead_rates_an_adoptions_complexity(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    adoption = Adoption.objects.filter(hub__slug="dorset", archived=False).order_by("pk").first()
    before = ComplexityCheck.objects.filter(adoption=adoption).count()

    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit(adoption.get_absolute_url())
    main = page.locator("main")
    expect(main.locator("#complexity-history")).to_be_visible()
    main.get_by_role("link", name="Add a complexity check").click()
    visit(page.url)

    for _, label in DOMAINS[:-1]:
        main.get_by_role("group", name=label).get_by_label("Complicated").check()
        main.get_by_label(f"Why {label.lower()} is rated so").fill(f"A plausible reason for {label.lower()}.")
    page.get_by_role("button", name="Save the check").click()
    summary = main.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(
        "Rate embedding and adaptation over time: simple, complicated or complex."
    )
    expect(summary).to_contain_text("Say in a few words why embedding and adaptation over time is rated so.")
    assert_accessible()
    assert ComplexityCheck.objects.filter(adoption=adoption).count() == before

    label = DOMAINS[-1][1]
    main.get_by_role("group", name=label).get_by_label("Complex", exact=True).check()
    main.get_by_label(f"Why {label.lower()} is rated so").fill("Still adapting the model month by month.")
    page.get_by_role("button", name="Save the check").click()
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text("The complexity check is saved.")
    expect(main).to_contain_text("1 complex, 6 complicated, checked")
    today = timezone.localdate()
    expect(main.locator("#complexity-history thead")).to_contain_text(f"{today.day} {today:%b %Y}")
    assert_accessible()

    visit("/evaluation/stages/")
    profile = main.locator(".hp-complexity-profile").filter(has_text=f"checked {today.day} {today:%b %Y}")
    expect(profile).to_have_count(1)
    expect(profile).to_contain_text("1 complex, 6 complicated")
    profile.locator("summary").click()
    expect(profile).to_contain_text("Embedding and adaptation over time: complex")
    assert_accessible()
    visit(f"/innovations/{adoption.innovation.slug}/")
    expect(main).to_contain_text("1 complex, 6 complicated")
