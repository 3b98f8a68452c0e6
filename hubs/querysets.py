from django.db import models

from .access import in_member_hubs, roles_of, visible_to


class HubQuerySet(models.QuerySet):
    def for_user(self, user):
        """Every signed-in user may read the hub directory: learning across hubs is the point."""
        return visible_to(self, user)

    def changeable_by(self, user):
        """Hub staff change their own hubs' profiles only."""
        return in_member_hubs(self, user, "pk")

    def of_member(self, user):
        return self.filter(pk__in=roles_of(user).hub_ids)


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        return visible_to(self, user)

    def leads(self):
        return self.filter(role=self.model.Role.LEAD)


def in_force_on(day) -> models.Q:
    """Partnerships in force on ``day``: joined by then and not yet left (also for their history rows)."""
    return models.Q(joined_on__lte=day) & (models.Q(left_on__isnull=True) | models.Q(left_on__gte=day))


class PartnershipQuerySet(models.QuerySet):
    def for_user(self, user):
        """Who works with whom is read by everyone signed in, across hubs."""
        return visible_to(self, user)

    def changeable_by(self, user):
        """A hub's lead decides its partners: a partnership binds the whole hub."""
        return self.filter(hub__in=roles_of(user).lead_hub_ids)

    def current_on(self, day):
        return self.filter(in_force_on(day))


class EngagementEventQuerySet(models.QuerySet):
    def for_user(self, user):
        """Every signed-in user reads every hub's engagement log."""
        return visible_to(self, user)

    def changeable_by(self, user):
        """Any of the hub's own staff logs and corrects its events."""
        return in_member_hubs(self, user, "hub")

    def active(self):
        return self.filter(archived=False)
