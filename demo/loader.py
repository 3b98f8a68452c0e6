"""``seed_demo``: write the demo data (``demo/data/*.toml``) into the database, idempotently.

Everything is illustrative. Organisation and innovation names are real public bodies and
programmes; hub priorities, adoption histories, learning notes and every measurement are
made up for the demo, and each measurement is stored with ``is_synthetic=True``.

The seeder looks every row up by its natural key (slug, name, username, (hub,
innovation), (indicator, period, group), …) and only creates what is missing, so a
second run adds no rows, not even history rows. Adoptions, their stage moves and the
learning summaries go through the same services as the pages, as a user who holds the
role they need (the data files are checked for that when read); the figures are bulk
inserts, with their history. Dates are computed relative to today, so the two years of
stage history and figures always end before today; the figures come from a fixed seed.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import asdict
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from core.history import stamp
from core.months import add_months
from evaluation import flags, summaries
from evaluation.awaiting import awaiting_refresh_all
from evaluation.models import (
    BreakdownDimension,
    BreakdownGroup,
    Indicator,
    Measurement,
    Metric,
    PopulationShare,
)
from evaluation.vocabulary import PLUS, ensure_national_breakdowns
from hubs.access import EVALUATORS, GLOBAL_ROLE_GROUPS
from hubs.models import ClinicalArea, EngagementEvent, Hub, Membership, Organisation, Partnership, Programme
from hubs.vocabulary import ensure_vocabulary
from innovations.models import Adoption, ComplexityCheck, Innovation
from innovations.services import adoption_move, adoption_start
from learning.models import LearningNote, LearningSummary, SummaryEmailPreference
from learning.summaries import summary_create, summary_publish, summary_submit
from value.models import Benefit, SpendQuarter

from .benefits import benefit_plan, write_benefits
from .complexity import check_plan
from .datafiles import AdoptionSpec, DemoData, DemoDataError, read_demo_data
from .engagement import event_plan, write_events
from .figures import MONTHS, RANDOM_SEED, breakdown_figures, demo_months, generate_figures, with_fault
from .spend import spend_plan, write_spend

__all__ = ["DemoDataError", "DemoSeeder", "seed_demo"]

SYNTHETIC_REASON = "Synthetic demo figure (seed_demo)"
# Partners beyond the host and lead join one after another, this many days apart, from the hub's start.
PARTNER_JOINING_DAYS = 45
POPULATION_SOURCE = "Synthetic demo shares, shaped loosely on the area: not official statistics"
POPULATION_DATE = datetime.date(2021, 3, 21)  # the 2021 Census day, which real shares would come from
BREAKDOWN_METRIC = "people-enrolled"  # the demo figures broken down by ethnic group and PLUS group too


class DemoSeeder:
    """Creates whatever part of the demo data is missing; counts what it made and what it found."""

    def __init__(self, today: datetime.date | None = None, data: DemoData | None = None):
        self.data = data or read_demo_data()
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.created: Counter[str] = Counter()
        self.plus_groups: dict[int, list[BreakdownGroup]] = {}  # hub id → its PLUS groups, in order
        self.existing: Counter[str] = Counter()
        self.users: dict = {}
        self.hubs: dict[str, Hub] = {}
        self.organisations: dict[str, Organisation] = {}
        self.innovations: dict[str, Innovation] = {}
        self.metrics: dict[str, Metric] = {}
        self.adoptions: dict[tuple[str, str], Adoption] = {}

    # -- helpers ---------------------------------------------------------------------------

    def _found(self, label: str, created: bool) -> None:
        (self.created if created else self.existing)[label] += 1

    def _at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute))
        return min(timezone.make_aware(moment), self.now)

    # -- steps -----------------------------------------------------------------------------

    @transaction.atomic
    def run(self) -> DemoSeeder:
        self.check_vocabulary()
        self.seed_programme()
        self.seed_organisations()
        self.seed_hubs()
        self.seed_users()
        self.seed_innovations()
        self.seed_metrics()
        self.seed_adoptions()
        self.seed_breakdowns()
        self.seed_measurements()
        self.seed_notes()
        self.seed_summaries()
        self.seed_spend()
        self.seed_complexity()
        self.seed_benefits()
        self.seed_engagement()
        return self

    def check_vocabulary(self) -> None:
        ensure_vocabulary(Group, ClinicalArea)
        ensure_national_breakdowns(BreakdownDimension, BreakdownGroup)
        self.areas = {area.code: area for area in ClinicalArea.objects.all()}
        needed = {code for hub in self.data.hubs for code in hub.clinical_areas}
        needed |= {code for innovation in self.data.innovations for code in innovation.clinical_areas}
        missing = needed - set(self.areas)
        if missing:
            raise DemoDataError(
                f"Core20PLUS5 clinical areas missing ({', '.join(sorted(missing))}): run migrate first."
            )

    def seed_programme(self) -> None:
        spec = self.data.programme
        programme = Programme.objects.filter(slug=spec.slug).first()
        self._found("programmes", programme is None)
        if programme is None:
            programme = Programme(**asdict(spec))
            programme.full_clean()
            programme.save()
        self.programme = programme

    def seed_organisations(self) -> None:
        specs = self.data.organisations
        found = {org.name: org for org in Organisation.objects.filter(name__in=[spec.name for spec in specs])}
        for spec in specs:
            organisation = found.get(spec.name)
            if organisation is None:
                organisation = Organisation.objects.create(name=spec.name, kind=spec.kind, region=spec.region)
            self._found("organisations", spec.name not in found)
            self.organisations[spec.name] = organisation

    def seed_hubs(self) -> None:
        for spec in self.data.hubs:
            hub = Hub.objects.filter(slug=spec.slug).first()
            if hub is None:
                hub = Hub(
                    programme=self.programme,
                    slug=spec.slug,
                    name=spec.name,
                    region=spec.region,
                    lead_organisation=self.organisations[spec.lead_organisation],
                    host_ahsn=self.organisations[spec.host_ahsn],
                    award=spec.award,
                    start_date=spec.start_date,
                    end_date=spec.end_date,
                    priorities=spec.priorities,
                    core20=spec.core20,
                    plus_groups="\n".join(spec.plus_groups),
                )
                hub.full_clean()
                hub.save()
                hub.clinical_areas.set([self.areas[code] for code in spec.clinical_areas])
                self._found("hubs", True)
            else:
                self._found("hubs", False)
            self.hubs[spec.slug] = hub

            partners = [
                (spec.host_ahsn, Partnership.Role.HOST),
                (spec.lead_organisation, Partnership.Role.LEAD),
                *((partner.organisation, partner.role) for partner in spec.partners),
            ]
            present = set(hub.partnerships.values_list("organisation__name", flat=True))
            for position, (name, role) in enumerate(partners):
                if name not in present:
                    # Host and lead are there from the start; the others join over the first months.
                    joined_on = hub.start_date + datetime.timedelta(
                        days=PARTNER_JOINING_DAYS * max(0, position - 1)
                    )
                    partnership = Partnership(
                        hub=hub, organisation=self.organisations[name], role=role, joined_on=joined_on
                    )
                    # Its history starts the day it joined, so reports as of earlier days leave it out.
                    partnership._history_date = self._at(min(joined_on, self.today))
                    partnership.save()
                self._found("partnerships", name not in present)

    def seed_users(self) -> None:
        User = get_user_model()
        usernames = [spec.username for spec in self.data.accounts]
        found = {user.username: user for user in User.objects.filter(username__in=usernames)}
        groups = {group.name: group for group in Group.objects.filter(name__in=GLOBAL_ROLE_GROUPS)}
        for spec in self.data.accounts:
            user = found.get(spec.username)
            if user is None:
                user = User.objects.create_user(
                    username=spec.username,
                    email=f"{spec.username}@example.org",
                    password=settings.DEMO_PASSWORD,
                    first_name=spec.first_name,
                    last_name=spec.last_name,
                )
            self._found("users", spec.username not in found)
            self.users[spec.username] = user

            if spec.group and not user.groups.filter(name=spec.group).exists():
                user.groups.add(groups[spec.group])
            if spec.hub:
                hub = self.hubs[spec.hub]
                exists = Membership.objects.filter(user=user, hub=hub).exists()
                if not exists:
                    Membership.objects.create(user=user, hub=hub, role=spec.role)
                self._found("memberships", not exists)

    def seed_innovations(self) -> None:
        specs = self.data.innovations
        found = {
            innovation.slug: innovation
            for innovation in Innovation.objects.filter(slug__in=[spec.slug for spec in specs])
        }
        for spec in specs:
            innovation = found.get(spec.slug)
            if innovation is None:
                innovation = Innovation(
                    slug=spec.slug,
                    name=spec.name,
                    summary=spec.summary,
                    category=spec.category,
                    evidence_level=spec.evidence_level,
                    origin=spec.origin,
                    status=Innovation.Status.PROPOSED if spec.proposed_by else Innovation.Status.APPROVED,
                    proposed_by=self.users[spec.proposed_by] if spec.proposed_by else None,
                )
                innovation.full_clean()
                innovation.save()
                if spec.clinical_areas:
                    innovation.clinical_areas.set([self.areas[code] for code in spec.clinical_areas])
            self._found("innovations", spec.slug not in found)
            self.innovations[spec.slug] = innovation

    def seed_metrics(self) -> None:
        specs = self.data.metrics
        found = {
            metric.code: metric for metric in Metric.objects.filter(code__in=[spec.code for spec in specs])
        }
        for spec in specs:
            metric = found.get(spec.code)
            if metric is None:
                metric = Metric(**asdict(spec))
                metric.full_clean()
                metric.save()
            self._found("metrics", spec.code not in found)
            self.metrics[spec.code] = metric

    def seed_adoptions(self) -> None:
        found = {
            (adoption.hub.slug, adoption.innovation.slug): adoption
            for adoption in Adoption.objects.filter(hub__in=self.hubs.values()).select_related(
                "hub", "innovation"
            )
        }
        for spec in self.data.adoptions:
            key = (spec.hub, spec.innovation)
            adoption = found.get(key)
            if adoption is None:
                adoption = self._start_adoption(spec)
            self._found("adoptions", key not in found)
            self.adoptions[key] = adoption

            if not spec.indicators:
                continue
            present = set(adoption.indicators.values_list("metric__code", flat=True))
            for series in spec.indicators:
                if series.metric not in present:
                    Indicator.objects.create(
                        adoption=adoption,
                        metric=self.metrics[series.metric],
                        target=series.target,
                        baseline_length=series.baseline_months,
                        owner=self.users[spec.lead],  # the adoption's lead sends its figures
                    )
                self._found("indicators", series.metric not in present)

    def _start_adoption(self, spec: AdoptionSpec) -> Adoption:
        # The lead is staff of the hub (checked when the data files are read), as the services require.
        lead = self.users[spec.lead]
        started_on = self.today - datetime.timedelta(days=spec.started_days_ago)
        adoption = adoption_start(
            hub=self.hubs[spec.hub],
            innovation=self.innovations[spec.innovation],
            started_on=started_on,
            by=lead,
            aims=spec.aims,
            target_population=spec.target_population,
            lead=lead,
        )
        for move in spec.moves:
            on = min(started_on + datetime.timedelta(days=move.days_after_start), self.today)
            adoption_move(
                adoption=adoption,
                to_stage=move.stage,
                on=on,
                reason=move.reason,
                by=lead,
                version=adoption.version,
            )
            self.created["stage moves"] += 1
        self._date_the_records(adoption)
        return adoption

    @staticmethod
    def _date_the_records(adoption: Adoption) -> None:
        """Say each move was recorded on its own day (at 10:00), not all at seeding time."""
        for transition in adoption.transitions.all():
            recorded = datetime.datetime.combine(transition.date, datetime.time(10))
            transition.recorded_at = timezone.make_aware(recorded)
            transition.save(update_fields=["recorded_at"])

    def seed_breakdowns(self) -> None:
        """Each hub's PLUS groups (its profile's), and its local population shares: synthetic, marked so."""
        plus = BreakdownDimension.objects.get(code=PLUS)
        for spec in self.data.hubs:
            hub = self.hubs[spec.slug]
            present = {group.label: group for group in BreakdownGroup.objects.filter(hub=hub, dimension=plus)}
            for position, label in enumerate(spec.plus_groups, start=1):
                missing = label not in present
                if missing:
                    present[label] = BreakdownGroup.objects.create(
                        dimension=plus, hub=hub, label=label, code=slugify(label), position=position
                    )
                self._found("PLUS groups", missing)
            self.plus_groups[hub.pk] = [present[label] for label in spec.plus_groups]
        groups = {
            (group.dimension.code, group.hub_id, group.position): group
            for group in BreakdownGroup.objects.filter(
                Q(hub__isnull=True) | Q(hub__in=self.hubs.values())
            ).select_related("dimension")
        }
        entered = set(
            PopulationShare.objects.filter(hub__in=self.hubs.values()).values_list("hub_id", "group_id")
        )
        shares = []
        for spec in self.data.hubs:
            hub = self.hubs[spec.slug]
            for dimension, values in spec.population().items():
                local = dimension == PLUS
                for position, value in enumerate(values, start=1 if local else 0):
                    group = groups[(dimension, hub.pk if local else None, position)]
                    if (hub.pk, group.pk) in entered:
                        self.existing["population shares"] += 1
                        continue
                    shares.append(
                        PopulationShare(
                            hub=hub,
                            group=group,
                            share=(Decimal(str(value)) * 100).quantize(Decimal("0.01")),
                            source=POPULATION_SOURCE,
                            source_date=POPULATION_DATE,
                            is_synthetic=True,
                        )
                    )
        if shares:
            # Dated at the programme's start, so a nightly report of any day of the demo reads them.
            bulk_create_with_history(
                shares,
                PopulationShare,
                default_change_reason=SYNTHETIC_REASON,
                default_date=self._at(min(spec.start_date for spec in self.data.hubs)),
            )
        self.created["population shares"] += len(shares)

    def seed_measurements(self) -> None:
        months = demo_months(self.today)
        rng = random.Random(RANDOM_SEED)
        evaluator = self.users[self.data.figures_reviewed_by]
        kinds = {code: metric.kind for code, metric in self.metrics.items()}
        returned_figures = {
            (returned.hub, returned.innovation, returned.metric, returned.months_before_last): returned
            for returned in self.data.returned_figures
        }
        indicators = {
            (indicator.adoption_id, indicator.metric.code): indicator
            for indicator in Indicator.objects.filter(
                adoption__in=[adoption.pk for adoption in self.adoptions.values()]
            ).select_related("metric")
        }
        existing = set(
            Measurement.objects.filter(indicator__in=indicators.values()).values_list(
                "indicator_id", "period", "group_id"
            )
        )
        groups = {
            (group.dimension.code, group.code, group.hub_id): group
            for group in BreakdownGroup.objects.filter(
                Q(hub__isnull=True) | Q(hub__in=self.hubs.values())
            ).select_related("dimension")
        }
        new: list[Measurement] = []
        for spec in self.data.adoptions:
            if not spec.indicators:
                continue
            hub_spec = self.data.hub(spec.hub)
            adoption = self.adoptions[(spec.hub, spec.innovation)]
            submitter = self.users[self.data.figures_submitted_by(spec.hub)]
            figures = generate_figures(spec.indicators, kinds, hub_spec.imd_quintile_shares, rng)
            # People enrolled by ethnic group and in the hub's first PLUS group: a stream of their own,
            # so every other figure (and its submission day) is drawn as before.
            by_group = random.Random(f"{RANDOM_SEED}:{spec.hub}:{spec.innovation}:breakdowns")
            plus = self.plus_groups.get(adoption.hub_id, [])
            extra = {
                BREAKDOWN_METRIC: breakdown_figures(
                    [figure for figure in figures.get(BREAKDOWN_METRIC, []) if figure.group is None],
                    hub_spec.ethnic_group_shares,
                    plus[0].code if plus else None,
                    hub_spec.plus_group_shares[0] if plus and hub_spec.plus_group_shares else 0.0,
                    by_group,
                )
            }
            first_month = adoption.started_on.replace(day=1)
            for series in spec.indicators:
                indicator = indicators[(adoption.pk, series.metric)]
                for stream, metric_figures in (
                    (rng, figures[series.metric]),
                    (by_group, extra.get(series.metric, [])),
                ):
                    for figure in metric_figures:
                        # Submission and review days, drawn for every figure so the stream never varies.
                        submit_day, review_lag = stream.randint(4, 15), stream.randint(2, 12)
                        period = months[figure.index]
                        if period < first_month:
                            continue
                        group = self._group(groups, figure, adoption.hub_id)
                        if (indicator.pk, period, group.pk if group else None) in existing:
                            self.existing["measurements"] += 1
                            continue
                        months_before_last = MONTHS - 1 - figure.index
                        if months_before_last < spec.months_not_sent:
                            continue  # the hub has yet to send it
                        returned = returned_figures.get(
                            (spec.hub, spec.innovation, series.metric, months_before_last)
                        )
                        new.append(
                            self._measurement(
                                indicator=indicator,
                                figure=figure,
                                group=group,
                                period=period,
                                months_before_last=months_before_last,
                                awaiting_review=hub_spec.months_awaiting_review,
                                returned=returned,
                                submitter=submitter,
                                evaluator=evaluator,
                                submit_day=submit_day,
                                review_lag=review_lag,
                            )
                        )
        if new:
            bulk_create_with_history(new, Measurement, batch_size=500, default_change_reason=SYNTHETIC_REASON)
        self.created["measurements"] += len(new)
        # Bulk inserts skip the services, so bring every dashboard summary, data-quality flag and review count up to date here.
        summaries.refresh_all(Indicator.objects.filter(adoption__hub__in=self.hubs.values()))
        flags.flags_refresh_all(Indicator.objects.filter(adoption__hub__in=self.hubs.values()))
        awaiting_refresh_all()  # the review queue's counts of figures awaiting review

    @staticmethod
    def _group(groups: dict, figure, hub_id: int):
        """A generated figure's breakdown group: a national one, or the hub's own; None for all people."""
        if figure.group is None:
            return None
        dimension, code = figure.group
        return groups.get((dimension, code, None)) or groups[(dimension, code, hub_id)]

    def _measurement(
        self,
        *,
        indicator,
        figure,
        group,
        period,
        months_before_last,
        awaiting_review,
        returned,
        submitter,
        evaluator,
        submit_day,
        review_lag,
    ) -> Measurement:
        submitted_at = self._at(add_months(period, 1).replace(day=submit_day), 9 + submit_day % 7)
        returned = returned if figure.group is None else None  # only a month's total is sent back
        if returned:
            # The figure that was sent back has the fault the evaluator's note describes.
            figure = with_fault(figure, returned.fault)
        measurement = Measurement(
            indicator=indicator,
            period=period,
            group=group,
            value=figure.value,
            numerator=figure.numerator,
            denominator=figure.denominator,
            is_synthetic=True,
            submitted_by=submitter,
            submitted_at=submitted_at,
        )
        if returned:
            measurement.status = Measurement.Status.RETURNED
            measurement.review_note = returned.note
            measurement.reviewed_by = evaluator
            measurement.reviewed_at = min(submitted_at + datetime.timedelta(days=2), self.now)
        elif months_before_last < awaiting_review:
            measurement.status = Measurement.Status.SUBMITTED
        else:
            measurement.status = Measurement.Status.APPROVED
            measurement.reviewed_by = evaluator
            measurement.reviewed_at = min(submitted_at + datetime.timedelta(days=review_lag), self.now)
        stamp(measurement, by=submitter, new_version=False)
        measurement._history_date = submitted_at
        return measurement

    def seed_notes(self) -> None:
        present = set(
            LearningNote.objects.filter(
                adoption__in=[adoption.pk for adoption in self.adoptions.values()]
            ).values_list("adoption_id", "title")
        )
        for spec in self.data.notes:
            adoption = self.adoptions[(spec.hub, spec.innovation)]
            if (adoption.pk, spec.title) in present:
                self._found("learning notes", False)
                continue
            # The author is staff of the adoption's hub (checked when the data files are read).
            author = self.users[spec.author]
            day = min(adoption.started_on + datetime.timedelta(days=spec.days_after_start), self.today)
            created_at = self._at(day, 11 + spec.days_after_start % 6, spec.days_after_start % 60)
            note = LearningNote(
                adoption=adoption,
                kind=spec.kind,
                cfir_domain=spec.cfir_domain,
                title=spec.title,
                text=spec.text,
                author=author,
                created_at=created_at,
            )
            note.full_clean()
            stamp(note, by=author, new_version=False)
            note._history_date = created_at
            note.save()
            self._found("learning notes", True)

    def seed_summaries(self) -> None:
        """Summaries through the same services as the pages; subscribers are set after, so seeding e-mails nobody."""
        specs = self.data.summaries
        present = set(
            LearningSummary.objects.filter(title__in=[spec.title for spec in specs]).values_list(
                "title", flat=True
            )
        )
        # Two different AHSN admins (checked when the data files are read): a writer may not publish their own.
        writer = self.users[self.data.summaries_written_by]
        publisher = self.users[self.data.summaries_published_by]
        notes = {
            note.title: note
            for note in LearningNote.objects.filter(
                title__in=[title for spec in specs for title in spec.cited_notes]
            )
        }
        for spec in specs:
            self._found("learning summaries", spec.title not in present)
            if spec.title in present:
                continue
            summary = summary_create(
                by=writer,
                title=spec.title,
                standfirst=spec.standfirst,
                body=spec.body,
                theme_codes=list(spec.themes),
                audience=spec.audience,
                hubs=[self.hubs[slug] for slug in spec.hubs],
                innovations=[self.innovations[slug] for slug in spec.innovations],
                cited_notes=[notes[title] for title in spec.cited_notes],
            )
            summary_submit(summary=summary, by=writer)
            if spec.status == LearningSummary.Status.PUBLISHED:
                summary_publish(summary=summary, by=publisher)
        for username in self.data.summary_subscribers:
            SummaryEmailPreference.objects.get_or_create(
                user=self.users[username], defaults={"frequency": SummaryEmailPreference.Frequency.EACH}
            )

    # How fast each demo hub spends against an even spread of its award, in the order of
    # programme.toml: on track, lagging far behind time, heading past its award, about even.
    SPEND_PACE = (1.0, 0.55, 1.3, 1.02)

    def seed_spend(self) -> None:
        """Synthetic quarters of spend for each hub that has none (``demo.spend``), marked synthetic."""
        evaluator = get_user_model().objects.filter(groups__name=EVALUATORS).order_by("pk").first()
        plans = {}
        for index, spec in enumerate(self.data.hubs):
            hub = self.hubs[spec.slug]
            exists = SpendQuarter.objects.filter(hub=hub).exists()
            self._found("hubs' spend", not exists)
            if not exists:
                adoptions = [a for (slug, _), a in sorted(self.adoptions.items()) if slug == spec.slug]
                pace = self.SPEND_PACE[index % len(self.SPEND_PACE)]
                rng = random.Random(f"spend-{spec.slug}")
                plans[hub] = spend_plan(hub, today=self.today, pace=pace, rng=rng, adoptions=adoptions)
        leads = Membership.objects.filter(hub__in=list(plans), role=Membership.Role.LEAD).order_by("-pk")
        lead_of = {membership.hub_id: membership.user for membership in leads.select_related("user")}
        write_spend(plans, lead_of=lead_of, evaluator=evaluator, history=True, now=self.now)

    def seed_complexity(self) -> None:
        """Two synthetic NASSS complexity checks per adoption that has none (``demo.complexity``)."""
        checked = set(
            ComplexityCheck.objects.filter(adoption__in=list(self.adoptions.values())).values_list(
                "adoption_id", flat=True
            )
        )
        checks = []
        for index, (key, adoption) in enumerate(sorted(self.adoptions.items())):
            self._found("adoptions' complexity checks", adoption.pk not in checked)
            if adoption.pk not in checked:
                rng = random.Random(f"complexity-{key[0]}-{key[1]}")
                checks += check_plan(adoption, index=index, today=self.today, rng=rng)
        ComplexityCheck.objects.bulk_create(checks)

    def seed_benefits(self) -> None:
        """Synthetic benefits for two in three of each hub's adoptions (``demo.benefits``), marked synthetic."""
        leads = Membership.objects.filter(role=Membership.Role.LEAD).select_related("user").order_by("-pk")
        lead_of = {membership.hub_id: membership.user for membership in leads}
        plans = []
        for spec in self.data.hubs:
            hub = self.hubs[spec.slug]
            exists = Benefit.objects.filter(adoption__hub=hub).exists()
            self._found("hubs' benefits", not exists)
            if exists:
                continue
            adoptions = [a for (slug, _), a in sorted(self.adoptions.items()) if slug == spec.slug]
            rng = random.Random(f"benefits-{spec.slug}")
            for index, adoption in enumerate(adoptions):
                if index % 3 != 2:
                    plans += benefit_plan(
                        adoption, rng=rng, today=self.today, now=self.now, signer=lead_of.get(hub.pk)
                    )
        write_benefits(plans)

    def seed_engagement(self) -> None:
        """A synthetic engagement log for each hub that has none (``demo.engagement``), with its partners."""
        logged = set(
            EngagementEvent.objects.filter(hub__in=list(self.hubs.values())).values_list("hub_id", flat=True)
        )
        plans = []
        for slug, hub in sorted(self.hubs.items()):
            self._found("hubs' engagement logs", hub.pk not in logged)
            if hub.pk not in logged:
                partners = [
                    p.organisation for p in hub.partnerships.select_related("organisation").order_by("pk")
                ]
                plans += event_plan(
                    hub, partners, today=self.today, now=self.now, rng=random.Random(f"events-{slug}")
                )
        write_events(plans)

    # -- report ----------------------------------------------------------------------------

    def summary(self) -> str:
        def describe(counter: Counter[str]) -> str:
            parts = [
                f"{count:,} {label[:-1] if count == 1 else label}"
                for label, count in counter.items()
                if count
            ]
            return ", ".join(parts) or "nothing"

        return f"Demo data — created: {describe(self.created)}; already there: {describe(self.existing)}."


def seed_demo(today: datetime.date | None = None) -> DemoSeeder:
    """Create whatever demo data is missing; return the seeder, whose ``summary()`` says what it did."""
    return DemoSeeder(today).run()
