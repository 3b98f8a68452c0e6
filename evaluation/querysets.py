from django.db import models

from hubs.access import in_member_hubs, roles_of, visible_to


class MetricQuerySet(models.QuerySet):
    def for_user(self, user):
        return visible_to(self, user)

    def changeable_by(self, user):
        return self if roles_of(user).reviews_figures else self.none()


class IndicatorQuerySet(models.QuerySet):
    def for_user(self, user):
        return visible_to(self, user)

    def changeable_by(self, user):
        """Hub staff choose and describe their own adoptions' indicators."""
        return in_member_hubs(self, user, "adoption__hub")


class MeasurementQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=self.model.Status.APPROVED)

    def for_user(self, user):
        """Own hubs' figures in full; other hubs' figures only once approved, and not for their own groups.

        A hub's own (PLUS) groups are its choice and stay with it (``BreakdownGroup.objects.for_user``):
        another hub's staff see its totals and its national breakdowns, never its PLUS groups.
        """
        roles = roles_of(user)
        if not roles.authenticated:
            return self.none()
        if roles.reads_everything:
            return self
        return self.filter(
            models.Q(indicator__adoption__hub__in=roles.hub_ids)
            | models.Q(status=self.model.Status.APPROVED, group__hub__isnull=True)
        )

    def changeable_by(self, user):
        """Hub staff change their own hubs' figures until an evaluator approves them."""
        return in_member_hubs(self, user, "indicator__adoption__hub").exclude(
            status=self.model.Status.APPROVED
        )


class DataQualityFlagQuerySet(models.QuerySet):
    def for_user(self, user):
        """Flags to those who see the indicator's figures as entered: its hub's staff and evaluators.

        A flag's detail and explanation quote the raw figures, so other hubs' staff (and AHSN
        admins, who see small counts withheld) do not see them (``Roles.sees_raw_figures_of``).
        """
        roles = roles_of(user)
        if roles.reviews_figures:
            return self
        return in_member_hubs(self, user, "indicator__adoption__hub")

    def changeable_by(self, user):
        """Hub staff explain their own hubs' flags (evaluators check them, through ``flag_check``)."""
        return in_member_hubs(self, user, "indicator__adoption__hub")


class IndicatorSummaryQuerySet(models.QuerySet):
    def for_user(self, user):
        """Summaries mix approved and submitted figures, so only global readers see them."""
        return self if roles_of(user).reads_everything else self.none()

    def current(self):
        """Summaries of indicators whose adoption is not archived."""
        return self.filter(indicator__adoption__archived=False)

    def with_latest_fraction(self):
        """Each with ``latest_numerator`` and ``latest_denominator``: the counts behind a latest percentage.

        They decide whether a viewer who may not see raw figures sees that
        percentage (``core.disclosure``); one subquery each, on the unique monthly total.
        """
        from .models import Measurement  # the models module imports this one

        latest_total = Measurement.objects.filter(
            indicator=models.OuterRef("indicator"),
            period=models.OuterRef("latest_period"),
            group__isnull=True,
        ).exclude(status=Measurement.Status.RETURNED)
        return self.annotate(
            latest_numerator=models.Subquery(latest_total.values("numerator")[:1]),
            latest_denominator=models.Subquery(latest_total.values("denominator")[:1]),
        )


class BreakdownGroupQuerySet(models.QuerySet):
    def for_user(self, user):
        """National groups to every signed-in user; a hub's own groups to its staff and global readers only.

        A hub's PLUS groups are its own choice: another hub's staff neither see nor use them.
        """
        roles = roles_of(user)
        if not roles.authenticated:
            return self.none()
        if roles.reads_everything:
            return self
        return self.filter(models.Q(hub__isnull=True) | models.Q(hub__in=roles.hub_ids))

    def changeable_by(self, user):
        """A hub's lead adds and archives the hub's own groups; national groups change with the code."""
        return self.filter(hub__in=roles_of(user).lead_hub_ids)

    def of_hub(self, hub_id: int):
        """The groups a hub's figures may be given for: the national ones and the hub's own."""
        return self.filter(models.Q(hub__isnull=True) | models.Q(hub=hub_id))

    def current(self):
        """Groups not archived: those that take new figures."""
        return self.filter(archived=False)


def enters_population_of(user, hub_id: int) -> bool:
    """Whether ``user`` enters hub ``hub_id``'s population shares: its lead does, and AHSN admins for any hub."""
    roles = roles_of(user)
    return roles.curates or roles.leads(hub_id)


class PopulationShareQuerySet(models.QuerySet):
    def for_user(self, user):
        """A hub's population shares go with its own groups: its staff and global readers see them."""
        roles = roles_of(user)
        if roles.reads_everything:
            return self
        return in_member_hubs(self, user, "hub")

    def changeable_by(self, user):
        """The shares of the hubs whose population ``user`` enters (``enters_population_of``)."""
        roles = roles_of(user)
        return self if roles.curates else self.filter(hub__in=roles.lead_hub_ids)
