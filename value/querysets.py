"""Who reads and changes spend and benefits: every signed-in user reads them, across hubs; the public never does."""

from django.db import models

from hubs.access import in_member_hubs, visible_to


class SpendQuarterQuerySet(models.QuerySet):
    def for_user(self, user):
        """Spend is read across hubs by anyone signed in (learning is the point), never by the public."""
        return visible_to(self, user)

    def changeable_by(self, user):
        """Hub staff change their own hub's quarters while they are being entered or were returned."""
        open_states = [self.model.Status.DRAFT, self.model.Status.RETURNED]
        return in_member_hubs(self, user, "hub").filter(status__in=open_states)

    def approved(self):
        return self.filter(status=self.model.Status.APPROVED)

    def awaiting_review(self):
        return self.filter(status=self.model.Status.SUBMITTED)


class SpendLineQuerySet(models.QuerySet):
    def for_user(self, user):
        return visible_to(self, user)

    def approved(self):
        return self.filter(quarter__status="approved")


class BenefitQuerySet(models.QuerySet):
    def for_user(self, user):
        """Everyone signed in reads every hub's benefits (learning across hubs); the public none."""
        return visible_to(self, user)

    def changeable_by(self, user):
        """Hub staff (members and leads) change their own hubs' benefits only."""
        return in_member_hubs(self, user, "adoption__hub")

    def current(self):
        return self.filter(archived=False)


class RealisedValueQuerySet(models.QuerySet):
    def for_user(self, user):
        return visible_to(self, user)

    def changeable_by(self, user):
        # A realised value is a dated record: nobody edits one; a correction is a new row.
        return self.none()
