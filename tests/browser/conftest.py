"""The browser rig: Playwright's sync API driving Debian's Chromium against a live server.

Every test in this folder is marked ``browser`` (``-m "not browser"`` skips them).
Where no Chromium is found the tests skip on a developer's machine and fail in
CI (``CI`` set), so a broken CI machine cannot pass by running nothing.

A test asks for ``page`` (a fresh browser context on the live server, so paths
are relative) and the bound helpers ``visit``, ``log_in`` and
``assert_accessible``; see ``test_login_page.py``.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser import axe

BROWSER_TESTS = Path(__file__).parent
CHROMIUM = os.environ.get("HUBPORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FAILURE_SCREENSHOTS = Path("test-results")
CALL_FAILED = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        reason = (
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(apt-get install chromium) or set HUBPORTAL_CHROMIUM"
        )
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, live_server) -> Iterator[Page]:
    """A page in a new context, so no cookies leak between tests.

    ``live_server`` brings ``transactional_db`` with it: rows a test creates
    are committed, so the server thread sees them.
    """
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    if request.node.stash.get(CALL_FAILED, False):
        FAILURE_SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=FAILURE_SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    context.close()


@pytest.fixture
def visit(page: Page) -> Callable:
    """``visit(path, status=200)``: open a page, check its status, scan it with axe."""

    def visit(url: str, *, status: int = 200, accessible: bool = True):
        return axe.visit(page, url, status=status, accessible=accessible)

    return visit


@pytest.fixture
def log_in(page: Page) -> Callable:
    """``log_in(username, password)``: sign in through the real login form."""

    def log_in(username: str, password: str):
        return axe.log_in(page, username, password)

    return log_in


@pytest.fixture
def assert_accessible(page: Page) -> Callable[[], None]:
    """``assert_accessible()``: scan the page as it is now, e.g. after a form error."""
    return lambda: axe.assert_accessible(page)
