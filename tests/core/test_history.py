"""History says who changed what and why, and keeps the reason whole, however long.

django-simple-history's change reason was a 100-character column: on PostgreSQL a
longer reason was refused (a 500), on SQLite silently kept. Both CI runs take these.
"""

import datetime

import pytest
from django.utils import timezone

from core.history import stamp
from core.months import add_months
from evaluation import services as evaluation_services
from innovations import services as innovation_services
from innovations.models import Adoption
from innovations.stages import Stage
from tests.factories import AdoptionFactory, IndicatorFactory, InnovationFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

LONG_REASON = ("The clinic moved to a new site and the referral pathway changed with it. " * 30)[:2000]


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_stamp_sets_who_why_and_the_next_version(adoption, owner):
    stamp(adoption, by=owner, reason="  Edited  ")
    adoption.save()
    record = adoption.history.latest("history_date")
    assert (record.history_user, record.history_change_reason, record.version) == (owner, "Edited", 2)


def test_a_rebase_with_a_2000_character_reason_is_kept_whole(client, adoption, evaluator_user):
    indicator = IndicatorFactory(adoption=adoption)
    first = adoption.started_on.replace(day=1)
    for month in range(3):
        MeasurementFactory(indicator=indicator, period=add_months(first, month))
    evaluation_services.rebase_add(indicator=indicator, period=first, reason=LONG_REASON, by=evaluator_user)
    assert indicator.rebase_points.get().history.latest("history_date").history_change_reason == LONG_REASON
    assert LONG_REASON in page(client, evaluator_user, indicator.get_absolute_url())


def test_a_merge_with_a_2000_character_reason_is_kept_whole(client, adoption, owner, admin_user_ahsn):
    source, target = adoption.innovation, InnovationFactory()
    innovation_services.innovation_merge(source=source, target=target, by=admin_user_ahsn, reason=LONG_REASON)
    adoption.refresh_from_db()
    assert adoption.innovation == target
    assert LONG_REASON in adoption.history.latest("history_date").history_change_reason
    assert LONG_REASON in page(client, owner, adoption.get_absolute_url())


def test_a_stage_move_with_a_2000_character_reason_is_kept_whole(client, hub, owner):
    adoption = AdoptionFactory(
        hub=hub, stage=Stage.TESTING, stage_since=timezone.localdate() - datetime.timedelta(days=30)
    )
    innovation_services.adoption_move(
        adoption=adoption,
        to_stage=Stage.ASSESSING,
        on=timezone.localdate(),
        reason=LONG_REASON,
        by=owner,
        version=adoption.version,
    )
    assert (
        Adoption.objects.get(pk=adoption.pk).transitions.get(to_stage=Stage.ASSESSING).reason == LONG_REASON
    )
    assert LONG_REASON in page(client, owner, adoption.get_absolute_url())
