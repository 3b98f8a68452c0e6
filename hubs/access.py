"""The one place that answers "what may this user see and change".

Roles: membership of a hub (member or lead) gives hub scope; the groups
"Evaluators" and "AHSN admins" give the global roles. Querysets in every app
call these helpers (``for_user`` to read, ``changeable_by`` to write); views
fetch through them (404 for a record the user may not see, 403 for one they may
only read); and every write service refuses, itself, a user without the right
role, through the ``require_*`` functions at the end. So a rule is never
enforced only by hiding a link, nor only by the view that calls a service.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

EVALUATORS = "Evaluators"
AHSN_ADMINS = "AHSN admins"
GLOBAL_ROLE_GROUPS = (EVALUATORS, AHSN_ADMINS)


@dataclass(frozen=True)
class Roles:
    """What one user is, worked out once per request."""

    authenticated: bool
    superuser: bool
    evaluator: bool
    ahsn_admin: bool
    hub_ids: frozenset[int]
    lead_hub_ids: frozenset[int] = frozenset()  # the hubs among them that the user leads

    @property
    def reads_everything(self) -> bool:
        return self.superuser or self.evaluator or self.ahsn_admin

    @property
    def reviews_figures(self) -> bool:
        """Evaluators approve figures and set SPC options (and superusers can stand in)."""
        return self.evaluator or self.superuser

    @property
    def curates(self) -> bool:
        """AHSN admins curate the catalogue, run the roll-up and publish summaries (superusers stand in)."""
        return self.ahsn_admin or self.superuser

    @property
    def is_hub_staff(self) -> bool:
        return bool(self.hub_ids)

    def leads(self, hub_id: int | None) -> bool:
        """Whether the user is a lead of the hub (its lead decides things for the whole hub)."""
        return hub_id is not None and hub_id in self.lead_hub_ids

    def sees_raw_figures_of(self, hub_id: int | None) -> bool:
        """Whether this user sees the hub's figures as entered, small counts and all.

        The hub's own staff and evaluators (who review the figures) do; everyone
        else — other hubs' staff, AHSN admins, the public — sees counts from 1 to 7
        as "<8" and no share derived from them (``core.disclosure``).
        """
        return self.reviews_figures or (hub_id is not None and hub_id in self.hub_ids)


ANONYMOUS = Roles(False, False, False, False, frozenset())


def roles_of(user) -> Roles:
    """The user's roles, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_hubportal_roles", None)
    if cached is not None:
        return cached
    groups = set(user.groups.filter(name__in=GLOBAL_ROLE_GROUPS).values_list("name", flat=True))
    from .models import Membership  # the models module imports this one

    memberships = list(user.memberships.values_list("hub_id", "role"))
    roles = Roles(
        authenticated=True,
        superuser=user.is_superuser,
        evaluator=EVALUATORS in groups,
        ahsn_admin=AHSN_ADMINS in groups,
        hub_ids=frozenset(hub_id for hub_id, _ in memberships),
        lead_hub_ids=frozenset(hub_id for hub_id, role in memberships if role == Membership.Role.LEAD),
    )
    user._hubportal_roles = roles
    return roles


def sees_raw_figures(user, hub_id: int | None) -> bool:
    """Whether ``user`` may see hub ``hub_id``'s raw figures (see ``Roles.sees_raw_figures_of``)."""
    return roles_of(user).sees_raw_figures_of(hub_id)


def visible_to(queryset: QuerySet, user) -> QuerySet:
    """Everything for any signed-in user, nothing for the public."""
    return queryset if roles_of(user).authenticated else queryset.none()


def in_member_hubs(queryset: QuerySet, user, hub_field: str) -> QuerySet:
    """Rows whose hub (reached through ``hub_field``) the user belongs to."""
    return queryset.filter(**{f"{hub_field}__in": roles_of(user).hub_ids})


def get_visible_or_404(queryset: QuerySet, user, **lookup) -> Model:
    """The record if the user may see it; 404 otherwise, never a hint that it exists."""
    return get_object_or_404(queryset.for_user(user), **lookup)


def may_change(queryset: QuerySet, user, obj: Model) -> bool:
    """Whether ``obj`` is among the rows of ``queryset`` (or a manager) that the user may change."""
    return queryset.changeable_by(user).filter(pk=obj.pk).exists()


def get_changeable_or_403(queryset: QuerySet, user, **lookup) -> Model:
    """The record if the user may change it: 404 if they may not see it, 403 if they may only read it."""
    obj = get_visible_or_404(queryset, user, **lookup)
    if not may_change(queryset, user, obj):
        raise PermissionDenied("You can read this record but not change it.")
    return obj


def _only(allowed, refusal: str):
    """A view decorator: 403 with ``refusal`` unless ``allowed(roles)``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(roles_of(request.user)):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Pages across all hubs that show figures not yet approved.
global_readers_only = _only(
    lambda roles: roles.reads_everything, "Only evaluators and AHSN admins can open this page."
)
# Reviewing figures and setting SPC options.
evaluators_only = _only(lambda roles: roles.reviews_figures, "Only evaluators can do this.")
# Curating the catalogue and running the roll-up.
ahsn_admins_only = _only(lambda roles: roles.curates, "Only AHSN admins can do this.")
# Starting and proposing things for one's own hubs.
hub_staff_only = _only(lambda roles: roles.is_hub_staff, "Only hub staff can do this, for their own hubs.")


# What write services call first, before they read or lock anything. Each refuses with
# PermissionDenied (a 403 when a view lets it through), saying in plain words who may do
# ``what``: a phrase that completes "Only evaluators can …", e.g. "approve or return figures".


def require_signed_in(user, what: str) -> None:
    """Refuse the public and deactivated accounts."""
    if not roles_of(user).authenticated:
        raise PermissionDenied(f"Sign in to {what}.")


def require_evaluator(user, what: str) -> None:
    """Refuse anyone but an evaluator (a superuser stands in)."""
    if not roles_of(user).reviews_figures:
        raise PermissionDenied(f"Only evaluators can {what}.")


def require_curator(user, what: str) -> None:
    """Refuse anyone but an AHSN admin (a superuser stands in): the catalogue, summaries, the roll-up."""
    if not roles_of(user).curates:
        raise PermissionDenied(f"Only AHSN admins can {what}.")


def require_hub_staff(user, hub_id: int | None, what: str) -> None:
    """Refuse anyone but a member or lead of hub ``hub_id``; of any hub when ``hub_id`` is None."""
    hub_ids = roles_of(user).hub_ids
    if hub_id is None and not hub_ids:
        raise PermissionDenied(f"Only hub staff can {what}.")
    if hub_id is not None and hub_id not in hub_ids:
        raise PermissionDenied(f"Only the hub's own staff can {what}.")


def require_hub_lead(user, hub_id: int, what: str) -> None:
    """Refuse anyone but a lead of hub ``hub_id``: what is decided for the whole hub."""
    if not roles_of(user).leads(hub_id):
        raise PermissionDenied(f"Only the hub's lead can {what}.")


def require_changeable(queryset: QuerySet, user, obj: Model, what: str) -> None:
    """Refuse unless ``queryset.changeable_by(user)`` holds ``obj``: the rule stays with the queryset.

    ``what`` completes "You are not allowed to …", e.g. "move this adoption to another stage".
    """
    if not may_change(queryset, user, obj):
        raise PermissionDenied(f"You are not allowed to {what}.")
