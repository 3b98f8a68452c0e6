"""Small counts on every evaluation page and file: the owning hub's staff and evaluators see them as
they are; other hubs' staff and AHSN admins see "<8" and no share worked out from them."""

import csv
import html as html_module
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import dashboards, summaries
from evaluation.charts import long_month
from evaluation.models import BreakdownDimension, Measurement
from tests.factories import IndicatorFactory, MeasurementFactory, imd, last_month, percentage_metric

pytestmark = pytest.mark.django_db

APPROVED = Measurement.Status.APPROVED


def text_of(html: str) -> str:
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


@pytest.fixture
def enrolled(adoption):
    """Dorset's people enrolled last month: 3 in IMD quintile 1 of 5 in all, approved."""
    indicator = IndicatorFactory(adoption=adoption)
    for quintile, count in enumerate([3, 1, 1, 0, 0], start=1):
        MeasurementFactory(
            indicator=indicator,
            period=last_month(),
            group=imd(quintile),
            value=Decimal(count),
            status=APPROVED,
        )
    MeasurementFactory(indicator=indicator, period=last_month(), value=Decimal(5), status=APPROVED)
    summaries.refresh([indicator.pk])
    return indicator


@pytest.fixture
def controlled(adoption):
    """Dorset's blood pressure controlled last month: 3 of 50 people, 6%."""
    indicator = IndicatorFactory(adoption=adoption, metric=percentage_metric())
    MeasurementFactory(
        indicator=indicator, period=last_month(), value=None, numerator=3, denominator=50, status=APPROVED
    )
    summaries.refresh([indicator.pk])
    return indicator


def get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response


# -- The equity dashboard ----------------------------------------------------------------------


def equity_cells(client, user) -> tuple[dict[str, list[str]], str]:
    """The equity page's rows for Dorset's people enrolled, by IMD quintile: group → cells."""
    content = get(client, user, reverse("evaluation:equity")).content.decode()
    table = re.search(r"<tbody.*?</tbody>", content, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        group = text_of(re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        rows[group] = [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return rows, content


def test_an_ahsn_admin_sees_under_eight_and_no_share_on_the_equity_page(client, admin_user_ahsn, enrolled):
    rows, content = equity_cells(client, admin_user_ahsn)
    # The share and the gap: a dash, read out as "Not shown"; the local population share is no count.
    assert rows["1 (most deprived)"] == [
        "<8",
        "<8",
        "— Not shown",
        "Not entered",
        "— None",
        "Not shown: fewer than 8 people in the group",
    ]
    assert rows["4"][:3] == ["0", "<8", "— Not shown"]  # zero is no small count, but its share gives 5 away
    assert "60.0%" not in content  # 3 of 5
    assert "Share not shown: fewer than 8 people in the group" in content  # the chart's bar


def test_an_evaluator_sees_the_counts_and_the_share_on_the_equity_page(client, evaluator_user, enrolled):
    rows, _ = equity_cells(client, evaluator_user)
    assert rows["1 (most deprived)"][:3] == ["3", "5", "60.0%"]


def test_equity_rows_without_a_viewer_are_suppressed(enrolled):
    first, last = dashboards.equity_months()
    imd_quintile = BreakdownDimension.objects.get(code="imd")
    [row] = dashboards.equity_rows(Measurement.objects.all(), dimension=imd_quintile, first=first, last=last)
    group = row.groups[0]
    assert (group.people_shown, group.base_shown, group.suppressed) == ("<8", "<8", True)


# -- The summary and summary.csv ---------------------------------------------------------------


def summary_latest(client, user) -> dict[str, str]:
    """Each metric's latest figure as the summary board shows it; its sparkline reads out the same."""
    content = get(client, user, reverse("evaluation:summary")).content.decode()
    latest = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", content, re.S):
        if metric := re.search(r'<th scope="row"[^>]*>\s*<a [^>]*>(.*?)</a>', row, re.S):
            figure = text_of(re.search(r'class="hp-board__figure">(.*?)</span>', row, re.S)[1])
            months = text_of(re.search(r'<span class="nhsuk-u-visually-hidden">([^<]*)</span>', row)[1])
            assert months.endswith(f"{long_month(last_month())}: {figure}."), months
            latest[text_of(metric[1])] = figure
    return latest


def summary_csv_latest(client, user) -> dict[str, str]:
    response = get(client, user, reverse("evaluation:summary_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["Metric"]: row["Latest value"] for row in csv.DictReader(io.StringIO(text))}


def test_an_ahsn_admin_sees_under_eight_and_no_share_in_the_summary(
    client, admin_user_ahsn, enrolled, controlled
):
    expected = {"People enrolled": "<8", "Blood pressure controlled to target": "Not shown"}
    assert summary_latest(client, admin_user_ahsn) == expected
    assert summary_csv_latest(client, admin_user_ahsn) == expected


def test_an_evaluator_sees_the_latest_figures_as_they_are_in_the_summary(
    client, evaluator_user, enrolled, controlled
):
    assert summary_latest(client, evaluator_user) == {
        "People enrolled": "5",
        "Blood pressure controlled to target": "6%",
    }
    assert summary_csv_latest(client, evaluator_user) == {
        "People enrolled": "5.0",
        "Blood pressure controlled to target": "6.0",
    }


def test_an_ahsn_admin_who_is_staff_of_the_hub_sees_its_figures_as_they_are(
    client, admin_user_ahsn, hub, enrolled
):
    from hubs.models import Membership

    Membership.objects.create(user=admin_user_ahsn, hub=hub, role=Membership.Role.MEMBER)
    assert summary_latest(client, admin_user_ahsn) == {"People enrolled": "5"}


# -- The indicator page ------------------------------------------------------------------------


def figures_table(content: str, caption_id: str) -> str:
    return text_of(re.search(rf'id="{caption_id}".*?</table>', content, re.S).group(0))


def test_another_hubs_staff_see_under_eight_on_the_indicator_page_and_no_chart(client, reader, enrolled):
    content = get(client, reader, enrolled.get_absolute_url()).content.decode()
    month = f"{last_month():%b %Y}"
    assert f"{month} <8 " in figures_table(content, "figures-caption")
    # IMD 1 to 5: 3, 1, 1, 0, 0 people.
    assert f"{month} <8 <8 <8 0 0" in figures_table(content, "breakdown-imd-caption")
    assert '<svg class="hp-xmr__svg"' not in content  # its height would give the count away
    assert "The chart is not shown: some monthly figures count fewer than 8 people" in content
    assert "Latest value 5" not in content
    # With one month, the mean is the figure: the chart's mean and limits are not shown either.
    assert "5.0" not in figures_table(content, "figures-caption")
    assert "Not shown, like the chart" in figures_table(content, "figures-caption")


def test_another_hubs_staff_see_no_percentage_of_a_small_count(client, reader, controlled):
    content = get(client, reader, controlled.get_absolute_url()).content.decode()
    assert "Not shown (<8/50)" in figures_table(content, "figures-caption")
    assert "6.0%" not in content


@pytest.mark.parametrize("role", ["owner", "evaluator_user"])
def test_the_hubs_staff_and_evaluators_see_the_figures_as_they_are(
    client, request, role, enrolled, controlled
):
    user = request.getfixturevalue(role)
    content = get(client, user, enrolled.get_absolute_url()).content.decode()
    month = f"{last_month():%b %Y}"
    assert f"{month} 5 " in figures_table(content, "figures-caption")
    assert f"{month} 3 1 1 0 0" in figures_table(content, "breakdown-imd-caption")
    assert '<svg class="hp-xmr__svg"' in content and "Latest value 5 (" in content
    content = get(client, user, controlled.get_absolute_url()).content.decode()
    assert "6.0% (3/50)" in figures_table(content, "figures-caption")


def test_an_ahsn_admin_sees_under_eight_on_the_indicator_page(client, admin_user_ahsn, enrolled):
    content = get(client, admin_user_ahsn, enrolled.get_absolute_url()).content.decode()
    assert f"{last_month():%b %Y} <8 " in figures_table(content, "figures-caption")
    assert '<svg class="hp-xmr__svg"' not in content


def test_larger_counts_are_charted_for_everyone(client, reader, adoption):
    indicator = IndicatorFactory(adoption=adoption)
    MeasurementFactory(indicator=indicator, period=last_month(), value=Decimal(8), status=APPROVED)
    content = get(client, reader, indicator.get_absolute_url()).content.decode()
    assert '<svg class="hp-xmr__svg"' in content and "Latest value 8 (" in content
