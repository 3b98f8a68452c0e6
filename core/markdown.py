"""Markdown as the portal shows it: rendered, then sanitised with nh3 wherever it appears.

Pages (the ``markdown`` template filter), the Atom feed, e-mails and PDFs all call
``render_markdown``, so one list of allowed tags and link schemes holds everywhere.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

# Markdown may carry raw HTML; nh3 keeps only these tags, and only safe link schemes.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(text: str) -> SafeString:
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
