"""The same evidence reads the same wherever it is shown: a lower-is-better metric's improvement
is "lower values" on the indicator page, the summary and its CSV, and the report, its CSV and PDF
text alike (the report once said "higher values", its icon drawn without the metric's direction)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.months import add_months, last_complete_month
from evaluation import summaries
from evaluation.models import Measurement, Metric
from learning.services import rollup_run
from tests.factories import AdoptionFactory, IndicatorFactory, MeasurementFactory, MetricFactory, evaluator

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
    first = add_months(last_complete_month(), -len(COSTS))
    reviewed = timezone.now() - datetime.timedelta(days=2)
    for index, value in enumerate(COSTS):
        MeasurementFactory(
            indicator=indicator,
            period=add_months(first, index),
            value=Decimal(value),
            status=Measurement.Status.APPROVED,
            reviewed_at=reviewed,
        )
    summaries.refresh([indicator.pk])
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
        assert IMPROVED in text, name
        assert WRONG_WAY not in text, name
