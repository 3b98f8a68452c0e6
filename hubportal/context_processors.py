"""Header navigation by role."""

from functools import partial

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from hubs.access import Roles, roles_of
from notifications.models import Notification

from .todo import todo_count

HUB_STAFF_NAV = [
    ("Home", "home"),
    ("Adoptions", "innovations:adoption_list"),
    ("Innovations", "innovations:catalogue"),
    ("Stages", "evaluation:stages"),
    ("Reporting", "evaluation:reporting_status"),
    ("Hubs", "hubs:directory"),
    ("Reports", "learning:reports"),
    ("Learning", "learning:summary_list"),
]
GLOBAL_READER_NAV = [
    ("Indicators", "evaluation:summary"),
    ("Stages", "evaluation:stages"),
    ("Equity", "evaluation:equity"),
    ("Reporting", "evaluation:reporting_status"),
    ("Overview", "overview"),
    ("Innovations", "innovations:catalogue"),
    ("Hubs", "hubs:directory"),
    ("Reports", "learning:reports"),
    ("Learning", "learning:summary_list"),
]
EVALUATOR_NAV = [("Review", "evaluation:review_queue")]


def nav_for(roles: Roles) -> list[tuple[str, str]]:
    if not roles.authenticated:
        return []
    if not roles.reads_everything:
        return HUB_STAFF_NAV
    items = [("Home", "home"), *GLOBAL_READER_NAV]
    if roles.reviews_figures:
        items[2:2] = EVALUATOR_NAV
    return items


def current_url(path: str, urls: list[str]) -> str | None:
    """The one item the page belongs to: the longest URL that starts the path (home only itself)."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)


def navigation(request):
    roles = roles_of(getattr(request, "user", None))
    items = [(label, reverse(url_name)) for label, url_name in nav_for(roles)]
    current = current_url(request.path, [url for _, url in items])
    nav_items = [{"label": label, "url": url, "active": url == current} for label, url in items]
    # Called by the template when the header shows it (a callable is not run before then).
    count = partial(todo_count, request.user) if roles.authenticated else 0
    return {"nav_items": nav_items, "roles": roles, "todo_count": count}


def unread_notifications(request):
    """The header's count of the signed-in person's unread notifications: one COUNT, once, when shown."""
    user = getattr(request, "user", None)
    if not roles_of(user).authenticated:
        return {"unread_notifications": 0}
    count = SimpleLazyObject(lambda: Notification.objects.for_user(user).unread().count())
    return {"unread_notifications": count}
