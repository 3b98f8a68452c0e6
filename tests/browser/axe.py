"""Browser test helpers: visit a page and scan it with axe-core.

``vendor/axe.min.js`` is axe-core 4.14.1, copied unchanged from its npm package
(licence MPL-2.0, header kept in the file). To upgrade: ``npm pack axe-core``,
copy ``package/axe.min.js`` over it and update the version here.
"""

from pathlib import Path

from playwright.sync_api import Page, Response

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

# WCAG 2.2 AA is the NHS standard; axe tags each rule with the levels it checks.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page: Page, *, tags: list[str] = WCAG_TAGS) -> None:
    """Fail with every axe-core violation on the page as it is now."""
    # The portal's Content-Security-Policy (script-src 'self') blocks the inline
    # <script> that page.add_script_tag() creates. page.evaluate() goes through
    # the DevTools protocol, which CSP does not govern, so the page is scanned
    # under the same policy users get (no bypass_csp that could hide a CSP bug).
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
            .then(results => results.violations)""",
        tags,
    )
    assert not violations, format_violations(page.url, violations)


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(str(part) for part in node['target'])}")
    return "\n".join(lines)


def visit(page: Page, url: str, *, status: int = 200, accessible: bool = True) -> Response:
    """Open ``url``, check the response status, then scan the page with axe."""
    response = page.goto(url)
    assert response is not None, f"no response for {url}"
    assert response.status == status, f"{url} answered {response.status}, expected {status}"
    if accessible:
        assert_accessible(page)
    return response


def log_in(page: Page, username: str, password: str) -> Response | None:
    """Sign in through the real login form; return the response to the form post."""
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    form = page.locator("form", has=page.locator("input[name=username]"))
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    submit = form.locator("button[type=submit], input[type=submit], button:not([type])").first
    with page.expect_navigation() as navigation:
        submit.click()
    return navigation.value
