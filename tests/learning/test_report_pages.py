"""The roll-up's pages: every signed-in user reads reports (page, CSV per table, PDF); AHSN admins start runs."""

import csv
import datetime
import io
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import RollupReport, RollupRun
from learning.rollup import SECTIONS
from outbox.models import OutboxItem
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 24)
PREVIOUS_DAY = datetime.date(2026, 11, 23)


def content(day: datetime.date = DAY, previous: datetime.date | None = PREVIOUS_DAY) -> dict:
    """A hand-made report in the documented shape (learning/rollup.py)."""
    return {
        "day": day.isoformat(),
        "previous_day": previous.isoformat() if previous else None,
        "headline": {
            "adoptions_by_stage": {"testing": 2, "assessing": 1},
            "total_reach": 4321,
            "indicators_by_variation": {"special_cause_improvement_high": 1, "common_cause": 3},
            "indicators_by_assurance": {"consistent_fail": 2},
        },
        "innovations": [
            {
                "innovation": "Remote oximetry at home",
                "slug": "remote-oximetry",
                "hubs": [
                    {"hub": "Dorset", "hub_slug": "dorset", "adoption_id": 1, "stage": "testing",
                     "stage_label": "Testing (PDSA cycles)", "since": "2026-11-20", "days_in_stage": 4,
                     "moves_since_previous": 2},
                    {"hub": "Manchester", "hub_slug": "manchester", "adoption_id": 2, "stage": "assessing",
                     "stage_label": "Assessing", "since": "2026-06-01", "days_in_stage": 176,
                     "moves_since_previous": 0},
                ],
            },
            {
                "innovation": "Virtual wards",
                "slug": "virtual-wards",
                "hubs": [
                    {"hub": "Dorset", "hub_slug": "dorset", "adoption_id": 3, "stage": "testing",
                     "stage_label": "Testing (PDSA cycles)", "since": "2026-01-10", "days_in_stage": 318,
                     "moves_since_previous": 0},
                ],
            },
        ],
        "signals": [
            {"indicator_id": 77, "hub": "Dorset", "innovation": "Remote oximetry at home",
             "metric": "People enrolled", "variation": "special_cause_improvement_high",
             "previous_variation": "common_cause", "assurance": "consistent_fail",
             "previous_assurance": None, "change": "new improvement"},
        ],
        "equity": [
            {"hub": "Dorset", "innovation": "Remote oximetry at home", "metric": "People enrolled",
             "dimension": "Ethnic group", "group": "White", "people": 120, "base": 400, "share": 0.3,
             "population": 0.815, "previous_share": 0.25, "change_points": 5.0,
             "people_previous": 90, "base_previous": 360},
            # As a report built before breakdowns kept it: IMD quintile 1 only.
            {"hub": "Manchester", "innovation": "Remote oximetry at home", "metric": "People enrolled",
             "q1": 5, "all": 90, "share": 0.0556, "previous_share": None, "change_points": None},
        ],
        "learning": {
            "new_notes": [
                {"note_id": 11, "title": "No smartphone, no data", "hub": "Dorset",
                 "innovation": "Remote oximetry at home", "kind": "barrier", "cfir_domain": "outer_setting",
                 "created": "2026-11-24"},
                {"note_id": 12, "title": "Practice champions", "hub": "Manchester",
                 "innovation": "Remote oximetry at home", "kind": "enabler", "cfir_domain": "inner_setting",
                 "created": "2026-11-24"},
            ],
            "by_domain_and_kind": [
                {"cfir_domain": "inner_setting", "kind": "enabler", "count": 1},
                {"cfir_domain": "outer_setting", "kind": "barrier", "count": 1},
            ],
            "recurring_themes": [{"cfir_domain": "outer_setting", "kind": "barrier", "hubs": ["Dorset", "Manchester"]}],
        },
        "completeness": [
            {"hub": "Dorset", "due": 24, "reported": 18, "percent": 75},
            {"hub": "Manchester", "due": 12, "reported": 12, "percent": 100},
        ],
    }  # fmt: skip


def make_report(day: datetime.date = DAY, **kwargs) -> RollupReport:
    return RollupReport.objects.create(
        day=day,
        content=kwargs.pop("content", content(day)),
        content_hash="x" * 64,
        duration_ms=1500,
        **kwargs,
    )


def report_url(day: datetime.date = DAY) -> str:
    return reverse("learning:report", args=[day.isoformat()])


def queued() -> list[tuple]:
    """What the pages promised a worker, through the outbox: each item's task and arguments."""
    return [(item.task, *item.args) for item in OutboxItem.objects.order_by("pk")]


# -- Reading ----------------------------------------------------------------------------------


def test_the_list_shows_each_report_newest_first_with_its_runs_status_and_headline(client, reader):
    make_report(PREVIOUS_DAY, content=content(PREVIOUS_DAY, None))
    report = make_report()
    RollupRun.objects.create(day=DAY, status=RollupRun.Status.FAILED, queued_at=timezone.now())
    RollupRun.objects.create(day=DAY, status=RollupRun.Status.UNCHANGED, report=report)
    client.force_login(reader)
    page = client.get(reverse("learning:reports")).content.decode()
    assert page.index("24 November 2026") < page.index("23 November 2026")
    assert "Succeeded: no change" in page and "Failed" not in page
    assert "Testing (PDSA cycles): 2" in page and "4,321" in page and "1.5 s" in page
    assert "Special cause improvement: higher values" in page and "Consistently falling short" in page


def test_the_list_is_paginated(client, reader):
    for offset in range(31):
        make_report(DAY - datetime.timedelta(days=offset))
    client.force_login(reader)
    first = client.get(reverse("learning:reports")).content.decode()
    second = client.get(reverse("learning:reports"), {"page": 2}).content.decode()
    assert "24 November 2026" in first and "25 October 2026" not in first
    assert "25 October 2026" in second and "24 November 2026" not in second


def test_the_report_shows_every_section_and_marks_what_is_new(client, reader):
    make_report()
    client.force_login(reader)
    page = client.get(report_url()).content.decode()
    for heading in (
        "Headline figures",
        "Innovations across hubs",
        "Signals since the previous report",
        "Equity: whom reach reaches",
        "Learning: new notes",
        "Data completeness by hub",
    ):
        assert f">{heading}</h2>" in page  # fmt: skip
    # The key in the introduction; oximetry's caption and Dorset's row (two moves); one signal;
    # two notes. Manchester's row and virtual wards, with no moves, are not marked.
    new = '<strong class="nhsuk-tag nhsuk-tag--blue">New</strong>'
    assert page.count(new) == 1 + 2 + 1 + 2
    assert f"Virtual wards {new}" not in page
    assert reverse("evaluation:indicator", args=[77]) in page
    assert reverse("learning:note", args=[11]) in page and reverse("learning:note", args=[12]) in page
    assert "Outer setting: barrier" in page and "Barriers in outer setting: Dorset, Manchester" in page
    assert "<svg" in page and "<title" in page and "30.0%" in page and "+5.0 points" in page
    assert "Ethnic group: White" in page and "81.5%" in page  # against Dorset's local population
    assert "30.0%; population 81.5%" in page  # the chart's bar, in words
    assert ">&lt;8<" in page  # Manchester's five people in quintile 1 are not shown
    # The older report's row reads as it did: quintile 1 against its 20% share of England.
    assert "IMD quintile: 1 (most deprived)" in page and ">20.0%<" in page
    assert reverse("learning:report", args=[PREVIOUS_DAY.isoformat()]) in page
    assert "75%" in page


def test_a_first_report_says_there_is_nothing_to_compare(client, reader):
    make_report(content=content(DAY, None))
    client.force_login(reader)
    assert "This is the first report" in client.get(report_url()).content.decode()


def test_an_unknown_day_is_not_found(client, reader):
    client.force_login(reader)
    assert client.get(report_url(datetime.date(2020, 1, 1))).status_code == 404
    assert client.get("/learning/reports/2026-13-45/").status_code == 404


@pytest.mark.parametrize(
    ("section", "header", "rows"),
    [
        ("headline", ["figure", "item", "count"], 6),
        ("innovations", ["innovation", "hub", "stage", "since", "days_in_stage", "moves_since_previous"], 3),
        ("signals", ["hub", "innovation", "metric", "change"], 1),
        ("equity", ["hub", "innovation", "metric", "breakdown", "group", "people", "of", "share"], 2),
        ("learning", ["created", "hub", "innovation", "cfir_domain", "kind", "title"], 2),
        ("completeness", ["hub", "due", "reported", "percent"], 2),
    ],
)
def test_each_section_downloads_as_csv(client, reader, section, header, rows):
    make_report()
    client.force_login(reader)
    response = client.get(reverse("learning:report_csv", args=[DAY.isoformat(), section]))
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][: len(header)] == header
    assert len(lines) == rows + 1


def test_the_innovations_csv_holds_the_figures(client, reader):
    make_report()
    client.force_login(reader)
    response = client.get(reverse("learning:report_csv", args=[DAY.isoformat(), "innovations"]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[1] == ["Remote oximetry at home", "Dorset", "Testing (PDSA cycles)", "2026-11-20", "4", "2"]


def test_an_unknown_section_is_not_found(client, reader):
    make_report()
    client.force_login(reader)
    assert client.get(reverse("learning:report_csv", args=[DAY.isoformat(), "secrets"])).status_code == 404
    assert set(SECTIONS) == {
        "headline",
        "innovations",
        "signals",
        "equity",
        "learning",
        "completeness",
        "revised",
        "spend",
        "complexity",
        "benefits",
        "engagement",
    }


def test_the_report_downloads_as_a_pdf(client, reader):
    pytest.importorskip("weasyprint", reason="WeasyPrint cannot load on this machine")
    make_report()
    client.force_login(reader)
    response = client.get(reverse("learning:report_pdf", args=[DAY.isoformat()]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_without_weasyprint_the_pdf_link_explains_itself(client, reader, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # makes "import weasyprint" raise ImportError
    make_report()
    client.force_login(reader)
    response = client.get(reverse("learning:report_pdf", args=[DAY.isoformat()]))
    assert response.status_code == 503
    assert "The PDF cannot be made on this server" in response.content.decode()


# -- Who may read -----------------------------------------------------------------------------


def test_the_public_is_sent_to_log_in(client):
    make_report()
    for url in (
        reverse("learning:reports"),
        report_url(),
        reverse("learning:report_csv", args=[DAY.isoformat(), "headline"]),
        reverse("learning:report_pdf", args=[DAY.isoformat()]),
        reverse("learning:run_start"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_hub_staff_evaluators_and_admins_read_reports(client, owner, reader, evaluator_user, admin_user_ahsn):
    make_report()
    for user in (owner, reader, evaluator_user, admin_user_ahsn):
        client.force_login(user)
        assert client.get(reverse("learning:reports")).status_code == 200
        assert client.get(report_url()).status_code == 200


def test_reports_are_in_everyones_navigation(client, owner, evaluator_user):
    for user in (owner, evaluator_user):
        client.force_login(user)
        labels = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
        assert "Reports" in labels


def test_the_list_and_the_report_cost_a_fixed_number_of_queries(
    client, reader, django_assert_num_queries, django_assert_max_num_queries
):
    make_report()
    client.force_login(reader)
    warm_todo_count(client)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("learning:reports"))
    for offset in range(1, 10):
        report = make_report(DAY - datetime.timedelta(days=offset))
        RollupRun.objects.create(day=report.day, status=RollupRun.Status.SUCCEEDED, report=report)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(reverse("learning:reports"))

    with django_assert_max_num_queries(10) as few:
        client.get(report_url())
    RollupRun.objects.create(
        day=DAY, status=RollupRun.Status.SUCCEEDED, report=RollupReport.objects.get(day=DAY)
    )
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(report_url())


# -- Runs -------------------------------------------------------------------------------------


def test_an_admin_starts_a_run_for_a_day_and_it_is_queued_after_commit(
    client, admin_user_ahsn, django_capture_on_commit_callbacks
):
    client.force_login(admin_user_ahsn)
    form = client.get(reverse("learning:run_start"))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert form.context["form"]["day"].value() == yesterday
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("learning:run_start"), {"day": "2026-11-20"})
    run = RollupRun.objects.get()
    assert response.url == reverse("learning:run", args=[run.pk])
    assert (run.day, run.status, run.started_by) == (datetime.date(2026, 11, 20), "queued", admin_user_ahsn)
    assert queued() == [("learning.tasks.nightly_rollup", "2026-11-20", run.pk)]
    assert OutboxItem.objects.get().state == "queued", "handed to the task queue once committed"


def test_a_future_day_is_refused_with_a_message(client, admin_user_ahsn):
    client.force_login(admin_user_ahsn)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("learning:run_start"), {"day": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "The day cannot be in the future." in response.content.decode()
    assert not RollupRun.objects.exists() and queued() == []


def test_only_admins_start_runs(client, owner, reader, evaluator_user):
    for user in (owner, reader, evaluator_user):
        client.force_login(user)
        assert client.get(reverse("learning:run_start")).status_code == 403
        assert client.post(reverse("learning:run_start"), {"day": "2026-11-20"}).status_code == 403
    assert not RollupRun.objects.exists() and queued() == []
    client.force_login(reader)
    assert "Start a roll-up run" not in client.get(reverse("learning:reports")).content.decode()


def test_only_admins_see_runs(client, reader, evaluator_user):
    run = RollupRun.objects.create(day=DAY)
    for user in (reader, evaluator_user):
        client.force_login(user)
        assert client.get(reverse("learning:run", args=[run.pk])).status_code == 403
        assert client.get(reverse("learning:run_status", args=[run.pk])).status_code == 403


def test_the_run_page_shows_the_section_it_is_on_and_polls(client, admin_user_ahsn):
    run = RollupRun.objects.create(day=DAY, status=RollupRun.Status.RUNNING, section="equity")
    client.force_login(admin_user_ahsn)
    page = client.get(reverse("learning:run", args=[run.pk])).content.decode()
    assert "Equity: whom reach reaches" in page and "run-progress.js" in page
    assert f'href="{reverse("learning:run", args=[run.pk])}">Refresh</a>' in page
    status = client.get(reverse("learning:run_status", args=[run.pk]))
    assert status.json() == {
        "status": "running",
        "section": "equity",
        "section_title": "Equity: whom reach reaches",
        "finished": False,
    }
    assert status["Cache-Control"] == "no-store"


def test_a_finished_run_shows_its_outcome_and_the_report(client, admin_user_ahsn):
    report = make_report()
    run = RollupRun.objects.create(day=DAY, status=RollupRun.Status.SUCCEEDED, report=report)
    client.force_login(admin_user_ahsn)
    page = client.get(reverse("learning:run", args=[run.pk])).content.decode()
    assert "Succeeded" in page and report_url() in page and "run-progress.js" not in page
    assert client.get(reverse("learning:run_status", args=[run.pk])).json()["finished"] is True


def test_a_failed_run_shows_its_error(client, admin_user_ahsn):
    run = RollupRun.objects.create(
        day=DAY,
        status=RollupRun.Status.FAILED,
        section="signals",
        error="ZeroDivisionError: division by zero",
    )
    client.force_login(admin_user_ahsn)
    page = client.get(reverse("learning:run", args=[run.pk])).content.decode()
    assert "The run failed" in page and "ZeroDivisionError: division by zero" in page
    assert "Signals since the previous report" in page


def test_a_skipped_run_says_why(client, admin_user_ahsn):
    run = RollupRun.objects.create(day=DAY, status=RollupRun.Status.SKIPPED)
    client.force_login(admin_user_ahsn)
    assert (
        "Another run was building this day"
        in client.get(reverse("learning:run", args=[run.pk])).content.decode()
    )
