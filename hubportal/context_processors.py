"""Header navigation by role."""

from django.urls import reverse

from hubs.access import roles_of


def navigation(request):
    roles = roles_of(getattr(request, "user", None))
    if not roles.authenticated:
        return {"nav_items": [], "roles": roles}
    items = [("Home", "home"), ("Hubs", "hubs:directory")]
    current = request.path
    nav_items = []
    for label, url_name in items:
        url = reverse(url_name)
        active = current == url if url == "/" else current.startswith(url)
        nav_items.append({"label": label, "url": url, "active": active})
    return {"nav_items": nav_items, "roles": roles}
