"""The review queue's counts of figures awaiting review, kept per adoption-month as figures change."""

import itertools
from decimal import Decimal

import pytest
from django.db import connection

from evaluation.awaiting import awaiting_refresh_all
from evaluation.hub_months import hub_months_awaiting_review, next_hub_month
from evaluation.measurements import (
    ProposedFigure,
    measurement_edit,
    measurements_review,
    measurements_save,
)
from evaluation.models import AdoptionMonthAwaiting, Indicator, Measurement
from innovations.services import adoption_archive, adoption_restore
from tests.factories import (
    AdoptionFactory,
    IndicatorFactory,
    MetricFactory,
    last_month,
)
from tests.threads import at_once

pytestmark = pytest.mark.django_db

_codes = itertools.count()


def indicators_of(adoption, count):
    return [
        Indicator.objects.select_related("metric", "adoption").get(
            pk=IndicatorFactory(adoption=adoption, metric=MetricFactory(code=f"m-{next(_codes)}")).pk
        )
        for _ in range(count)
    ]


def save(indicator, by, value="10", period=None):
    return measurements_save(
        [ProposedFigure(indicator=indicator, period=period or last_month(), value=Decimal(value))], by=by
    )


def queue():
    return [(row.hub.name, row.period, row.awaiting, row.resubmitted) for row in hub_months_awaiting_review()]


def test_the_queue_follows_saves_reviews_returns_and_resubmissions(hub, adoption, owner, evaluator_user):
    first, second = indicators_of(adoption, 2)
    save(first, owner)
    save(second, owner)
    assert queue() == [("Dorset", last_month(), 2, 0)]

    measurements_review(
        measurements=Measurement.objects.filter(indicator=first), by=evaluator_user, approve=True
    )
    assert queue() == [("Dorset", last_month(), 1, 0)]

    (returned,) = measurements_review(
        measurements=Measurement.objects.filter(indicator=second),
        by=evaluator_user,
        approve=False,
        note="Check.",
    )
    assert queue() == [] and not AdoptionMonthAwaiting.objects.exists()

    measurement_edit(measurement=returned, by=owner, version=returned.version, value=Decimal("11"))
    assert queue() == [("Dorset", last_month(), 1, 1)]


def test_an_archived_adoptions_figures_leave_the_queue_until_it_is_restored(hub, adoption, owner, lead):
    (indicator,) = indicators_of(adoption, 1)
    save(indicator, owner)
    adoption_archive(adoption=adoption, reason="The pilot ended.", by=lead)
    assert queue() == []
    assert next_hub_month(AdoptionFactory().hub, last_month()) is None
    adoption_restore(adoption=adoption, by=lead)
    assert queue() == [("Dorset", last_month(), 1, 0)]


def test_a_full_recount_matches_the_counts_kept(hub, other_hub, adoption, owner, reader, evaluator_user):
    kept = indicators_of(adoption, 3)
    elsewhere = indicators_of(AdoptionFactory(hub=other_hub), 2)
    for indicator in kept:
        save(indicator, owner)
    for indicator in elsewhere:
        save(indicator, reader)
    measurements_review(
        measurements=Measurement.objects.filter(indicator=kept[0]), by=evaluator_user, approve=True
    )
    before = queue()
    AdoptionMonthAwaiting.objects.all().delete()
    assert queue() == []
    assert awaiting_refresh_all() == 2
    assert queue() == before and sorted(row[2] for row in before) == [2, 2]


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_one_adoption_month_at_once_are_both_counted(hub, adoption, owner, lead):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    waiting = iter(indicators_of(adoption, 2))
    people = iter([owner, lead])
    pairs = [(next(waiting), next(people)) for _ in range(2)]
    turns = iter(pairs)
    at_once(lambda: save(*next(turns)))
    assert Measurement.objects.filter(status="submitted").count() == 2
    assert queue() == [("Dorset", last_month(), 2, 0)]
