"""A hub member's working session, end to end on the demo data, every page scanned with axe-core:
find an innovation, start adopting it, move it two stages forward and one back (the last
move with the keyboard alone), report three months of figures, upload a file with a bad
row, correct it, add a lesson, then read it all on the adoption page and in its history."""

import datetime
import re

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.models import Measurement
from innovations.models import Adoption

INNOVATION = "FeNO testing in primary care"  # adopted in Cambridgeshire, not yet in Dorset


def month_starts(count: int) -> list[datetime.date]:
    """The last ``count`` complete months, oldest first."""
    month = timezone.localdate().replace(day=1)
    months = []
    for _ in range(count):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.insert(0, month)
    return months


def upload(page, name: str, rows: list[str]):
    page.get_by_label("File of figures").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}]
    )
    page.get_by_role("button", name="Check the file").click()


def test_a_hub_member_logs_an_adoption_from_start_to_lessons(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    months = month_starts(3)
    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    main = page.locator("main")

    # Find the innovation and start adopting it.
    visit("/innovations/")
    page.get_by_role("textbox", name="Search the catalogue").fill("nitric oxide asthma")
    page.get_by_role("button", name="Search").click()
    assert_accessible()
    main.get_by_role("link", name=INNOVATION, exact=True).click()
    visit(page.url)
    expect(main).to_contain_text("Cambridgeshire and Peterborough")  # who already adopts it
    main.get_by_role("link", name="Start adopting it in your hub").click()
    visit(page.url)
    page.get_by_label("Date the hub identified it").fill(months[0].isoformat())
    page.get_by_label("Aims").fill("Confirm asthma diagnoses in children in coastal towns")
    page.get_by_role("button", name="Start the adoption").click()
    adoption = Adoption.objects.get(hub__slug="dorset", innovation__name=INNOVATION)
    expect(page).to_have_url(re.compile(rf"/innovations/adoptions/{adoption.pk}/$"))
    assert_accessible()

    # Two stages forward, then one back with a reason, the last with the keyboard alone.
    for stage in ("Assessing", "Decided to adopt"):
        main.get_by_role("link", name="Move to another stage").click()
        visit(page.url)
        page.get_by_label(stage, exact=True).check()
        page.get_by_role("button", name="Record the move").click()
        expect(main).to_contain_text(f"Moved to “{stage}”")
    main.get_by_role("link", name="Move to another stage").click()
    visit(page.url)
    page.get_by_label("Assessing", exact=True).focus()
    page.keyboard.press("Space")
    page.get_by_label("Reason").focus()
    page.keyboard.type("The practice nurses need training before we decide")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(main).to_contain_text("Moved to “Assessing”")
    assert_accessible()

    # Choose what to report, then three months of figures.
    main.get_by_role("link", name="Choose indicators").click()
    visit(page.url)
    page.get_by_label("Metric").select_option(label="People enrolled (people)")
    page.get_by_role("button", name="Add indicator").click()
    assert_accessible()
    for month, value in zip(months, ("12", "19", "1,024"), strict=True):
        visit(f"/evaluation/adoptions/{adoption.pk}/figures/{month:%Y-%m}/")
        page.get_by_label(f"People enrolled, all people, {month:%B %Y}").fill(value)
        page.get_by_role("button", name="Save figures").click()
        expect(main).to_contain_text("Saved 1 figure")
    assert Measurement.objects.filter(indicator__adoption=adoption, group=None).count() == 3

    # The newest month broken down by ethnic group, chosen on the grid.
    visit(f"/evaluation/adoptions/{adoption.pk}/figures/{months[-1]:%Y-%m}/")
    page.get_by_label("Break the figures down by").select_option(label="Ethnic group")
    page.get_by_role("button", name="Show").click()
    page.get_by_label(f"People enrolled, Ethnic group: White, {months[-1]:%B %Y}").fill("800")
    page.get_by_role("button", name="Save figures").click()
    expect(main).to_contain_text("Saved 1 figure")
    assert_accessible()
    assert Measurement.objects.get(indicator__adoption=adoption, group__code="white").value == 800

    # An upload with a bad row is refused, naming the row; the corrected file imports.
    header = "metric,month,imd_quintile,value,numerator,denominator"
    good = [
        f"people-enrolled,{months[-1]:%Y-%m},{q},{v},,"
        for q, v in zip(range(1, 6), (300, 250, 200, 150, 100), strict=True)
    ]
    bad = [*good[:2], f"people-enrolled,{months[-1]:%Y-%m},3,-5,,", *good[3:]]
    visit(f"/evaluation/adoptions/{adoption.pk}/upload/")
    upload(page, "figures.csv", [header, *bad])
    expect(main).to_contain_text("Row 4")
    expect(main).to_contain_text("The value cannot be negative.")
    assert_accessible()
    main.get_by_role("link", name="Upload the corrected file").click()
    visit(page.url)
    upload(page, "figures-corrected.csv", [header, *good])
    page.get_by_role("button", name="Import 5 figures").click()
    expect(main).to_contain_text("Figures imported")
    assert_accessible()
    assert Measurement.objects.filter(indicator__adoption=adoption, group__dimension__code="imd").count() == 5

    # A lesson, then everything on the adoption page and in its history.
    visit(f"/innovations/adoptions/{adoption.pk}/")
    main.get_by_role("link", name="Add a barrier, enabler, lesson or adaptation").click()
    visit(page.url)
    page.get_by_label("Lesson", exact=True).check()
    page.get_by_label("Individuals", exact=True).check()
    page.get_by_label("Title").fill("Train the nurses first")
    page.get_by_label("Text").fill("Two **half-day** sessions were enough.")
    page.get_by_role("button", name="Save the note").click()
    expect(main).to_contain_text("Two half-day sessions were enough.")
    assert_accessible()

    visit(f"/innovations/adoptions/{adoption.pk}/")
    for text in (
        "Assessing",
        "The practice nurses need training before we decide",
        "People enrolled",
        "Train the nurses first",
        "History",
        "Created",
    ):
        expect(main).to_contain_text(text)
