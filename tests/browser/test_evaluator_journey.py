"""An evaluator's weekly round on the demo data, every page scanned with axe-core:
the summary, filtered to concerns; an indicator; a rebase; approving one month and
returning another with a note; and the CSV export."""

import re

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from evaluation.mdc import CONCERNS
from evaluation.models import IndicatorSummary, Measurement, RebasePoint


def test_an_evaluator_reviews_concerns_rebases_approves_returns_and_exports(
    page, visit, log_in, assert_accessible
):
    call_command("seed_demo", verbosity=0)
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)

    visit("/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Your to-do list")
    main.get_by_role("link", name="Indicators across the hubs").click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text("Indicators across hubs")
    main.get_by_label("Signal").select_option(label="Special cause concern: higher or lower values")
    main.get_by_role("button", name="Apply filters").click()
    assert_accessible()
    concerns = IndicatorSummary.objects.filter(variation__in=CONCERNS)
    # One row per indicator (each headed by its metric), under its hub's heading; each row's words
    # say which way its concern went, never a concern without its direction.
    indicator_rows = main.locator("tbody tr", has=page.locator("th[scope=row]"))
    expect(indicator_rows).to_have_count(concerns.count())
    for row in indicator_rows.all():
        expect(row).to_contain_text(re.compile(r"Special cause concern: (higher|lower) values"))
    indicator = (
        concerns.select_related("indicator__metric")
        .order_by("indicator__adoption__hub__name")
        .first()
        .indicator
    )

    with page.expect_download() as download:
        main.get_by_role("link", name="Download these indicators as CSV").click()
    exported = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert len(exported) == concerns.count() + 1  # the header, then one line per concern

    indicator_rows.first.get_by_role("link", name=indicator.metric.name).click()
    visit(page.url)
    expect(main.get_by_role("heading", level=1)).to_have_text(indicator.metric.name)

    main.get_by_role("link", name="Add a rebase point").click()
    visit(page.url)
    page.get_by_label("First month of the new limits").select_option(index=6)
    page.get_by_label("Reason for the rebase").fill("New referral pathway from the emergency department")
    page.get_by_role("button", name="Add the rebase").click()
    expect(main).to_contain_text("New referral pathway from the emergency department")
    assert RebasePoint.objects.filter(indicator=indicator).count() == 1
    assert_accessible()

    awaiting = list(
        Measurement.objects.filter(indicator=indicator, status=Measurement.Status.SUBMITTED)
        .order_by("period")
        .values_list("period", flat=True)
        .distinct()
    )
    to_approve, to_return = awaiting[0], awaiting[1]

    main.get_by_role("link", name=f"Review {to_approve:%b %Y}").click()
    visit(page.url)
    page.get_by_role("button", name="Approve all figures for this month").click()
    expect(main).to_contain_text("approved")
    assert_accessible()

    visit(f"/evaluation/indicators/{indicator.pk}/review/{to_return:%Y-%m}/")
    page.get_by_role("button", name="Return with a note").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    assert_accessible()
    page.get_by_label("Note to the hub").fill(
        "This is well below last month: please check the practice list."
    )
    page.get_by_role("button", name="Return with a note").click()
    expect(main).to_contain_text("returned")
    assert_accessible()

    statuses = dict(
        Measurement.objects.filter(
            indicator=indicator, period__in=[to_approve, to_return], group=None
        ).values_list("period", "status")
    )
    assert statuses == {to_approve: "approved", to_return: "returned"}
    assert Measurement.objects.get(indicator=indicator, period=to_return, group=None).review_note.startswith(
        "This is well below"
    )
