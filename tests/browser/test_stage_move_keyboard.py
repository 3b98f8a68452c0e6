"""A stage move recorded with the keyboard alone: Tab to the stages, arrows to choose, type, Enter.

On the demo data, as staff-dorset. Every page visited is scanned with axe-core.
"""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from innovations.models import Adoption
from innovations.stages import allowed_moves

MAX_TABS = 80


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, type: el.type || "", name: el.name || "", value: el.value || "",
                    checked: !!el.checked, text: (el.textContent || "").trim()};
        }"""
    )


def date_keys(page: Page, day: datetime.date) -> str:
    """The keys a user types for ``day`` in a date field, in the order this browser shows its parts.

    Chromium lays a date field out in its own interface language (en-US where Debian's
    chromium-l10n is not installed), whatever the page's locale, so ask it once on a scratch page.
    """
    probe = page.context.new_page()
    probe.set_content('<input type="date" aria-label="probe">')
    probe.focus("input")
    probe.keyboard.type("01022000")
    day_first = probe.eval_on_selector("input", "input => input.value") == "2000-02-01"
    probe.close()
    return day.strftime("%d%m%Y" if day_first else "%m%d%Y")


def tab_until(page: Page, matches) -> dict:
    """Press Tab until the focused element matches; fail if it never comes."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if matches(element):
            return element
    raise AssertionError("Tab never reached the element")


def test_a_stage_move_is_recorded_with_the_keyboard_alone(page, visit, log_in, assert_accessible):
    call_command("seed_demo", verbosity=0)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    adoption = (
        Adoption.objects.filter(hub__slug="dorset", archived=False, stage_since__lte=yesterday)
        .order_by("pk")
        .first()
    )
    first_choice, second_choice = allowed_moves(adoption.stage)[:2]
    transitions_before = adoption.transitions.count()

    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    keys = date_keys(page, yesterday)
    visit(f"/innovations/adoptions/{adoption.pk}/move/")

    # Tab lands on the first stage of the group; the down arrow moves to, and chooses, the next.
    radio = tab_until(page, lambda el: el["name"] == "to_stage")
    assert radio["value"] == first_choice.value and not radio["checked"]
    page.keyboard.press("ArrowDown")
    radio = focused(page)
    assert (radio["value"], radio["checked"]) == (second_choice.value, True)

    # Tab leaves the group for the date, which shows today: type yesterday over it.
    date = tab_until(page, lambda el: el["name"] == "date")
    assert date["type"] == "date"
    page.keyboard.type(keys)
    expect(page.locator("input[name=date]")).to_have_value(yesterday.isoformat())

    tab_until(page, lambda el: el["name"] == "reason")
    page.keyboard.type("Agreed at the steering group")

    # Enter on the button submits the form.
    button = tab_until(page, lambda el: el["tag"] == "BUTTON")
    assert button["text"] == "Record the move"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url.endswith(f"/innovations/adoptions/{adoption.pk}/")
    main = page.locator("main")
    expect(main.locator(".nhsuk-notification-banner")).to_contain_text(f"Moved to “{second_choice.label}”")
    expect(main).to_contain_text("Reason: Agreed at the steering group")
    assert_accessible()
    adoption.refresh_from_db()
    assert (adoption.stage, adoption.stage_since) == (second_choice.value, yesterday)
    assert adoption.transitions.count() == transitions_before + 1
    assert adoption.transitions.order_by("-recorded_at").first().reason == "Agreed at the steering group"
