"""``manage.py seed_demo``: idempotent, and the demo data has what the portal's pages need."""

from io import StringIO
from statistics import mean

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from evaluation.models import BreakdownGroup, DataQualityFlag, Measurement, Metric, PopulationShare
from evaluation.vocabulary import ETHNIC_GROUP, IMD, PLUS, SEX
from hubs.access import AHSN_ADMINS, EVALUATORS
from hubs.models import Hub, Membership, Organisation, Partnership, Programme
from innovations.models import Adoption, Innovation, StageTransition
from innovations.stages import Stage
from learning.models import LearningNote
from tests.factories import imd

HUB_NAMES = {"Dorset", "Bradford and Craven", "Cambridgeshire and Peterborough", "Manchester"}
DEMO_USERS = [
    "staff-dorset",
    "staff-bradford",
    "staff-cambs",
    "staff-manchester",
    "lead-manchester",
    "evaluator",
    "ahsn-admin",
    "ahsn-admin-2",
]


def row_counts() -> dict[str, int]:
    """Rows in every table the project knows, history tables included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def seeded(db):
    """Seed twice; hand back the counts after each run and the second run's output."""
    call_command("seed_demo", stdout=StringIO())
    first = row_counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return first, row_counts(), out.getvalue()


def test_second_run_adds_nothing(seeded):
    first, second, output = seeded
    assert second == first
    for model in (
        Programme,
        Organisation,
        Hub,
        Partnership,
        Membership,
        Innovation,
        Adoption,
        StageTransition,
        Metric,
        Measurement,
        LearningNote,
        Hub.history.model,
        Adoption.history.model,
        Measurement.history.model,
        LearningNote.history.model,
    ):
        assert first[model._meta.label] > 0, model._meta.label
    assert "created: nothing" in output
    assert output.count("\n") == 1


def test_demo_content(seeded):
    assert set(Hub.objects.values_list("name", flat=True)) >= HUB_NAMES
    for hub in Hub.objects.filter(name__in=HUB_NAMES):
        assert hub.award <= hub.programme.award_cap
        assert hub.partnerships.filter(role=Partnership.Role.HOST, organisation=hub.host_ahsn).exists()

    User = get_user_model()
    for username in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(settings.DEMO_PASSWORD), username
        assert not user.is_superuser
        assert user.email == f"{username}@example.org"
    dorset = User.objects.get(username="staff-dorset")
    assert list(dorset.memberships.values_list("hub__name", "role")) == [("Dorset", Membership.Role.LEAD)]
    assert User.objects.get(username="evaluator").groups.filter(name=EVALUATORS).exists()
    assert User.objects.filter(groups__name=AHSN_ADMINS, username__startswith="ahsn-admin").count() == 2

    assert Innovation.objects.filter(status=Innovation.Status.APPROVED).count() >= 10
    assert Innovation.objects.filter(
        status=Innovation.Status.PROPOSED, proposed_by__username="staff-cambs"
    ).exists()

    stages = set(Adoption.objects.values_list("stage", flat=True))
    assert {Stage.SUSTAINED, Stage.SPREADING, Stage.PAUSED} <= stages
    assert stages & {Stage.ABANDONED, Stage.NOT_ADOPTED}
    assert Adoption.objects.filter(innovation__slug="virtual-wards").count() == 4

    assert set(LearningNote.objects.values_list("cfir_domain", flat=True)) == set(LearningNote.Domain.values)
    assert set(LearningNote.objects.values_list("kind", flat=True)) == set(LearningNote.Kind.values)
    assert set(Metric.objects.values_list("dimension", flat=True)) == set(Metric.Dimension.values)

    assert not Measurement.objects.filter(is_synthetic=False).exists()
    assert Measurement.objects.filter(group=imd(1)).exists()
    assert Measurement.objects.filter(group=imd(5)).exists()
    assert Measurement.objects.filter(status=Measurement.Status.RETURNED).exclude(review_note="").count() >= 2
    assert Measurement.objects.filter(status=Measurement.Status.SUBMITTED).exists()
    assert not Measurement.objects.filter(status=Measurement.Status.APPROVED, reviewed_at=None).exists()


def test_people_enrolled_are_broken_down_by_ethnic_group_and_a_plus_group_too(seeded):
    enrolled = Measurement.objects.filter(indicator__metric__code="people-enrolled")
    assert set(enrolled.exclude(group=None).values_list("group__dimension__code", flat=True)) == {
        IMD,
        ETHNIC_GROUP,
        PLUS,
    }
    # Each hub's PLUS groups are its profile's; people enrolled are counted in the first.
    manchester = Hub.objects.get(slug="manchester")
    assert list(BreakdownGroup.objects.filter(hub=manchester).values_list("label", flat=True)) == [
        "People experiencing homelessness",
        "Ethnic minority communities",
    ]
    assert enrolled.filter(group__hub=manchester, group__label="People experiencing homelessness").exists()
    # The breakdowns never flag: the ethnic groups add up to (a little under) each total.
    assert not DataQualityFlag.objects.filter(kind=DataQualityFlag.Kind.BREAKDOWN_NOT_ADDING_UP).exists()


def test_every_hub_has_its_local_population_marked_synthetic(seeded):
    for hub in Hub.objects.filter(name__in=HUB_NAMES):
        shares = PopulationShare.objects.filter(hub=hub)
        assert set(shares.values_list("group__dimension__code", flat=True)) == {IMD, ETHNIC_GROUP, SEX, PLUS}
        assert not shares.filter(is_synthetic=False).exists()
        assert "not official statistics" in shares.first().source
        assert sum(shares.filter(group__dimension__code=ETHNIC_GROUP).values_list("share", flat=True)) <= 100
    # The equity page compares with them: Manchester's quintile 1 is 43% of its people.
    assert PopulationShare.objects.get(hub__slug="manchester", group=imd(1)).share == 43


def totals(hub: str, innovation: str, metric: str) -> list[float]:
    rows = Measurement.objects.filter(
        indicator__adoption__hub__slug=hub,
        indicator__adoption__innovation__slug=innovation,
        indicator__metric__code=metric,
        group=None,
    ).order_by("period")
    return [float(row.display_value) for row in rows]


def test_planted_spc_signals(seeded):
    shift = totals("dorset", "bp-at-home", "bp-controlled")
    before = mean(shift[:-11])
    assert all(point > before for point in shift[-11:]), "a shift: the last 11 months above the earlier mean"

    trend = totals("manchester", "virtual-wards", "people-enrolled")
    assert all(later > earlier for earlier, later in zip(trend[-9:], trend[-8:], strict=False))

    outlier = totals("cambridgeshire-and-peterborough", "virtual-wards", "emergency-admissions-rate")
    peak = max(outlier)
    rest = [point for point in outlier if point != peak]
    moving_range = mean(abs(b - a) for a, b in zip(rest, rest[1:], strict=False))
    assert peak > mean(rest) + 2.66 * moving_range * 2


@pytest.mark.django_db
def test_the_demo_gives_evaluators_concerns_and_a_target_met():
    from evaluation.mdc import CONCERNS, IMPROVEMENTS
    from evaluation.models import IndicatorSummary
    from evaluation.spc import Assurance

    call_command("seed_demo", verbosity=0)
    variations = list(IndicatorSummary.objects.values_list("variation", flat=True))
    assert sum(variation in CONCERNS for variation in variations) >= 2
    assert sum(variation in IMPROVEMENTS for variation in variations) >= 2
    assert IndicatorSummary.objects.filter(assurance=Assurance.CONSISTENT_PASS).exists()
    # Some series are still too short for limits: the demo shows a run chart and "Too few figures".
    assert "" in variations
