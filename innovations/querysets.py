from django.db import models

from hubs.access import in_member_hubs, roles_of, visible_to


class InnovationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Approved entries for everyone signed in; proposals to their proposer and curators."""
        if not roles_of(user).authenticated:
            return self.none()
        if roles_of(user).reads_everything:
            return self
        return self.filter(models.Q(status="approved") | models.Q(proposed_by=user))

    def changeable_by(self, user):
        """AHSN admins curate the catalogue."""
        roles = roles_of(user)
        return self if (roles.ahsn_admin or roles.superuser) else self.none()

    def approved(self):
        return self.filter(status="approved")


class AdoptionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Every hub's adoptions and stages are readable by anyone signed in (cross-hub learning)."""
        return visible_to(self, user)

    def changeable_by(self, user):
        return in_member_hubs(self, user, "hub")

    def current(self):
        """Adoptions not archived."""
        return self.filter(archived=False)


class StageTransitionQuerySet(models.QuerySet):
    def for_user(self, user):
        return visible_to(self, user)

    def changeable_by(self, user):
        # Moves are a record of what happened: nobody edits one after the fact.
        return self.none()
