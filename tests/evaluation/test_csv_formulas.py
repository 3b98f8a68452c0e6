"""The evaluation CSVs (the indicator summary and the upload template): a name or code that starts
like a formula is written as text (with a leading apostrophe), and a number stays a number."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import summaries
from evaluation.models import IndicatorSummary, Measurement, Metric
from tests.core.test_csvfile import FORMULAS
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    InnovationFactory,
    MeasurementFactory,
    MetricFactory,
    last_month,
)

pytestmark = pytest.mark.django_db


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_summary_csv_neutralises_formulas_and_keeps_negative_numbers(client, evaluator_user, formula):
    adoption = AdoptionFactory(hub=HubFactory(name=formula), innovation=InnovationFactory(name=formula))
    metric = MetricFactory(code="change-in-rate", name=formula, unit=formula, kind=Metric.Kind.RATE)
    indicator = IndicatorFactory(adoption=adoption, metric=metric)
    MeasurementFactory(
        indicator=indicator, period=last_month(), value=Decimal(3), status=Measurement.Status.APPROVED
    )
    summaries.refresh([indicator.pk])
    # Figures are never negative; a hand-made summary stands in for a metric that could be.
    IndicatorSummary.objects.filter(indicator=indicator).update(latest_value=-3.5)
    client.force_login(evaluator_user)
    response = client.get(reverse("evaluation:summary_csv"))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffHub,")
    _, row = read(text.removeprefix("\ufeff"))
    assert row[:5] == ["'" + formula] * 3 + ["Reach", "'" + formula]
    assert row[6] == "-3.5"


@pytest.mark.parametrize("formula", FORMULAS)
def test_the_upload_template_neutralises_a_metric_code_that_starts_like_a_formula(
    client, owner, adoption, formula
):
    IndicatorFactory(adoption=adoption, metric=MetricFactory(code=formula, name="Odd code"))
    IndicatorFactory(adoption=adoption, metric=MetricFactory(code="-5", name="Numeric code"))
    client.force_login(owner)
    response = client.get(reverse("evaluation:upload_template", args=[adoption.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    header, *rows = read(response.content.decode("utf-8"))
    assert header[0] == "metric"  # no byte-order mark, as before
    codes = {row[0] for row in rows}
    assert codes == {"'" + formula, "-5"}  # "-5" is a plain number: a spreadsheet runs nothing
    assert all(row[1] == f"{last_month():%Y-%m}" for row in rows)
