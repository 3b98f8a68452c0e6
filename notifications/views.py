"""A person's notifications: the list, opening one, marking all read; and the unsubscribe link per kind."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.emails import unsubscribe_view

from . import emails, services
from .models import Kind, Notification

PAGE_SIZE = 25


def notification_list(request: HttpRequest) -> HttpResponse:
    """Newest first, unread ones marked; a page at a time."""
    mine = Notification.objects.for_user(request.user)
    page = Paginator(mine.only("pk", "title", "body", "kind", "created_at", "read_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/list.html", {"page": page})


@require_http_methods(["GET"])
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one's own notification read and go to the page where they act on it; another's is 404.

    A plain link (GET), from the list or an e-mail: marking read is the only change, and
    doing it twice changes nothing.
    """
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.notification_read(notification=notification, by=request.user)
    return redirect(notification.url)


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read_all(by=request.user)
    if count:
        messages.success(request, "All your notifications are marked as read.")
    return redirect("notifications:list")


@unsubscribe_view
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The person named by the token gets no more e-mail about the kinds it names (GET asks, POST does it)."""
    named = emails.from_token(token)
    if named is None:
        raise Http404("This unsubscribe link is not valid.")
    _, kinds = named
    labels = [Kind(kind).label for kind in kinds]
    if request.method == "GET":
        return render(request, "notifications/unsubscribe_confirm.html", {"labels": labels})
    services.preference_unsubscribe(token=token)
    return render(request, "notifications/unsubscribed.html", {"labels": labels})
