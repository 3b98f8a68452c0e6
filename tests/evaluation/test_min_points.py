"""Enough points: below the programme's fewest figures for limits (12 unless it says otherwise) an
indicator's chart is a run chart with its median, its page says how many more months are needed,
and the summary, its CSV and the nightly report say "Too few figures (n of 12)" in place of the icons.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.months import add_months
from evaluation import charts, mdc
from evaluation.models import DataQualityFlag, IndicatorSummary, Measurement
from evaluation.spc import xmr
from hubs.models import Programme
from learning.reports import report_context
from learning.services import rollup_run
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    ProgrammeFactory,
    approved_figures,
    evaluator,
)

pytestmark = pytest.mark.django_db

# Thirteen steady months around 100: common cause, and a target of 90 passed consistently.
STEADY = [100, 104, 98, 102, 101, 99, 103, 97, 100, 102, 98, 101, 100]


def with_figures(hub, values, *, target=Decimal("90")):
    """An indicator of a new adoption in ``hub`` with these approved monthly figures, ending last month."""
    indicator = IndicatorFactory(adoption=AdoptionFactory(hub=hub), target=target)
    approved_figures(indicator, values)
    return indicator


def text_of(response) -> str:
    chunks = response.streaming_content if response.streaming else [response.content]
    return b"".join(chunks).decode("utf-8-sig")


def reading_shown(html: str) -> str:
    """The words of the page's Making Data Count reading: each icon's label, or what stands in for them."""
    block = re.search(r'<div class="hp-spc-reading">(.*?)</div>', html, re.S).group(1)
    return "; ".join(re.findall(r'class="hp-mdc(?:__label| hp-mdc--none)">([^<]*)<', block))


def legend(html: str) -> list[str]:
    block = re.search(r'<ul class="hp-xmr__legend".*?</ul>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def summary_csv(client, **params) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text_of(client.get(reverse("evaluation:summary_csv"), params)))))


# The rule, in one place (evaluation.mdc)


def test_the_minimum_is_counted_since_the_latest_rebase():
    assert mdc.points_counted(18) == 18
    assert mdc.points_counted(18, [12]) == 6  # the new process has 6 figures of its own
    assert mdc.points_counted(18, [5, 12]) == 6
    assert mdc.points_counted(18, [0]) == 18  # a rebase at the first figure splits nothing
    result = xmr(STEADY[:12] + [140] * 6, rebase_at=[12])
    assert mdc.read(result, improvement="increase", rebase_at=[12], min_points=12).label == (
        "Too few figures (6 of 12)"
    )
    whole = xmr(STEADY[:12] + [140] * 6)  # judged as one process, the step up is an improvement
    assert mdc.read(whole, improvement="increase", min_points=12).variation == mdc.IMPROVEMENT_HIGH


@pytest.mark.parametrize(
    ("count", "words"),
    [(11, "1 more month of figures is needed"), (9, "3 more months of figures are needed")],
)
def test_the_page_says_how_many_more_months_are_needed(client, evaluator_user, hub, count, words):
    client.force_login(evaluator_user)
    html = client.get(with_figures(hub, STEADY[:count]).get_absolute_url()).content.decode()
    assert f"{words} before process limits are shown" in html
    assert (
        "This programme shows process limits and the Making Data Count icons from 12 monthly figures" in html
    )


def test_eleven_figures_draw_a_run_chart_without_icons(client, evaluator_user, hub):
    client.force_login(evaluator_user)
    html = client.get(with_figures(hub, STEADY[:11]).get_absolute_url()).content.decode()
    assert reading_shown(html) == "Too few figures (11 of 12)"
    assert 'class="hp-mdc__icon"' not in html  # neither icon is drawn
    assert '<title id="chart-title">Run chart of People enrolled' in html
    assert legend(html) == ["Monthly figure", "Median", "Target"]
    description = re.search(r'<desc id="chart-desc">(.*?)</desc>', html, re.S).group(1)
    assert "A run chart: median 100; no process limits." in description
    assert "Target 90: not assessed without process limits." in description
    assert "Consistently passing" not in html and "Common cause variation" not in html
    assert ">Median</th>" in html and "Upper process limit" not in html


def test_twelve_figures_draw_the_xmr_chart_with_its_icons(client, evaluator_user, hub):
    client.force_login(evaluator_user)
    html = client.get(with_figures(hub, STEADY[:12]).get_absolute_url()).content.decode()
    assert reading_shown(html) == "Common cause variation; Consistently passing the target"
    assert html.count('class="hp-mdc__icon"') == 2
    assert '<title id="chart-title">XmR chart of People enrolled' in html
    assert "Process limits" in legend(html) and "Median" not in legend(html)
    assert "more month" not in html and "Too few figures" not in html


def test_the_run_charts_centre_line_is_each_groups_median():
    values = [10, 30, 20, 50, 40, 7, 9, 8]
    periods = [add_months(datetime.date(2025, 1, 1), index) for index in range(len(values))]
    run = mdc.run_chart(values, rebase_at=[5])
    assert [point.mean for point in run.points] == [30] * 5 + [8] * 3  # the median of each group
    assert all(point.lpl is None and point.upl is None for point in run.points)
    chart = charts.xmr_chart(
        periods,
        run,
        rebases=[charts.Rebase(periods[5], "New pharmacy")],
        improvement="increase",
        run_chart=True,
    )
    assert sorted(line.kind for line in chart.lines) == ["median", "median", "value"]
    first_median = next(line for line in chart.lines if line.kind == "median")
    heights = {point.split(",")[1] for point in first_median.points.split()}
    assert heights == {charts.coordinate(chart.markers[1].y)}  # level with the figure of 30
    assert all("variation" not in marker.title for marker in chart.markers)
    assert [item.label for item in chart.legend] == ["Monthly figure", "Median", "Rebase: new median"]


def test_the_page_table_gives_the_median(client, evaluator_user, hub):
    client.force_login(evaluator_user)
    html = client.get(with_figures(hub, [10, 30, 20, 50, 40]).get_absolute_url()).content.decode()
    table = re.search(r'id="figures-caption".*?</table>', html, re.S).group(0)
    assert "Monthly figures, with the chart’s median" in table
    assert table.count('<td class="nhsuk-table__cell nhsuk-table__cell--numeric">30.0</td>') == 5


# A programme with another minimum


def test_a_programme_sets_its_own_minimum(client, evaluator_user):
    programme = ProgrammeFactory(slug="short-pilots", name="Short pilots", min_points_for_limits=6)
    short_pilots = HubFactory(programme=programme)
    enough, short = with_figures(short_pilots, STEADY[:6]), with_figures(short_pilots, STEADY[:5])
    assert enough.summary.variation == "common_cause"
    assert short.summary.reading.label == "Too few figures (5 of 6)"
    client.force_login(evaluator_user)
    html = client.get(short.get_absolute_url()).content.decode()
    assert "1 more month of figures is needed before process limits are shown" in html
    assert "from 6 monthly figures" in html
    html = client.get(enough.get_absolute_url()).content.decode()
    assert reading_shown(html) == "Common cause variation; Consistently passing the target"


def test_changing_the_minimum_rereads_the_programmes_summaries_and_flags(hub):
    # The last figure far above the rest: outside the limits, once there are any.
    indicator = with_figures(hub, [*STEADY[:7], 140])
    assert indicator.summary.reading.label == "Too few figures (8 of 12)"
    assert not outside_limits_flagged(indicator)
    programme = hub.programme
    programme.min_points_for_limits = 8
    programme.save()  # as the admin saves it
    indicator.summary.refresh_from_db()
    assert indicator.summary.reading.variation_label == "Special cause improvement: higher values"
    assert outside_limits_flagged(indicator)


def outside_limits_flagged(indicator) -> bool:
    return indicator.flags.filter(kind=DataQualityFlag.Kind.OUTSIDE_LIMITS, active=True).exists()


def test_the_minimum_is_bounded(db):
    programme = ProgrammeFactory()
    for bad in (1, 37):
        programme.min_points_for_limits = bad
        with pytest.raises(ValidationError) as refused:
            programme.full_clean()
        assert "min_points_for_limits" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=programme.pk).update(min_points_for_limits=0)


# The summary and its CSV


def test_the_summary_shows_too_few_figures_in_place_of_the_icons(client, evaluator_user, hub):
    short = with_figures(hub, STEADY[:11])
    with_figures(hub, STEADY[:12])
    client.force_login(evaluator_user)
    html = client.get(reverse("evaluation:summary")).content.decode()
    cell = re.search(
        r'<td class="nhsuk-table__cell hp-board__icon" colspan="2">(.*?)</td>', html, re.S
    ).group(1)
    assert re.search(r'<span class="hp-mdc hp-mdc--none">Too few figures \(11 of 12\)</span>', cell)
    assert html.count('class="hp-mdc__icon"') == 2  # the other indicator's two icons
    shown = client.get(reverse("evaluation:summary"), {"signal": "too-few"}).context["page"]
    assert [summary.indicator for summary in shown] == [short]


def test_the_summary_csv_says_too_few_figures(client, evaluator_user, hub):
    with_figures(hub, STEADY[:11])
    client.force_login(evaluator_user)
    header, row = summary_csv(client)
    assert row[header.index("Variation")] == "Too few figures (11 of 12)"
    assert row[header.index("Assurance")] == "Too few figures (11 of 12)"
    assert row[header.index("Months with figures")] == "11"


# The nightly report, its CSV and PDF


def test_the_report_counts_indicators_with_too_few_figures(client, hub):
    with_figures(hub, STEADY[:11])
    with_figures(hub, STEADY[:12])
    day = timezone.localdate() - datetime.timedelta(days=1)
    report = rollup_run(day=day).report
    assert report.content["headline"]["indicators_too_few"] == 1
    assert report.content["headline"]["indicators_by_variation"] == {"common_cause": 1}
    client.force_login(evaluator(username="report-reader"))
    html = client.get(reverse("learning:report", args=[day.isoformat()])).content.decode()
    assert re.search(r"Too few figures</span>\s*</td>\s*<td[^>]*>1</td>", html)
    headline = text_of(client.get(reverse("learning:report_csv", args=[day.isoformat(), "headline"])))
    assert "indicators by variation,Too few figures,1" in headline.splitlines()
    pdf_html = render_to_string("learning/report_pdf.html", report_context(report))
    assert re.search(r"Too few figures</span>\s*</td>\s*<td[^>]*>1</td>", pdf_html)


def test_a_twelfth_figure_that_is_a_signal_is_new_and_was_too_few_before(client, hub):
    """The 12th figure, approved after the previous report, is far above the rest: a new improvement."""
    indicator = with_figures(hub, [*STEADY[:11], 160])
    day = timezone.localdate() - datetime.timedelta(days=1)
    before = day - datetime.timedelta(days=5)
    Measurement.objects.filter(indicator=indicator).exclude(value=160).update(
        reviewed_at=timezone.now() - datetime.timedelta(days=10)
    )
    rollup_run(day=before)
    report = rollup_run(day=day).report
    [signal] = report.content["signals"]
    assert (signal["change"], signal["points"], signal["previous_points"]) == ("new improvement", 12, 11)
    client.force_login(evaluator(username="report-reader"))
    html = client.get(reverse("learning:report", args=[day.isoformat()])).content.decode()
    assert "Special cause improvement: higher values" in html
    assert '<td class="nhsuk-table__cell">Too few figures (11 of 12)</td>' in html  # the Before column
    signals = text_of(client.get(reverse("learning:report_csv", args=[day.isoformat(), "signals"])))
    header, row = list(csv.reader(io.StringIO(signals)))
    assert row[header.index("variation")] == "Special cause improvement: higher values"
    pdf_html = render_to_string("learning/report_pdf.html", report_context(report))
    assert "Too few figures (11 of 12)" in pdf_html


def test_the_summary_row_keeps_the_figures_counted_and_the_minimum(hub):
    indicator = with_figures(hub, STEADY[:3])
    row = IndicatorSummary.objects.get(indicator=indicator)
    assert (row.points, row.points_counted, row.min_points, row.variation, row.assurance) == (
        3,
        3,
        12,
        "",
        "",
    )
