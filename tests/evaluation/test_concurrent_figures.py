"""A save and a review of one indicator's figures at the same moment run one after the other.

On PostgreSQL each used to hold a row the other needed (the review its figures, the save the
indicator's summary and its foreign-key check): the load test met a deadlock, a 500 for one.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from core.months import add_months
from evaluation import measurements
from evaluation.measurements import ProposedFigure
from evaluation.models import Indicator, Measurement
from tests.factories import IndicatorFactory, MeasurementFactory, last_month

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_save_waits_for_a_review_of_the_same_indicator(adoption, owner, evaluator_user, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    indicator = Indicator.objects.select_related("metric", "adoption").get(
        pk=IndicatorFactory(adoption=adoption).pk
    )
    reviewed_month = add_months(last_month(), -2)
    MeasurementFactory(indicator=indicator, period=reviewed_month, value=5)
    review_slowly = measurements._review
    finished: list[str] = []
    moments: dict[str, float] = {}

    def slow_review(*args, **kwargs):
        reviewed = review_slowly(*args, **kwargs)
        time.sleep(1)  # hold the review's transaction open while the save tries
        moments["review ends"] = time.monotonic()  # just before it commits
        return reviewed

    monkeypatch.setattr(measurements, "_review", slow_review)
    check_figures = measurements.measurements_check

    def timed_check(*args, **kwargs):
        moments.setdefault("save checks", time.monotonic())
        return check_figures(*args, **kwargs)

    monkeypatch.setattr(measurements, "measurements_check", timed_check)
    review_started = threading.Event()

    def review():
        try:
            with transaction.atomic():
                review_started.set()
                measurements.measurements_review(
                    measurements=Measurement.objects.filter(indicator=indicator, period=reviewed_month),
                    by=evaluator_user,
                    approve=True,
                )
            finished.append("review")
        finally:
            connection.close()

    def save():
        try:
            review_started.wait()
            time.sleep(0.3)  # the review holds the indicator by now
            measurements.measurements_save(
                [ProposedFigure(indicator=indicator, period=last_month(), value=Decimal("7"))], by=owner
            )
            finished.append("save")
        finally:
            connection.close()

    threads = [threading.Thread(target=review), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert finished == ["review", "save"]
    # The save waited for the indicator before it read a figure: nothing is held in between.
    assert moments["save checks"] > moments["review ends"]
    assert Measurement.objects.get(indicator=indicator, period=reviewed_month).status == "approved"
    assert Measurement.objects.get(indicator=indicator, period=last_month()).value == 7
