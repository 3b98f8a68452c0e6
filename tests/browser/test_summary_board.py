"""The Making Data Count board and the wide dashboards at a laptop's width and a phone's, with axe.

At 1280 px every column of the board, the overview and the stages matrix is on screen: the page
does not scroll sideways and no table is wider than its box. At 390 px the board is a list of
cards, one per indicator, each line labelled, and still nothing scrolls sideways.
"""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from core.months import add_months
from evaluation.charts import long_month
from evaluation.models import IndicatorSummary

LAPTOP, PHONE = 1280, 390

# What sticks out: the page beyond the window, and any table beyond its own box (or the window).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > innerWidth) out.push(`page ${document.documentElement.scrollWidth}px`);
  for (const table of document.querySelectorAll("main table")) {
    const box = table.parentElement;
    const right = table.getBoundingClientRect().right;
    if (right > width) out.push(`table ${table.className} ends at ${right}px`);
    if (box.scrollWidth > box.clientWidth) out.push(`box of ${table.className} scrolls ${box.scrollWidth - box.clientWidth}px`);
  }
  return out;
}"""


def assert_fits(page: Page) -> None:
    assert page.evaluate(OVERFLOW) == [], page.url


@pytest.fixture
def evaluator_on(page, visit, log_in):
    call_command("seed_demo", verbosity=0)

    def sign_in(width: int):
        page.set_viewport_size({"width": width, "height": 900})
        visit("/accounts/login/")
        log_in("evaluator", settings.DEMO_PASSWORD)
        return page

    return sign_in


def test_the_board_fits_a_laptop_with_every_column_and_can_be_grouped_by_innovation(evaluator_on, visit):
    page = evaluator_on(LAPTOP)
    visit("/evaluation/summary/")
    main = page.locator("main")
    board = main.get_by_role("table", name="Indicators by hub, sorted by hub")
    for heading in ("Indicator", "Latest figure", "Last 12 months", "Variation", "Assurance", "Target"):
        expect(board.get_by_role("columnheader", name=heading)).to_be_in_viewport()
    expect(board.get_by_role("rowheader", name="Hub: Dorset")).to_be_visible()
    assert_fits(page)

    # Each sparkline is a picture named by its months.
    last = IndicatorSummary.objects.exclude(latest_period=None).latest("latest_period").latest_period
    months = f"Figures from {long_month(add_months(last, -11))} to {long_month(last)}"
    expect(board.get_by_role("img", name=months).first).to_be_visible()

    main.get_by_label("Group by").select_option(label="Innovation")
    main.get_by_role("button", name="Apply filters").click()
    visit(page.url)
    board = main.get_by_role("table", name="Indicators by innovation, sorted by hub")
    expect(board.get_by_role("rowheader", name="Innovation: BP@home")).to_be_visible()
    assert_fits(page)


def test_the_board_is_a_list_of_cards_on_a_phone(evaluator_on, visit):
    page = evaluator_on(PHONE)
    visit("/evaluation/summary/")
    board = page.locator("main table.hp-board")
    assert board.locator("thead").bounding_box()["height"] <= 1  # read out, not shown
    card = board.locator("tbody tr:has(th[scope=row])").first
    for label in ("Latest figure", "Last 12 months", "Variation", "Assurance", "Target", "Data completeness"):
        expect(card.get_by_text(label, exact=True)).to_be_visible()
    # A card's lines stack: the assurance is below the variation, not beside it.
    variation = card.locator("td.hp-board__icon").nth(0).bounding_box()
    assurance = card.locator("td.hp-board__icon").nth(1).bounding_box()
    assert assurance["y"] >= variation["y"] + variation["height"]
    assert_fits(page)


@pytest.mark.parametrize("width", [LAPTOP, PHONE])
def test_the_overview_and_stages_tables_fit(evaluator_on, visit, width):
    page = evaluator_on(width)
    main = page.locator("main")
    visit("/overview/")
    stages = main.get_by_role("region", name="Adoptions by stage")
    if width == LAPTOP:
        for heading in ("Hub", "Identified", "Abandoned", "Figures awaiting review"):
            expect(stages.get_by_role("columnheader", name=heading)).to_be_in_viewport()
    else:
        expect(stages.get_by_text("Figures awaiting review", exact=True).first).to_be_visible()
    assert_fits(page)

    visit("/evaluation/stages/")
    matrix = main.get_by_role("region", name="Current stage by innovation and hub")
    if width == LAPTOP:
        expect(matrix.get_by_role("columnheader", name="Manchester")).to_be_in_viewport()
    else:
        # Each innovation lists its hubs, each line naming its hub.
        row = matrix.get_by_role("row").filter(has=page.get_by_role("rowheader", name="BP@home"))
        expect(row.get_by_text("Dorset", exact=True)).to_be_visible()
    assert_fits(page)
