"""The same evidence reads the same wherever it is shown: a lower-is-better metric's improvement
is "lower values" on the indicator page, the summary and its CSV, and the report, its CSV and PDF
text alike (the report once said "higher values", its icon drawn without the metric's direction)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Metric
from learning.services import rollup_run
from tests.factories import AdoptionFactory, IndicatorFactory, MetricFactory, approved_figures, evaluator

pytestmark = pytest.mark.django_db

IMPROVED = "Special cause improvement: lower values"
WRONG_WAY = "Special cause improvement: higher values"
COSTS = [40, 41, 39, 40, 42, 38, 40, 41, 39, 40, 41, 39, 31, 30, 32, 31, 30, 29, 31, 30]  # a step down


@pytest.fixture
def falling_cost(hub):
    cost = MetricFactory(
        code="cost-per-person",
        name="Cost per person enrolled",
        unit="£",
        improvement=Metric.Improvement.DECREASE,
    )
    adoption = AdoptionFactory(hub=hub, stage="sustained")
    indicator = IndicatorFactory(adoption=adoption, metric=cost)
    approved_figures(indicator, COSTS)
    return indicator


def test_an_improvement_in_a_lower_is_better_metric_reads_lower_values_everywhere(client, falling_cost):
    day = timezone.localdate() - datetime.timedelta(days=1)
    run = rollup_run(day=day)
    assert run.report is not None
    client.force_login(evaluator(username="reader-of-everything"))
    surfaces = {
        "indicator page": client.get(falling_cost.get_absolute_url()),
        "summary": client.get(reverse("evaluation:summary")),
        "summary CSV": client.get(reverse("evaluation:summary_csv")),
        "report": client.get(reverse("learning:report", args=[day.isoformat()])),
        "report headline CSV": client.get(reverse("learning:report_csv", args=[day.isoformat(), "headline"])),
        "report signals CSV": client.get(reverse("learning:report_csv", args=[day.isoformat(), "signals"])),
    }
    for name, response in surfaces.items():
        text = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
            "utf-8-sig"
        )
        if name == "summary":  # its Signal filter offers every reading: the table is what it shows
            text = text[text.index("<table") :]
        assert IMPROVED in text, name
        assert WRONG_WAY not in text, name
