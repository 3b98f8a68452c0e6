"""The load test's own accounts and adoptions, on top of the demo data (``seed_demo``).

Each simulated hub member signs in as an account of its own (django-axes locks a username
from an address, so no two clients share one) and writes only its own adoption's figures: a
hub's staff may change only their own hubs' records, and no other client writes those cells.
Evaluators and AHSN admins get accounts of their own too. Call ``prepare`` with Django set up.
"""

from __future__ import annotations

import datetime

# Four metrics per adoption: two counts, a rate and a percentage (numerator and denominator).
METRICS = ("people-enrolled", "sites-taking-part", "emergency-admissions-rate", "share-enrolled-imd1")
STARTED_DAYS_AGO = 400  # about 13 months of grid open to each member


def prepare(*, staff: int, evaluators: int, admins: int, password: str) -> dict:
    """Create the accounts and adoptions (once; a fresh database is expected) and describe them."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from evaluation.models import BreakdownGroup, Metric
    from evaluation.services import indicator_add
    from hubs.access import AHSN_ADMINS, EVALUATORS
    from hubs.models import Hub, Membership
    from innovations.models import Innovation
    from innovations.services import adoption_start

    User = get_user_model()
    # One hash for every load account: a million PBKDF2 rounds per account would only slow the set-up.
    hashed = make_password(password)
    hubs = list(Hub.objects.order_by("name"))
    metrics = {metric.code: metric for metric in Metric.objects.filter(code__in=METRICS)}
    missing = set(METRICS) - set(metrics)
    if missing or not hubs:
        raise RuntimeError(f"Run seed_demo first: no hubs, or metrics missing: {sorted(missing)}")
    today = timezone.localdate()
    started_on = today - datetime.timedelta(days=STARTED_DAYS_AGO)

    def account(username: str, first_name: str) -> object:
        return User.objects.create(
            username=username,
            password=hashed,
            first_name=first_name,
            last_name="Load",
            email=f"{username}@example.org",
        )

    described: dict = {"staff": [], "evaluators": [], "admins": []}
    for n in range(1, staff + 1):
        hub = hubs[(n - 1) % len(hubs)]
        user = account(f"load-staff-{n:02d}", f"Member {n}")
        Membership.objects.create(user=user, hub=hub, role=Membership.Role.MEMBER)
        innovation = Innovation.objects.create(
            slug=f"load-test-innovation-{n:02d}",
            name=f"Load test innovation {n:02d}",
            summary="Made by the load test (bench/load).",
            category=Innovation.Category.SERVICE_MODEL,
            evidence_level=Innovation.Evidence.EMERGING,
            status=Innovation.Status.APPROVED,
        )
        adoption = adoption_start(hub=hub, innovation=innovation, started_on=started_on, by=user)
        indicators = {}
        for code in METRICS:
            indicator = indicator_add(adoption=adoption, metric=metrics[code], by=user)
            indicators[str(indicator.pk)] = {"code": code, "kind": metrics[code].kind}
        described["staff"].append(
            {"username": user.username, "hub": hub.slug, "adoption": adoption.pk, "indicators": indicators}
        )
    for role, group_name, count in (("evaluators", EVALUATORS, evaluators), ("admins", AHSN_ADMINS, admins)):
        group = Group.objects.get(name=group_name)
        prefix = "load-evaluator" if role == "evaluators" else "load-admin"
        for n in range(1, count + 1):
            user = account(f"{prefix}-{n:02d}", f"{role[:-1].title()} {n}")
            user.groups.add(group)
            described[role].append({"username": user.username})
    months, month = [], today.replace(day=1)
    while month >= started_on.replace(day=1):
        months.append(f"{month:%Y-%m}")
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    described["months"] = months  # newest first: this month back to the adoptions' first
    # The national breakdown groups, by id (as the grid names its cells): how an uploaded file names them.
    described["groups"] = {
        str(pk): [dimension, code]
        for pk, dimension, code in BreakdownGroup.objects.filter(hub__isnull=True).values_list(
            "pk", "dimension__code", "code"
        )
    }
    described["password"] = password
    return described
