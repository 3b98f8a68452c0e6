"""An evaluator follows a concern from the board to its annotated chart, then to the funnel plot of
its metric across hubs, and back to the board as they left it. Every page is scanned with axe.

On the demo data, Bradford and Craven's blood pressure control (a percentage, higher is better)
falls for its last eight months: a special cause concern, lower values.
"""

from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from evaluation import mdc

METRIC = "Blood pressure controlled to target"
HUB = "Bradford and Craven"


def test_an_evaluator_follows_a_concern_to_its_annotated_chart_and_its_funnel(
    page, visit, log_in, assert_accessible
):
    call_command("seed_demo", verbosity=0)
    visit("/accounts/login/")
    log_in("evaluator", settings.DEMO_PASSWORD)
    main = page.locator("main")

    # The board, narrowed to the hub's concerns that fall.
    visit("/evaluation/summary/")
    main.get_by_label("Hub").select_option(label=HUB)
    main.get_by_label("Signal").select_option(label=mdc.variation_label(mdc.CONCERN_LOW))
    main.get_by_role("button", name="Apply filters").click()
    board_url = page.url
    assert "signal=concern-lower" in board_url
    board = main.locator("table.hp-board")
    expect(board.get_by_role("rowheader", name=f"Hub: {HUB}")).to_be_visible()
    row = board.locator("tbody tr").filter(has_text=METRIC)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(mdc.variation_label(mdc.CONCERN_LOW))
    assert_accessible()

    # Its chart, with the events of its months marked under them and listed below it.
    row.get_by_role("link", name=METRIC).click()
    expect(main.get_by_role("heading", level=1)).to_contain_text(METRIC)
    chart = main.get_by_role("img", name=f"XmR chart of {METRIC}")
    expect(chart.locator("desc")).to_contain_text("Marked under the months:")
    expect(main.get_by_role("list", name="Key to the chart")).to_contain_text(
        mdc.variation_label(mdc.CONCERN_LOW)
    )
    events = main.get_by_role("table", name="Events marked on the chart")
    expect(events).to_contain_text("Stage move")
    assert_accessible()

    # The funnel plot of the same metric: every hub reporting it, Bradford and Craven among them.
    main.get_by_role("link", name="Compare every hub on this metric (funnel plot)").click()
    expect(main.get_by_role("heading", level=1)).to_have_text(METRIC)
    funnel = main.get_by_role("img", name=f"Funnel plot of {METRIC}", exact=False)
    expect(funnel.locator("text", has_text=HUB)).to_have_count(1)
    expect(main.get_by_role("rowheader", name=HUB, exact=False)).to_be_visible()
    assert_accessible()

    # Back twice: the chart, then the board with its filter as it was.
    page.go_back()
    expect(main.get_by_role("img", name=f"XmR chart of {METRIC}")).to_be_visible()
    page.go_back()
    assert page.url == board_url
    expect(main.get_by_label("Signal")).to_have_value("concern-lower")
    expect(board.locator("tbody tr").filter(has_text=METRIC)).to_have_count(1)
