from django.db import models

from hubs.access import in_member_hubs, visible_to


class LearningNoteQuerySet(models.QuerySet):
    def for_user(self, user):
        """Barriers, enablers and lessons are shared across hubs."""
        return visible_to(self, user)

    def changeable_by(self, user):
        """Authors change their own notes, while they belong to the note's hub."""
        return in_member_hubs(self, user, "adoption__hub").filter(author=user)

    def current(self):
        return self.filter(archived=False)
