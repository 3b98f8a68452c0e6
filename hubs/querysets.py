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
