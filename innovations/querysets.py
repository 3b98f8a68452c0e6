from django.db import connection, models

from hubs.access import in_member_hubs, roles_of, visible_to


class InnovationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Approved entries for everyone signed in; proposals to their proposer and curators."""
        if not roles_of(user).authenticated:
            return self.none()
        if roles_of(user).reads_everything:
            return self
        return self.filter(models.Q(status=self.model.Status.APPROVED) | models.Q(proposed_by=user))

    def changeable_by(self, user):
        """AHSN admins curate the catalogue."""
        roles = roles_of(user)
        return self if roles.curates else self.none()

    def approved(self):
        return self.filter(status=self.model.Status.APPROVED)

    def search(self, q: str):
        """Entries whose name or summary match ``q``, best first (``rank``); all of them for a blank ``q``.

        PostgreSQL: full-text search, name weighted above summary, English stemming.
        Elsewhere (SQLite): every word must appear in the name or the summary, and a
        name match ranks first — so "blood pressure" finds "blood-pressure" on both.
        """
        q = (q or "").strip()
        if not q:
            return self
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

            vector = SearchVector("name", weight="A", config="english") + SearchVector(
                "summary", weight="B", config="english"
            )
            query = SearchQuery(q, search_type="websearch", config="english")
            return (
                self.annotate(search_document=vector, rank=SearchRank(vector, query))
                .filter(search_document=query)
                .order_by("-rank", "name")
            )
        words = q.replace('"', " ").split()
        matches = models.Q()
        for word in words:
            matches &= models.Q(name__icontains=word) | models.Q(summary__icontains=word)
        name_matches = models.Q(name__icontains=q)
        return (
            self.filter(matches)
            .annotate(
                rank=models.Case(
                    models.When(name_matches, then=models.Value(1.0)),
                    default=models.Value(0.0),
                    output_field=models.FloatField(),
                )
            )
            .order_by("-rank", "name")
        )


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


class ComplexityCheckQuerySet(models.QuerySet):
    def for_user(self, user):
        """Everyone signed in reads every hub's checks (cross-hub learning); not the public."""
        return visible_to(self, user)

    def changeable_by(self, user):
        # A check is a record of a day's judgement: a later check, not an edit, records a change.
        return self.none()

    def as_of(self, day, end):
        """Checks dated up to ``day`` and recorded before ``end`` (its end): what was known then."""
        return self.filter(checked_on__lte=day, recorded_at__lt=end)

    def latest_per_adoption(self):
        """Each adoption's latest check among these (by date; the later recorded on the same day)."""
        checks = self
        later = checks.filter(adoption=models.OuterRef("adoption")).filter(
            models.Q(checked_on__gt=models.OuterRef("checked_on"))
            | models.Q(checked_on=models.OuterRef("checked_on"), pk__gt=models.OuterRef("pk"))
        )
        return checks.filter(~models.Exists(later))

    def latest_prefetch(self):
        """For adoptions' ``latest_complexity_check``: one query for a whole list of adoptions."""
        return models.Prefetch(
            "complexity_checks", queryset=self.latest_per_adoption(), to_attr="latest_complexity"
        )
