"""One month's figures round the reporting cycle, in a browser, every page scanned with axe-core.

staff-dorset finds the month due on their to-do list, enters it (one figure is flagged, and
they explain it) and submits; the evaluator reviews Dorset's month at once, returns that
figure with a note and approves the rest; staff-dorset is told in the portal and by e-mail (a
real Celery worker sends it), corrects and resubmits; the evaluator approves it; both to-do
lists are then empty.

Starts a worker: this file runs serially (not under ``pytest -n``).
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.months import add_months, last_complete_month
from evaluation import flags, summaries
from evaluation.models import DataQualityFlag, Indicator, Measurement, Metric
from hubs.models import Membership
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    InnovationFactory,
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    UserFactory,
    evaluator,
)
from tests.innovations.complexity_data import make_check
from tests.workers import start_worker, stop_worker, wait_for_email

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
HISTORY = 14  # approved months before the one due: enough for process limits
ENROLLED = [100, 104, 98, 102, 97, 103, 99, 101, 105, 96, 100, 102, 98, 104]
CONTROLLED = [(50, 100), (53, 102), (51, 99), (52, 101), (49, 98), (54, 103), (50, 100)] * 2
NOTE = "400 looks like the year to date: please give November's new enrolments only."


@pytest.fixture
def dorset_month():
    """Dorset's BP@home: 14 months of approved figures, and last month's not yet sent."""
    hub = HubFactory(name="Dorset", slug="dorset")
    staff = UserFactory(username="staff-dorset", first_name="Amy", last_name="Carter")
    MembershipFactory(hub=hub, user=staff, role=Membership.Role.LEAD)
    reviewer = evaluator(username="evaluator", first_name="Eve", last_name="Adams")
    due = last_complete_month()
    first = add_months(due, -HISTORY)
    adoption = AdoptionFactory(
        hub=hub, innovation=InnovationFactory(name="BP@home"), stage="sustained", started_on=first
    )
    make_check(adoption, timezone.localdate())  # its complexity check is not due: only the figures wait
    enrolled = IndicatorFactory(
        adoption=adoption,
        metric=MetricFactory(code="people-enrolled", name="People enrolled", unit="people"),
    )
    controlled = IndicatorFactory(
        adoption=adoption,
        metric=MetricFactory(
            code="bp-controlled", name="Blood pressure under control", unit="%", kind=Metric.Kind.PERCENTAGE
        ),
    )
    for index in range(HISTORY):
        period = add_months(first, index)
        approved = {"status": Measurement.Status.APPROVED, "reviewed_by": reviewer, "period": period}
        MeasurementFactory(indicator=enrolled, value=Decimal(ENROLLED[index]), **approved)
        numerator, denominator = CONTROLLED[index]
        MeasurementFactory(
            indicator=controlled, value=None, numerator=numerator, denominator=denominator, **approved
        )
    indicators = Indicator.objects.filter(adoption=adoption)
    summaries.refresh_all(indicators)
    flags.flags_refresh_all(indicators)
    return due, enrolled, controlled


def log_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Log out").click()


def to_do(page: Page):
    return page.locator("main").get_by_role("list", name="Your to-do list")


def enter_figures(
    page: Page, month: str, *, enrolled: str, numerator: str = "", denominator: str = ""
) -> None:
    page.get_by_label(f"People enrolled, all people, {month}").fill(enrolled)
    if numerator:
        page.get_by_label(f"Blood pressure under control, numerator, all people, {month}").fill(numerator)
        page.get_by_label(f"Blood pressure under control, denominator, all people, {month}").fill(denominator)
    page.get_by_role("button", name="Save figures").click()


def test_a_month_goes_round_the_reporting_cycle(
    page, visit, log_in, assert_accessible, live_server, tmp_path, dorset_month
):
    due, enrolled, controlled = dorset_month
    month = f"{due:%B %Y}"
    main = page.locator("main")
    outbox, log_path = tmp_path / "outbox", tmp_path / "worker.log"
    worker = start_worker(
        log_path, extra_env={"HUBPORTAL_EMAIL_FILE_PATH": str(outbox), "HUBPORTAL_SITE_URL": live_server.url}
    )
    try:
        # staff-dorset: last month is due, on the to-do list; the header counts it.
        visit("/accounts/login/")
        log_in("staff-dorset", PASSWORD)
        visit("/")
        expect(page.get_by_role("navigation", name="Account")).to_contain_text("To do, 1 waiting")
        item = to_do(page).get_by_role("listitem").filter(has_text=f"BP@home: figures for {month}")
        expect(item).to_contain_text("2 indicators")
        item.get_by_role("link", name=f"BP@home: figures for {month}").click()
        visit(page.url)
        expect(main.get_by_role("heading", level=1)).to_have_text(f"Monthly figures for {month}")

        # 400 people enrolled, four times the usual: saved, and flagged next to its row.
        enter_figures(page, month, enrolled="400", numerator="52", denominator="101")
        expect(main).to_contain_text("Saved 2 figures as submitted")
        assert_accessible()
        raised = set(
            DataQualityFlag.objects.filter(indicator=enrolled, period=due, active=True).values_list(
                "kind", flat=True
            )
        )
        assert DataQualityFlag.Kind.OUTSIDE_LIMITS in raised
        expect(main).to_contain_text("Outside the process limits")
        main.get_by_role("link", name=f"Outside the process limits, People enrolled, {month}").click()
        visit(page.url)
        page.get_by_label("Explanation").fill("A new practice joined this month.")
        page.get_by_role("button", name="Save the explanation").click()
        expect(main).to_contain_text("A new practice joined this month.")
        assert_accessible()
        visit("/")
        expect(main).to_contain_text("Nothing waiting for you.")
        log_out(page)

        # The evaluator reviews Dorset's month at once: returns the flagged figure, approves the rest.
        log_in("evaluator", PASSWORD)
        visit("/")
        to_do(page).get_by_role("link", name=f"Review Dorset's figures for {month}").click()
        visit(page.url)
        expect(main).to_contain_text("A new practice joined this month.")  # the hub's explanation
        page.get_by_label("Return People enrolled").check()
        page.get_by_label("Note to the hub, if returned: People enrolled").fill(NOTE)
        page.get_by_role("button", name="Return the ticked, approve the rest").click()
        assert_accessible()
        totals = Measurement.objects.filter(period=due, group__isnull=True)
        assert dict(totals.values_list("indicator", "status")) == {
            enrolled.pk: Measurement.Status.RETURNED,
            controlled.pk: Measurement.Status.APPROVED,
        }
        visit("/")
        expect(main).to_contain_text("Nothing waiting for you.")
        log_out(page)

        # staff-dorset is told: by e-mail (the worker sends it) and in the portal.
        message = wait_for_email(worker, outbox, log_path, to="staff-dorset@example.org")
        assert NOTE in message.get_body(preferencelist=("plain",)).get_content()
        log_in("staff-dorset", PASSWORD)
        visit("/")
        returned = to_do(page).get_by_role("listitem").filter(has_text="Returned")
        expect(returned).to_contain_text(NOTE)
        page.get_by_role("navigation", name="Account").get_by_role(
            "link", name=re.compile("^Notifications")
        ).click()
        visit(page.url)
        main.get_by_role("link", name=re.compile("returned to Dorset")).first.click()
        visit(page.url)
        expect(main.get_by_role("heading", level=1)).to_have_text(f"Monthly figures for {month}")
        expect(main).to_contain_text(NOTE)
        enter_figures(page, month, enrolled="103")
        expect(main).to_contain_text("Saved 1 figure as submitted")
        visit("/")
        expect(main).to_contain_text("Nothing waiting for you.")
        log_out(page)

        # The evaluator sees it resubmitted and approves it.
        log_in("evaluator", PASSWORD)
        visit("/")
        item = to_do(page).get_by_role("listitem").filter(has_text=f"Review Dorset's figures for {month}")
        expect(item).to_contain_text("1 figure resubmitted after a return")
        item.get_by_role("link").click()
        visit(page.url)
        page.get_by_role("button", name="Approve all").click()
        assert_accessible()
        assert set(totals.values_list("status", flat=True)) == {Measurement.Status.APPROVED}
        assert totals.get(indicator=enrolled).value == Decimal("103")
        visit("/")
        expect(main).to_contain_text("Nothing waiting for you.")
        expect(page.get_by_role("navigation", name="Account")).to_contain_text("To do, 0 waiting")
    finally:
        stop_worker(worker)
