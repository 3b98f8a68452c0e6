"""Hub staff explain a data-quality flag in the monthly grid; an evaluator reads it and marks it checked.

On the demo data, whose figures raise flags when seeded. Every page visited is scanned with axe-core.
"""

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from evaluation.models import DataQualityFlag


def test_a_flag_is_explained_by_the_hub_and_checked_by_the_evaluator(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    flag = (
        DataQualityFlag.objects.filter(
            active=True, kind=DataQualityFlag.Kind.OUTSIDE_LIMITS, indicator__adoption__hub__slug="dorset"
        )
        .select_related("indicator__adoption")
        .order_by("-period")
        .first()
    )
    grid = f"/evaluation/adoptions/{flag.indicator.adoption_id}/figures/{flag.period:%Y-%m}/"
    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)

    visit(grid)
    main = page.locator("main")
    expect(main).to_contain_text(flag.detail)
    main.get_by_role(
        "link", name=f"Outside the process limits, {flag.indicator.metric.name}, {flag.period:%B %Y}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Explain a flag on {flag.period:%B %Y}")
    page.get_by_role("button", name="Save the explanation").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter an explanation")
    assert_accessible()
    page.get_by_label("Explanation").fill("A second clinic opened this month.")
    page.get_by_role("button", name="Save the explanation").click()
    expect(page.locator("main")).to_contain_text("Explanation from")
    expect(page.locator("main")).to_contain_text("A second clinic opened this month.")
    assert page.url.endswith(grid)
    assert_accessible()

    page.context.clear_cookies()
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)
    visit(f"/evaluation/indicators/{flag.indicator_id}/review/{flag.period:%Y-%m}/")
    flags = page.locator("main .hp-flags")
    expect(flags).to_contain_text("A second clinic opened this month.")
    flags.get_by_role(
        "button", name=f"Outside the process limits, {flag.indicator.metric.name}, {flag.period:%B %Y}"
    ).click()
    expect(page.locator("main")).to_contain_text("is marked checked")
    expect(page.locator("main .hp-flags")).to_contain_text("Checked")
    assert_accessible()
    flag.refresh_from_db()
    assert flag.checked_by.username == "evaluator" and flag.explained_by.username == "staff-dorset"
