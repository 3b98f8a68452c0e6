from django.contrib.auth import get_user_model
from django.db import models

from hubs.access import AHSN_ADMINS, in_member_hubs, roles_of, visible_to


def writes_summaries(user) -> bool:
    """AHSN admins write, review, publish and withdraw learning summaries (superusers stand in)."""
    return roles_of(user).curates


def active_ahsn_admins():
    """The people told of summaries to review and of failed roll-up runs."""
    return get_user_model().objects.filter(is_active=True, groups__name=AHSN_ADMINS).distinct()


class LearningNoteQuerySet(models.QuerySet):
    def for_user(self, user):
        """Barriers, enablers and lessons are shared across hubs."""
        return visible_to(self, user)

    def changeable_by(self, user):
        """Authors change their own notes, while they belong to the note's hub."""
        if not roles_of(user).authenticated:
            return self.none()  # the public: an AnonymousUser cannot stand in the author filter
        return in_member_hubs(self, user, "adoption__hub").filter(author=user)

    def current(self):
        return self.filter(archived=False)


class LearningSummaryQuerySet(models.QuerySet):
    def for_user(self, user):
        """AHSN admins see every summary; signed-in users those ever published; the public, public ones.

        A withdrawn summary stays visible at its address to those who could read it, to say
        why it was withdrawn; its body is not shown (the views see to that).
        """
        if writes_summaries(user):
            return self
        published = self.filter(live_version__isnull=False)
        if roles_of(user).authenticated:
            return published
        return published.filter(live_version__audience="public")

    def changeable_by(self, user):
        return self if writes_summaries(user) else self.none()

    def listed(self):
        """Published and not withdrawn: what lists and the feed show."""
        return self.filter(live_version__isnull=False, withdrawn_at__isnull=True)

    def with_theme(self, code: str, prefix: str = ""):
        return self.filter(**{f"{prefix}themes__contains": f" {code} "})


class SummaryVersionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Versions AHSN admins may read: all; others: those of summaries not withdrawn (public ones for the public)."""
        if writes_summaries(user):
            return self
        current = self.filter(summary__withdrawn_at__isnull=True)
        return current if roles_of(user).authenticated else current.filter(audience="public")
