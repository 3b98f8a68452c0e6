"""The demo and the scale data hold two synthetic complexity checks per adoption, within the checks' own rules."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from core.todo import Urgency
from hubs.access import roles_of
from hubs.models import Membership
from innovations import todo
from innovations.complexity import DOMAINS, REASON_MAX_LENGTH
from innovations.models import Adoption, ComplexityCheck

pytestmark = pytest.mark.django_db

HUBS = {"Dorset", "Bradford and Craven", "Cambridgeshire and Peterborough", "Manchester"}


def assert_two_sound_checks_per_adoption(adoptions, reason_prefix: str = ""):
    counts = dict(adoptions.annotate(n=Count("complexity_checks")).values_list("pk", "n"))
    assert counts and set(counts.values()) == {2}
    checks = ComplexityCheck.objects.filter(adoption__in=adoptions)
    assert not checks.filter(is_synthetic=False).exists()
    assert not checks.filter(checked_on__lt=F("adoption__started_on")).exists()
    assert not checks.filter(checked_on__gt=timezone.localdate()).exists()
    for check in checks:
        for item in check.ratings:
            assert item.reason.startswith(reason_prefix) and 0 < len(item.reason) <= REASON_MAX_LENGTH
    return checks


def test_the_demo_has_two_checks_per_adoption_for_each_hub():
    call_command("seed_demo", stdout=StringIO())
    adoptions = Adoption.objects.filter(hub__name__in=HUBS)
    assert set(adoptions.values_list("hub__name", flat=True)) == HUBS
    checks = assert_two_sound_checks_per_adoption(adoptions)
    assert {check.checked_by_id for check in checks} <= set(adoptions.values_list("lead_id", flat=True))
    # The ratings moved between the two checks somewhere, and more than one rating is used.
    assert len({getattr(check, domain) for check in checks for domain, _ in DOMAINS}) == 3
    # Some hub staff have a check due or overdue on their to-do list; not every adoption does.
    urgencies = set()
    for membership in Membership.objects.select_related("user"):
        user = membership.user
        urgencies |= {
            item.urgency
            for item in todo.todo_items(user, roles_of(user), timezone.localdate())
            if "complexity check" in item.title
        }
    assert urgencies == {Urgency.OVERDUE, Urgency.DUE}
    count = ComplexityCheck.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert ComplexityCheck.objects.count() == count  # a second run adds none


def test_the_scale_data_has_two_checks_per_adoption_and_replace_removes_them():
    call_command("generate_scale_data", "--scale", "0.01", stdout=StringIO())
    adoptions = Adoption.objects.filter(hub__programme__slug="scale-test-programme")
    assert_two_sound_checks_per_adoption(adoptions, reason_prefix="Synthetic: ")
    call_command("generate_scale_data", "--scale", "0.01", "--replace", stdout=StringIO())
    assert_two_sound_checks_per_adoption(Adoption.objects.filter(hub__programme__slug="scale-test-programme"))
