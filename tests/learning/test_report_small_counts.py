"""Small counts in the nightly report: it is shared with every signed-in user, so its page, its CSV
and its PDF all show counts from 1 to 7 as "<8" and no share worked out from them, whoever reads."""

import csv
import datetime
import html as html_module
import io
import re
import sys
import types
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Measurement
from learning.models import RollupReport
from tests.factories import IndicatorFactory, MeasurementFactory, imd, last_month

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 24)


def equity_row(hub: str, **counts) -> dict:
    """A row of the report's equity section: IMD quintile 1's people, of all the quintiles', against 20%."""
    people, base = counts["people"], counts["base"]
    row = {"hub": hub, "innovation": "Remote oximetry at home", "metric": "People enrolled",
           "dimension": "IMD quintile", "group": "1 (most deprived)", "people": people, "base": base,
           "share": round(people / base, 4), "population": 0.2, "previous_share": None,
           "change_points": None, "people_previous": None, "base_previous": None}  # fmt: skip
    if "people_previous" in counts:
        previous = counts["people_previous"] / counts["base_previous"]
        row.update(
            previous_share=round(previous, 4),
            change_points=round(100 * (people / base - previous), 4),
            people_previous=counts["people_previous"],
            base_previous=counts["base_previous"],
        )
    return row


def content() -> dict:
    """A hand-made report: Bradford's 3 of 5 people in quintile 1 among larger counts elsewhere."""
    # As a report built before breakdowns kept it, and before the counts behind its previous share.
    old_shape = {"hub": "Dorset", "innovation": "Remote oximetry at home", "metric": "People enrolled",
                 "q1": 40, "all": 100, "share": 0.4, "previous_share": 0.3, "change_points": 10.0}  # fmt: skip
    return {
        "day": DAY.isoformat(),
        "previous_day": "2026-11-23",
        "headline": {"adoptions_by_stage": {"testing": 2}, "total_reach": 5,
                     "indicators_by_variation": {}, "indicators_by_assurance": {}},
        "innovations": [],
        "signals": [],
        "equity": [
            equity_row("Bradford and Craven", people=3, base=5, people_previous=2, base_previous=4),
            old_shape,
            equity_row("Manchester", people=40, base=100, people_previous=3, base_previous=6),
            equity_row("Cambridgeshire and Peterborough", people=30, base=120, people_previous=20, base_previous=100),
        ],
        "learning": {"new_notes": [], "by_domain_and_kind": [], "recurring_themes": []},
        "completeness": [],
    }  # fmt: skip


# What each copy of the report shows for each hub: people in quintile 1, of all, share, the local
# population's share, previous share, change.
EXPECTED = {
    "Bradford and Craven": ["<8", "<8", "Not shown", "20.0%", "Not shown", "Not shown"],
    "Dorset": ["40", "100", "40.0%", "20.0%", "Not shown", "Not shown"],
    "Manchester": ["40", "100", "40.0%", "20.0%", "Not shown", "Not shown"],
    "Cambridgeshire and Peterborough": ["30", "120", "25.0%", "20.0%", "20.0%", "+5.0 points"],
}


@pytest.fixture
def report(db):
    return RollupReport.objects.create(day=DAY, content=content(), content_hash="x" * 64, duration_ms=1500)


@pytest.fixture
def weasyprint_html(monkeypatch):
    """Stands in for WeasyPrint: keeps the HTML the PDF view hands it, which is what the PDF prints."""
    handed: list[str] = []

    class HTML:
        def __init__(self, *, string, **kwargs):
            handed.append(string)

        def write_pdf(self, **kwargs) -> bytes:
            return b"%PDF-1.7 stand-in"

    fake = types.ModuleType("weasyprint")
    fake.HTML = HTML
    fake.CSS = lambda **kwargs: None
    monkeypatch.setitem(sys.modules, "weasyprint", fake)
    return handed


def text_of(html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip())


def equity_table(html: str) -> dict[str, list[str]]:
    """The equity table of a page or PDF: hub → the numeric cells."""
    table = re.search(r"against the local population</caption>(.*?)</table>", html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        header = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if header:
            cells = [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            # Each hub's first group (after the metric and the group's name).
            rows.setdefault(text_of(header.group(1)).split(", ")[1], cells[2:])
    return rows


def csv_section(client, section: str, day: datetime.date = DAY) -> list[list[str]]:
    response = client.get(reverse("learning:report_csv", args=[day.isoformat(), section]))
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_page_the_csv_and_the_pdf_show_the_same_suppressed_equity_table(
    client, owner, report, weasyprint_html
):
    client.force_login(owner)
    page = client.get(reverse("learning:report", args=[DAY.isoformat()])).content.decode()
    assert equity_table(page) == EXPECTED

    response = client.get(reverse("learning:report_pdf", args=[DAY.isoformat()]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    [pdf_html] = weasyprint_html
    assert equity_table(pdf_html) == EXPECTED

    header, *rows = csv_section(client, "equity")
    assert header == [
        "hub",
        "innovation",
        "metric",
        "breakdown",
        "group",
        "people",
        "of",
        "share",
        "population_share",
        "previous_share",
        "change_points",
    ]
    assert {row[0]: row[5:] for row in rows} == {
        "Bradford and Craven": ["<8", "<8", "Not shown", "0.2", "Not shown", "Not shown"],
        "Dorset": ["40", "100", "0.4", "0.2", "Not shown", "Not shown"],
        "Manchester": ["40", "100", "0.4", "0.2", "Not shown", "Not shown"],
        "Cambridgeshire and Peterborough": ["30", "120", "0.25", "0.2", "0.2", "5.0"],
    }
    for html in (page, pdf_html):
        assert "60.0%" not in html  # Bradford's 3 of 5
        assert "Share not shown: fewer than 8 people in the group" in html  # its bar in the chart


def test_a_small_total_reach_reads_under_eight_on_the_page_the_list_the_csv_and_the_pdf(
    client, reader, report, weasyprint_html
):
    client.force_login(reader)
    page = client.get(reverse("learning:report", args=[DAY.isoformat()])).content.decode()
    assert "Total reach in the latest month, all hubs: <strong>&lt;8</strong>" in page
    listing = client.get(reverse("learning:reports")).content.decode()
    assert ">&lt;8</td>" in listing
    assert ["total reach", "", "<8"] in csv_section(client, "headline")
    client.get(reverse("learning:report_pdf", args=[DAY.isoformat()]))
    assert "<strong>&lt;8</strong>" in weasyprint_html[0]


@pytest.mark.parametrize("role", ["owner", "reader", "evaluator_user", "admin_user_ahsn"])
def test_the_report_reads_the_same_whoever_reads_it(client, request, role, report):
    # Raw figures are for the hub's staff and evaluators on their own pages; the report is shared.
    client.force_login(request.getfixturevalue(role))
    page = client.get(reverse("learning:report", args=[DAY.isoformat()])).content.decode()
    assert equity_table(page) == EXPECTED


def test_a_report_built_from_figures_suppresses_them_end_to_end(client, evaluator_user, adoption):
    """The roll-up keeps the counts; the report built from them shows "<8" and no share."""
    indicator = IndicatorFactory(adoption=adoption)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for quintile, count in enumerate([3, 1, 1, 0, 0], start=1):
        MeasurementFactory(indicator=indicator, period=last_month(), group=imd(quintile), value=Decimal(count),
                           status=Measurement.Status.APPROVED, reviewed_at=yesterday)  # fmt: skip
    day = timezone.localdate()
    call_command("run_rollup", "--date", day.isoformat(), stdout=io.StringIO())
    rows = RollupReport.objects.get(day=day).content["equity"]
    assert [(row["group"], row["people"], row["base"]) for row in rows] == [
        ("1 (most deprived)", 3, 5),
        ("2", 1, 5),
        ("3", 1, 5),
        ("4", 0, 5),
        ("5 (least deprived)", 0, 5),
    ]
    client.force_login(evaluator_user)
    page = client.get(reverse("learning:report", args=[day.isoformat()])).content.decode()
    assert equity_table(page)[adoption.hub.name] == ["<8", "<8", "Not shown", "Not entered", "None", "None"]
    [_, csv_row, *_] = csv_section(client, "equity", day)
    assert csv_row[5:] == ["<8", "<8", "Not shown", "", "", ""]
