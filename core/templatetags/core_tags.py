import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

from core.people import display_name

register = template.Library()

# Markdown may carry raw HTML; nh3 keeps only these tags, and only safe link schemes.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


@register.filter
def markdown(text: str) -> str:
    """Markdown rendered to HTML, then sanitised: no scripts, handlers or unsafe links survive."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "sane_lists"])
    return mark_safe(  # noqa: S308 - nh3 has just sanitised it
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
        )
    )


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
