"""The demo's benefits: realistic, synthetic and marked, for some adoptions of each of the four hubs."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from hubs.models import Hub
from learning import rollup
from value.models import Benefit, RealisedValue


def test_the_demo_has_marked_benefits_for_each_hub_readable_as_of_a_past_day(db):
    call_command("seed_demo", stdout=StringIO())
    for hub in Hub.objects.all():
        benefits = Benefit.objects.filter(adoption__hub=hub)
        assert benefits.exists(), hub.name
        assert (
            benefits.values("adoption").distinct().count() < hub.adoptions.count()
        )  # some adoptions, not all
    assert not Benefit.objects.filter(is_synthetic=False).exists()
    assert not RealisedValue.objects.filter(is_synthetic=False).exists()
    assert RealisedValue.objects.filter(signed_off_at__isnull=False).exists()
    assert set(Benefit.objects.values_list("kind", flat=True)) >= {"cash_releasing", "capacity_released"}
    today = rollup.build_content(timezone.localdate())["benefits"]
    long_ago = rollup.build_content(timezone.localdate().replace(year=timezone.localdate().year - 3))[
        "benefits"
    ]
    assert {row["hub"] for row in today} == set(Hub.objects.values_list("name", flat=True))
    assert long_ago == []
    before = Benefit.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert Benefit.objects.count() == before


def test_scale_data_fills_benefits_and_replace_removes_them(db):
    from demo.scale import generate_scale_data

    generate_scale_data(scale=0.01, log=lambda line: None)
    benefits = Benefit.objects.filter(adoption__hub__programme__slug="scale-test-programme")
    hubs_with_benefits = benefits.values("adoption__hub").distinct().count()
    assert benefits.exists() and not benefits.filter(is_synthetic=False).exists()
    assert RealisedValue.objects.filter(benefit__in=benefits).exists()
    section = rollup.build_content(timezone.localdate())["benefits"]
    assert len({row["hub"] for row in section}) == hubs_with_benefits
    count = benefits.count()
    generate_scale_data(scale=0.01, replace=True, log=lambda line: None)
    assert benefits.count() == count
    assert (
        Benefit.history.model.objects.filter(adoption__hub__programme__slug="scale-test-programme").count()
        == count
    )
