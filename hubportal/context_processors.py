"""Header navigation by role."""

from django.urls import reverse

from hubs.access import Roles, roles_of

HUB_STAFF_NAV = [
    ("Home", "home"),
    ("Innovations", "innovations:catalogue"),
    ("Stages", "evaluation:stages"),
    ("Hubs", "hubs:directory"),
]
GLOBAL_READER_NAV = [
    ("Indicators", "evaluation:summary"),
    ("Stages", "evaluation:stages"),
    ("Equity", "evaluation:equity"),
    ("Reporting", "evaluation:reporting_status"),
    ("Overview", "overview"),
    ("Innovations", "innovations:catalogue"),
    ("Hubs", "hubs:directory"),
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


def navigation(request):
    roles = roles_of(getattr(request, "user", None))
    nav_items = []
    for label, url_name in nav_for(roles):
        url = reverse(url_name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        nav_items.append({"label": label, "url": url, "active": active})
    return {"nav_items": nav_items, "roles": roles}
