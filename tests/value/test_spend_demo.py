"""The demo's spend: realistic quarters for the four hubs, marked synthetic, that show each warning once."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from hubs.models import Hub
from value.models import SpendLine, SpendQuarter
from value.spend import hub_spends


def test_the_demo_has_synthetic_quarters_for_each_hub_and_shows_the_warnings(db):
    call_command("seed_demo", stdout=StringIO())
    hubs = Hub.objects.order_by("name")
    summaries = hub_spends(hubs, as_of=timezone.localdate())
    assert len(summaries) == 4
    for summary in summaries:
        assert summary.spent > 0 and summary.in_kind > 0
        assert summary.quarters[-1].status == SpendQuarter.Status.SUBMITTED
    assert not SpendQuarter.objects.filter(is_synthetic=False).exists()
    assert SpendLine.objects.exclude(
        adoption=None
    ).exists()  # spend an adoption's benefits can be read against
    assert sum(s.lags_behind_time for s in summaries) >= 1
    assert sum(s.forecast_over_award for s in summaries) >= 1
    assert any(not s.lags_behind_time and not s.forecast_over_award for s in summaries)
    before = SpendLine.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert SpendLine.objects.count() == before


def test_scale_data_fills_spend_for_every_hub_and_replace_removes_it(db):
    from demo.scale import generate_scale_data

    generate_scale_data(scale=0.01, log=lambda line: None)
    hubs = Hub.objects.filter(programme__slug="scale-test-programme")
    assert (
        SpendQuarter.objects.filter(hub__in=hubs, is_synthetic=True).values("hub").distinct().count()
        == hubs.count()
    )
    summaries = hub_spends(hubs, as_of=timezone.localdate())
    assert all(summary.spent > 0 for summary in summaries)
    generate_scale_data(scale=0.01, replace=True, log=lambda line: None)
    assert SpendQuarter.objects.filter(hub__programme__slug="scale-test-programme").count() == len(
        [q for s in summaries for q in s.quarters]
    )
