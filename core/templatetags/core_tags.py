from django import template

from core.markdown import render_markdown
from core.people import display_name

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Markdown rendered to HTML and sanitised (``core.markdown``)."""
    return render_markdown(text)


@register.filter
def pounds(amount) -> str:
    """£475,000 – whole pounds with thousands separators."""
    if amount is None:
        return ""
    return f"£{amount:,.0f}"


@register.filter
def person(user, fallback: str = "Not recorded") -> str:
    """A user's full name, else their username, else the fallback (for a user since removed)."""
    return display_name(user, fallback)


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context, page, label: str = "Pagination", anchor: str = ""):
    """Previous and next links for a page of a list, keeping the other query parameters (filters, sort)."""

    def url_of(number: int) -> str:
        params = context["request"].GET.copy()
        params["page"] = number
        return f"?{params.urlencode()}{f'#{anchor}' if anchor else ''}"

    if page.paginator.num_pages < 2:
        return {}
    of = page.paginator.num_pages
    links = {"label": label}
    if page.has_previous():
        number = page.previous_page_number()
        links.update(previous_url=url_of(number), previous_label=f"Page {number} of {of}")
    if page.has_next():
        number = page.next_page_number()
        links.update(next_url=url_of(number), next_label=f"Page {number} of {of}")
    return links
