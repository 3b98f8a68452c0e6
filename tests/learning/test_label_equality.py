"""The same evidence reads the same on every surface, for every demo and scale indicator.

After ``seed_demo`` and ``generate_scale_data`` (at a small scale, with its rebases), the
walk reads what a user sees, from the pages themselves:

- the indicator page (its Making Data Count reading: two labels, or "Too few figures (n of m)"),
  once as an evaluator sees it (every figure not returned) and once as another hub's member
  sees it (approved figures only);
- the summary board, page by page, and its CSV;
- the nightly report's page, its CSVs and the HTML its PDF is made from: each signal's labels,
  and the headline's count of indicators by reading.

The board and its CSV show the evidence an evaluator's page charts (submitted figures too);
the report shows the approved figures, as another hub's member sees them. So each indicator's
labels on the board and its CSV are the evaluator's page's; each signal's in the report is the
approved page's; and the report's headline counts are the count of the approved pages' labels.
A report with no previous one lists every improvement and concern as a signal.
"""

import csv
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from evaluation import mdc
from evaluation.models import Indicator
from learning.reports import report_context
from learning.services import rollup_run
from tests.factories import HubFactory, evaluator, member_of

pytestmark = pytest.mark.django_db

SCALE = "0.02"  # 1 hub, 10 innovations, 10 adoptions: 50 indicators of 36 months, some rebased
LABEL = re.compile(r'class="hp-mdc(?:__label| hp-mdc--none)">([^<]*)<')
INDICATOR_LINK = re.compile(r'href="/evaluation/indicators/(\d+)/"')
# A special cause named without its direction: what must never be shown.
DIRECTIONLESS = re.compile(r"Special cause (improvement|concern)(?!: (higher|lower) values)")


def labels_in(html: str) -> str:
    """The Making Data Count words in a piece of a page, as one line: "variation; assurance"."""
    return "; ".join(LABEL.findall(html))


def one_line(variation: str, assurance: str) -> str:
    """Two CSV cells as the pages read them: below the minimum both say "Too few figures (n of m)"."""
    return variation if variation == assurance else f"{variation}; {assurance}"


def csv_table(response) -> list[list[str]]:
    chunks = response.streaming_content if response.streaming else [response.content]
    return list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))


def page_reading(client, indicator_id: int) -> str:
    response = client.get(reverse("evaluation:indicator", args=[indicator_id]))
    assert response.status_code == 200
    block = re.search(r'<div class="hp-spc-reading">(.*?)</div>', response.content.decode(), re.S)
    return labels_in(block.group(1))


def board_readings(client) -> dict[int, str]:
    """Each indicator's labels on the board, every page of it."""
    readings: dict[int, str] = {}
    number = 1
    while True:
        response = client.get(reverse("evaluation:summary"), {"page": number})
        html = response.content.decode()
        for row in re.findall(r'<tr class="nhsuk-table__row">\s*<th scope="row".*?</tr>', html, re.S):
            readings[int(INDICATOR_LINK.search(row).group(1))] = labels_in(row)
        if number >= response.context["page"].paginator.num_pages:
            return readings
        number += 1


def summary_csv_readings(client) -> dict[int, str]:
    header, *rows = csv_table(client.get(reverse("evaluation:summary_csv")))
    by_name = {
        (hub, innovation, metric): pk
        for pk, hub, innovation, metric in Indicator.objects.values_list(
            "pk", "adoption__hub__name", "adoption__innovation__name", "metric__name"
        )
    }
    column = header.index
    return {
        by_name[row[column("Hub")], row[column("Innovation")], row[column("Metric")]]: one_line(
            row[column("Variation")], row[column("Assurance")]
        )
        for row in rows
    }


def report_html_readings(html: str) -> tuple[dict[int, str], Counter]:
    """The signals' labels by indicator, and the headline's counts by label, from the report's HTML."""
    signals_section = re.search(r'<section aria-labelledby="signals">(.*?)</section>', html, re.S).group(1)
    signals = {
        int(INDICATOR_LINK.search(row).group(1)): labels_in(row.split("</td>")[2] + row.split("</td>")[3])
        for row in re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", signals_section, re.S)
        if INDICATOR_LINK.search(row)
    }
    headline = re.search(r"Indicators by their latest reading</caption>(.*?)</table>", html, re.S).group(1)
    counts = Counter()
    for row in re.findall(
        r"<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">(.*?)</tr>", headline, re.S
    ):
        label, count = labels_in(row), re.search(r"numeric\">([\d,]+)</td>", row).group(1)
        counts[label] = int(count.replace(",", ""))
    return signals, counts


def report_csv_readings(client, day: str) -> tuple[dict[int, str], Counter]:
    header, *rows = csv_table(client.get(reverse("learning:report_csv", args=[day, "signals"])))
    column = header.index
    signals = {
        int(row[column("indicator_id")]): one_line(
            row[column("variation")], row[column("assurance")] or mdc.NO_ASSURANCE
        )
        for row in rows
    }
    _, *rows = csv_table(client.get(reverse("learning:report_csv", args=[day, "headline"])))
    counts = Counter(
        {label: int(count) for figure, label, count in rows if figure.startswith("indicators by")}
    )
    return signals, counts


def expected_counts(readings: dict[int, str]) -> Counter:
    """The headline's counts from the approved pages: each variation and assurance, and the too few.

    An indicator with no approved figure has no reading in the report, and "No target to assess"
    is not an assurance it counts.
    """
    counts = Counter()
    for reading in readings.values():
        if reading.startswith(mdc.NO_VARIATION):
            if " (0 of " not in reading:
                counts[mdc.NO_VARIATION] += 1
            continue
        variation, assurance = reading.split("; ")
        counts[variation] += 1
        if assurance != mdc.NO_ASSURANCE:
            counts[assurance] += 1
    return counts


def test_every_indicator_reads_the_same_on_every_surface(client):
    call_command("seed_demo", verbosity=0)
    call_command("generate_scale_data", "--scale", SCALE, stdout=io.StringIO())
    day = timezone.localdate()
    report = rollup_run(day=day).report
    assert report is not None and report.content["previous_day"] is None
    indicators = list(Indicator.objects.filter(adoption__archived=False).values_list("pk", flat=True))
    assert len(indicators) >= 90  # 44 in the demo, 50 at this scale

    client.force_login(evaluator(username="walker"))
    as_evaluator = {pk: page_reading(client, pk) for pk in indicators}
    board, board_csv = board_readings(client), summary_csv_readings(client)
    report_page = client.get(reverse("learning:report", args=[day.isoformat()])).content.decode()
    page_signals, page_counts = report_html_readings(report_page)
    pdf_signals, pdf_counts = report_html_readings(
        render_to_string("learning/report_pdf.html", report_context(report))
    )
    csv_signals, csv_counts = report_csv_readings(client, day.isoformat())
    client.force_login(member_of(HubFactory(name="A hub of its own"), username="other-hub-member"))
    as_approved = {pk: page_reading(client, pk) for pk in indicators}

    # The summary board and its CSV read what the evaluator's page reads, indicator by indicator.
    assert board == as_evaluator
    assert board_csv == as_evaluator
    # The report's signals read what the approved figures' page reads, on its page, CSV and PDF.
    assert page_signals and page_signals == pdf_signals == csv_signals
    assert page_signals == {pk: as_approved[pk] for pk in page_signals}
    # Every improvement and concern is a signal of a first report, and its headline counts the rest.
    assert set(page_signals) == {
        pk
        for pk, reading in as_approved.items()
        if reading.startswith(("Special cause improvement", "Special cause concern"))
    }
    assert page_counts == pdf_counts == csv_counts == expected_counts(as_approved)

    # The walk met the cases that matter, and no label left its direction out anywhere.
    everything = [*as_evaluator.values(), *as_approved.values()]
    assert any(reading.startswith("Special cause improvement: lower values") for reading in everything)
    assert any(reading.startswith("Special cause concern") for reading in everything)
    assert any(reading.startswith("Too few figures (") and " (0 of " not in reading for reading in everything)
    assert any(
        as_evaluator[pk] != as_approved[pk] for pk in indicators
    )  # submitted figures count on the board
    for text in (report_page, *everything):
        assert not DIRECTIONLESS.search(text)
