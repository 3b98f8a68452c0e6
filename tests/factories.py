"""Factories for the domain model: the smallest valid rows, overridable per test."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from core.months import add_months
from evaluation.awaiting import awaiting_refresh
from evaluation.models import BreakdownDimension, BreakdownGroup, Indicator, Measurement, Metric
from evaluation.vocabulary import IMD, PLUS
from hubs.access import AHSN_ADMINS, EVALUATORS
from hubs.models import EngagementEvent, Hub, Membership, Organisation, Partnership, Programme
from innovations.models import Adoption, Innovation, StageTransition
from innovations.stages import Stage
from learning.models import LearningNote

TWO_YEARS_AGO = timezone.localdate() - datetime.timedelta(days=730)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.django.Password("correct horse battery staple")


def user_in_group(group_name: str, **kwargs):
    user = UserFactory(**kwargs)
    # get_or_create: a browser test's flush may have emptied the migration's groups.
    user.groups.add(Group.objects.get_or_create(name=group_name)[0])
    return user


def evaluator(**kwargs):
    return user_in_group(EVALUATORS, **kwargs)


def ahsn_admin(**kwargs):
    return user_in_group(AHSN_ADMINS, **kwargs)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = "Adopting Innovation"
    slug = "adopting-innovation"
    funder = "The Health Foundation"
    award_cap = Decimal("475000")
    duration_months = 30


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.NHS_TRUST


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    region = "South West"
    lead_organisation = factory.SubFactory(OrganisationFactory)
    host_ahsn = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.AHSN)
    award = Decimal("450000")
    start_date = TWO_YEARS_AGO
    end_date = factory.LazyAttribute(lambda h: h.start_date + datetime.timedelta(days=913))
    priorities = "Illustrative priorities."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    hub = factory.SubFactory(HubFactory)
    role = Membership.Role.MEMBER


def member_of(hub, **kwargs):
    return MembershipFactory(hub=hub, user=UserFactory(**kwargs)).user


class InnovationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Innovation

    name = factory.Sequence(lambda n: f"Innovation {n}")
    slug = factory.Sequence(lambda n: f"innovation-{n}")
    summary = "A proven innovation."
    category = Innovation.Category.REMOTE_MONITORING
    evidence_level = Innovation.Evidence.NATIONAL
    status = Innovation.Status.APPROVED


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adoption
        skip_postgeneration_save = True

    hub = factory.SubFactory(HubFactory)
    innovation = factory.SubFactory(InnovationFactory)
    stage = Stage.IDENTIFIED
    started_on = TWO_YEARS_AGO
    stage_since = factory.LazyAttribute(lambda a: a.started_on)

    @factory.post_generation
    def first_step(self, create, extracted, **kwargs):
        if create:
            StageTransition.objects.create(
                adoption=self, from_stage="", to_stage=Stage.IDENTIFIED, date=self.started_on
            )


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric
        django_get_or_create = ("code",)

    code = "people-enrolled"
    name = "People enrolled"
    dimension = Metric.Dimension.REACH
    unit = "people"
    kind = Metric.Kind.COUNT
    improvement = Metric.Improvement.INCREASE


def percentage_metric():
    return MetricFactory(
        code="bp-controlled",
        name="Blood pressure controlled to target",
        dimension=Metric.Dimension.EFFECTIVENESS,
        unit="%",
        kind=Metric.Kind.PERCENTAGE,
    )


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    adoption = factory.SubFactory(AdoptionFactory)
    metric = factory.SubFactory(MetricFactory)


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    period = factory.LazyFunction(last_month)
    value = Decimal("120")
    status = Measurement.Status.SUBMITTED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Save the figure, then recount its month awaiting review, as the measurement service does."""
        measurement = super()._create(model_class, *args, **kwargs)
        with transaction.atomic():  # its lock needs one, in tests that run without
            awaiting_refresh([(measurement.indicator_id, measurement.period)])
        return measurement


def approved_figures(indicator, values, *, reviewed_days_ago: int = 2) -> list[Measurement]:
    """Monthly figures for ``indicator``, ending last month, approved ``reviewed_days_ago`` days ago
    (so the nightly report for yesterday counts them), and its summary brought up to date."""
    from evaluation import summaries

    first = add_months(last_month(), 1 - len(values))
    reviewed = timezone.now() - datetime.timedelta(days=reviewed_days_ago)
    figures = []
    for index, value in enumerate(values):
        period = add_months(first, index)
        figures.append(
            MeasurementFactory(
                indicator=indicator,
                period=period,
                value=Decimal(value),
                status=Measurement.Status.APPROVED,
                reviewed_at=reviewed,
            )
        )
    summaries.refresh([indicator.pk])
    return figures


def breakdown_group(dimension: str, code: str) -> BreakdownGroup:
    """A national breakdown group, by its dimension's code and its own: ``breakdown_group("sex", "female")``."""
    return BreakdownGroup.objects.select_related("dimension").get(
        dimension__code=dimension, code=code, hub__isnull=True
    )


def imd(quintile: int) -> BreakdownGroup:
    """The IMD quintile's group, 1 (most deprived) to 5."""
    return breakdown_group(IMD, str(quintile))


class PlusGroupFactory(factory.django.DjangoModelFactory):
    """A hub's own PLUS group."""

    class Meta:
        model = BreakdownGroup

    dimension = factory.LazyFunction(lambda: BreakdownDimension.objects.get(code=PLUS))
    hub = factory.SubFactory(HubFactory)
    label = factory.Sequence(lambda n: f"People of group {n}")
    code = factory.LazyAttribute(lambda group: group.label.lower().replace(" ", "-"))


class LearningNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningNote

    adoption = factory.SubFactory(AdoptionFactory)
    kind = LearningNote.Kind.BARRIER
    cfir_domain = LearningNote.Domain.INNER_SETTING
    title = factory.Sequence(lambda n: f"Note {n}")
    text = "Practices lacked time to enrol patients."


_summary_numbers = iter(range(1, 10**6))


def draft_summary(*, by, **fields):
    """A draft learning summary written by the AHSN admin ``by``, through the service."""
    from learning.summaries import summary_create

    n = next(_summary_numbers)
    defaults = {
        "title": f"What hub {n} learned about enrolling people",
        "standfirst": "Enrolment rose where practices had a named champion.",
        "body": "## What happened\n\nPractices with a **named champion** enrolled twice as many people.",
        "theme_codes": [LearningNote.Domain.INNER_SETTING],
        "audience": "public",
    }
    return summary_create(by=by, **{**defaults, **fields})


def published_summary(*, by, reviewer, **fields):
    """A summary written and sent for review by ``by``, then published by ``reviewer``."""
    from learning.summaries import summary_publish, summary_submit

    summary = draft_summary(by=by, **fields)
    summary_submit(summary=summary, by=by)
    summary_publish(summary=summary, by=reviewer)
    return summary


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    hub = factory.SubFactory(HubFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Partnership.Role.DELIVERY
    joined_on = factory.LazyAttribute(lambda p: p.hub.start_date)


class EngagementEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementEvent

    hub = factory.SubFactory(HubFactory)
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    kind = EngagementEvent.Kind.WORKSHOP
    title = factory.Sequence(lambda n: f"Workshop {n}")
    people_reached = 20
    people_trained = 5
