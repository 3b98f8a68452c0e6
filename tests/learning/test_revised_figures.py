"""The nightly report's "Revised figures": figures reopened and approved again since the previous report."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.measurements import hub_month_review, measurement_edit
from evaluation.models import Measurement
from evaluation.reopening import reopen_decide, reopen_request
from learning.models import RollupReport
from learning.services import rollup_run
from tests.factories import IndicatorFactory, MeasurementFactory, last_month, percentage_metric

pytestmark = pytest.mark.django_db


def reopen_and_correct(hub, indicator, *, by, evaluator_user, **figure):
    """Reopen the indicator's approved month at the hub's request, correct it, and approve it again."""
    asked = reopen_request(indicator=indicator, period=last_month(), reason="Counted twice.", by=by)
    reopen_decide(request=asked, by=evaluator_user, reopen=True, version=asked.version)
    total = Measurement.objects.get(indicator=indicator, period=last_month(), group=None)
    measurement_edit(measurement=total, by=by, version=total.version, **figure)
    hub_month_review(
        hub=hub,
        period=last_month(),
        by=evaluator_user,
        seen={m.pk: m.version for m in Measurement.objects.filter(indicator__adoption__hub=hub)},
        returns={},
    )


def test_the_next_report_lists_a_revised_figure_with_the_one_it_replaced(
    client, hub, adoption, owner, reader, evaluator_user
):
    indicator = IndicatorFactory(adoption=adoption)
    MeasurementFactory(indicator=indicator, value=Decimal("120"), status="approved")
    untouched = IndicatorFactory(adoption=adoption, metric=percentage_metric())
    MeasurementFactory(indicator=untouched, value=None, numerator=45, denominator=60, status="approved")
    reopen_and_correct(hub, indicator, by=owner, evaluator_user=evaluator_user, value=Decimal("5"))

    today = timezone.localdate()
    rollup_run(day=today)
    (row,) = RollupReport.objects.get(day=today).content["revised"]
    assert (row["hub"], row["previous"], row["previous_value"], row["value"]) == ("Dorset", "120", 120, 5)

    # Everyone reads the report: the new figure, a count under 8, reads "<8" as elsewhere.
    client.force_login(reader)
    page = client.get(reverse("learning:report", args=[today.isoformat()])).content.decode()
    assert "Revised figures" in page
    revised = page[page.index('id="revised"') :]
    assert "120" in revised and "&lt;8" in revised and "45.0%" not in revised
    csv_text = client.get(
        reverse("learning:report_csv", args=[today.isoformat(), "revised"])
    ).content.decode()
    assert "120,<8" in csv_text


def test_a_revised_figure_is_listed_once_not_in_every_later_report(hub, adoption, owner, evaluator_user):
    indicator = IndicatorFactory(adoption=adoption)
    MeasurementFactory(indicator=indicator, value=Decimal("120"), status="approved")
    reopen_and_correct(hub, indicator, by=owner, evaluator_user=evaluator_user, value=Decimal("130"))
    today = timezone.localdate()
    tomorrow = today + timezone.timedelta(days=1)
    rollup_run(day=today)
    rollup_run(day=tomorrow)
    assert len(RollupReport.objects.get(day=today).content["revised"]) == 1
    assert RollupReport.objects.get(day=tomorrow).content["revised"] == []
