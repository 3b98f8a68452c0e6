"""A learning summary from draft to the public, its feed and a hub member's inbox; axe scans each page.

An AHSN admin drafts a summary citing a roll-up report and two learning notes and sends it for
review; a second AHSN admin publishes it; the public reads it, the Atom feed lists it, and a real
Celery worker e-mails it to a hub member who asked for each summary, whose unsubscribe link works.
"""

import re
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Page, expect

from learning.emails import frequency_of, preference_set
from learning.models import SummaryEmailPreference
from learning.services import rollup_run
from learning.tasks import yesterday
from tests.workers import start_worker, stop_worker, wait_for_email

TITLE = "Loan kits keep people without data on remote monitoring"
STANDFIRST = "Hubs that lent kits with a data SIM kept people without a smartphone enrolled."
BODY = "## What worked\n\nA kit with a **data SIM** and a charger, lent for the whole episode of care.\n"
NOTES = ["Loan kits with a data SIM and a charger", "A named champion in every practice"]
MEMBER_EMAIL = "staff-dorset@example.org"
EACH = SummaryEmailPreference.Frequency.EACH
ATOM = "http://www.w3.org/2005/Atom"


def log_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_a_summary_is_drafted_reviewed_published_read_fed_and_emailed(
    page, visit, log_in, assert_accessible, live_server, tmp_path
):
    call_command("seed_demo", verbosity=0)
    report = rollup_run(day=yesterday()).report
    assert report is not None, "the roll-up built no report"
    report_label = f"Roll-up report for {report.day:%-d %B %Y}"
    report_reference = f"Hub Portal nightly roll-up report for {report.day:%-d %B %Y}."
    member = get_user_model().objects.get(username="staff-dorset")
    assert member.email == MEMBER_EMAIL
    main = page.locator("main")
    status = main.get_by_role("status")

    # A hub member asks for an e-mail about each new summary. The demo data subscribes them
    # already; they start from none here, so only the choice made in the browser can send the e-mail.
    preference_set(user=member, frequency=SummaryEmailPreference.Frequency.NONE)
    visit("/accounts/login/")
    log_in("staff-dorset", settings.DEMO_PASSWORD)
    visit("/learning/email/")
    expect(main.get_by_role("heading", level=1)).to_have_text("Which e-mails you get")
    question = main.get_by_role("group", name="How often do you want to hear about new learning summaries?")
    expect(question.get_by_label("No e-mails")).to_be_checked()
    question.get_by_label("An e-mail for each summary when it is published").check()
    main.get_by_role("button", name="Save my choices").click()
    expect(status).to_contain_text("You will get an e-mail each time a learning summary is published.")
    expect(question.get_by_label("An e-mail for each summary when it is published")).to_be_checked()
    assert_accessible()
    assert frequency_of(member) == EACH
    log_out(page)

    outbox, log_path = tmp_path / "outbox", tmp_path / "worker.log"
    # The worker's links point at this live server, so the e-mail's unsubscribe link can be followed.
    worker = start_worker(
        log_path, extra_env={"HUBPORTAL_EMAIL_FILE_PATH": str(outbox), "HUBPORTAL_SITE_URL": live_server.url}
    )
    try:
        # An AHSN admin drafts the summary: first with no title, to see the error.
        log_in("ahsn-admin", settings.DEMO_PASSWORD)
        visit("/learning/summaries/")
        expect(main.get_by_role("heading", level=1)).to_have_text("Write and manage learning summaries")
        main.get_by_role("link", name="Write a learning summary").click()
        visit(page.url)
        expect(main.get_by_role("heading", level=1)).to_have_text("Write a learning summary")

        title = main.get_by_label("Title", exact=True)
        main.get_by_label("Standfirst").fill(STANDFIRST)
        main.get_by_label("Body").fill(BODY)
        themes = main.get_by_role("group", name="CFIR 2.0 themes")
        themes.get_by_label("Outer setting").check()
        main.get_by_role("group", name="Hubs").get_by_label("Dorset", exact=True).check()
        main.get_by_role("group", name="Roll-up reports it draws on").get_by_label(report_label).check()
        notes = main.get_by_role("group", name="Learning notes it draws on")
        for note in NOTES:
            notes.get_by_label(note).check()
        main.get_by_role("group", name="Who may read it once published").get_by_label(
            "Everyone: the public too"
        ).check()
        main.get_by_role("button", name="Save the draft").click()

        errors = main.get_by_role("alert")
        expect(errors).to_contain_text("There is a problem")
        expect(errors.get_by_role("link", name="Enter a title.")).to_be_visible()
        expect(title).to_have_accessible_description(re.compile(r"Enter a title\."))
        expect(main.locator(".nhsuk-error-message")).to_have_text("Error: Enter a title.")
        # What was typed and ticked is kept.
        expect(main.get_by_label("Body")).to_have_value(BODY)
        for note in NOTES:
            expect(notes.get_by_label(note)).to_be_checked()
        assert_accessible()

        title.fill(TITLE)
        main.get_by_role("button", name="Preview the body").click()
        preview = main.get_by_role("region", name="Preview of the body")
        expect(preview.get_by_role("heading", name="What worked", level=2)).to_be_visible()
        expect(preview.locator("strong")).to_have_text("data SIM")
        expect(main.get_by_role("alert")).to_have_count(0)
        expect(title).to_have_value(TITLE)
        assert_accessible()

        main.get_by_role("button", name="Save the draft").click()
        expect(status).to_contain_text("The draft is saved. Send it for review when it is ready.")
        assert re.search(r"/learning/summaries/\d+/$", page.url), page.url
        manage_url = page.url
        visit(manage_url)
        expect(main.get_by_role("heading", level=1)).to_have_text(TITLE)
        working_copy = main.locator(".hp-prose")
        expect(working_copy.get_by_role("heading", name="What worked")).to_be_visible()
        references = main.locator("ol.hp-references")
        expect(references.get_by_role("listitem")).to_have_count(3)

        main.get_by_role("link", name="Send it for review").click()
        visit(page.url)
        expect(main.get_by_role("heading", level=1)).to_have_text("Send for review")
        main.get_by_role("button", name="Send for review").click()
        expect(status).to_contain_text("The summary is in review. Another AHSN admin can now publish it.")
        expect(main).to_contain_text(
            "Another AHSN admin reviews and publishes it: you sent it for review or last edited it."
        )
        expect(main.get_by_role("link", name="Review and publish it")).to_have_count(0)
        assert_accessible()
        log_out(page)

        # A second AHSN admin reviews and publishes it.
        log_in("ahsn-admin-2", settings.DEMO_PASSWORD)
        visit(manage_url)
        main.get_by_role("link", name="Review and publish it").click()
        visit(page.url)
        expect(main.get_by_role("heading", level=1)).to_have_text("Publish")
        main.get_by_role("button", name="Publish it").click()
        expect(status).to_contain_text("The summary is published.")
        expect(main).to_contain_text("Published as version 1")
        assert_accessible()
        log_out(page)

        # The public reads it, and the feed lists it.
        visit("/learning/")
        listed = main.get_by_role("link", name=TITLE)
        expect(listed).to_be_visible()
        listed.click()
        visit(page.url)
        expect(main.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(main.get_by_text(STANDFIRST)).to_be_visible()
        body = main.locator(".hp-prose")
        expect(body.get_by_role("heading", name="What worked", level=2)).to_be_visible()
        expect(body.locator("strong")).to_have_text("data SIM")
        expect(main.get_by_role("heading", name="References")).to_be_visible()
        cited = main.locator("ol.hp-references").get_by_role("listitem")
        expect(cited).to_have_count(3)
        expect(cited.nth(0)).to_have_text(report_reference)
        for note in NOTES:
            expect(cited.filter(has_text=note)).to_have_count(1)
        expect(main.locator("ol.hp-references").get_by_role("link")).to_have_count(0)
        assert page.locator('meta[property="og:title"]').get_attribute("content") == TITLE

        feed = page.request.get("/learning/feed/")
        assert feed.ok, feed.status
        assert feed.headers["content-type"].startswith("application/atom+xml"), feed.headers
        root = ElementTree.fromstring(feed.body())
        assert root.tag == f"{{{ATOM}}}feed", root.tag  # Django writes xml:lang before xmlns
        entries = [entry.findtext(f"{{{ATOM}}}title") for entry in root.iter(f"{{{ATOM}}}entry")]
        assert entries[0] == TITLE, entries  # the newest first

        # The worker e-mails the hub member, with their own unsubscribe link.
        message = wait_for_email(
            worker, outbox, log_path, to=MEMBER_EMAIL, subject=f"New learning summary: {TITLE}"
        )
    finally:
        stop_worker(worker)

    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert TITLE in text and TITLE in html
    unsubscribe = str(message["List-Unsubscribe"]).strip().removeprefix("<").removesuffix(">")
    assert unsubscribe.startswith(f"{live_server.url}/learning/unsubscribe/"), unsubscribe
    assert unsubscribe in text and unsubscribe in html

    visit(unsubscribe)
    main.get_by_role("button", name="Unsubscribe").click()
    expect(main.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    expect(main).to_contain_text("We will not send you any more e-mails about learning summaries.")
    assert frequency_of(member) == SummaryEmailPreference.Frequency.NONE
