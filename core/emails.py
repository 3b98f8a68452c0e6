"""E-mail to one person at a time: absolute links, plain text beside HTML, their own unsubscribe link.

Workers send these, with no request at hand, so every link is absolute (``settings.SITE_URL``).
Each message carries its reader's own one-click unsubscribe link (RFC 8058), so messages are
sent one per person, never with a long ``To:`` or ``Bcc:`` list.
"""

from __future__ import annotations

import re
from html import unescape

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


BLOCK_END = re.compile(r"</(p|h[2-4]|blockquote|pre|table|tr|ul|ol)>")
LIST_ITEM = re.compile(r"<li>")
LINK = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def plain_text(safe_html: str) -> str:
    """Sanitised HTML as readable plain text: paragraphs apart, links spelled out, tags gone."""
    text = LINK.sub(lambda m: m[2] if m[1] == m[2] else f"{m[2]} ({m[1]})", safe_html)
    text = LIST_ITEM.sub("<li>- ", BLOCK_END.sub(lambda m: f"{m[0]}\n", text))
    text = unescape(strip_tags(text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def one_person_message(
    *, user, subject: str, template: str, context: dict, unsubscribe_url: str, preferences_url: str
) -> EmailMultiAlternatives:
    """One person's message, ``template``.txt and ``template``.html, with their one-click unsubscribe link.

    The templates get ``user``, ``unsubscribe_url`` and ``preferences_url`` (both absolute)
    beside ``context``; mail clients offer the unsubscribe link as a button (RFC 8058).
    """
    context = {
        **context,
        "user": user,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def unsubscribe_view(view):
    """Make ``view(request, token)`` an unsubscribe link's page: GET asks, POST does it.

    No sign-in: the link works from the e-mail, and the signed token says who. No CSRF
    token: mail clients POST "List-Unsubscribe=One-Click" without one (RFC 8058). Opening
    the link must only ask, since mail scanners open every link in a message; the page's
    button, or a mail client's one-click POST, unsubscribes.
    """
    return login_not_required(csrf_exempt(require_http_methods(["GET", "POST"])(view)))
