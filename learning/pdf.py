"""PDFs of pages (roll-up reports, learning summaries), made with WeasyPrint.

WeasyPrint is imported only here, when a PDF is asked for, so a machine without its
Pango libraries still runs the portal and answers the PDF link with a page that says why.
"""

from __future__ import annotations

import logging

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PRINT_STYLESHEET = "css/report-print.css"


def _refuse_to_fetch(url: str, *args, **kwargs):
    """Nothing in a PDF is fetched: the stylesheet is read from disk, and sanitised text has no images."""
    raise ValueError(f"PDFs fetch nothing ({url})")


def pdf_response(
    request: HttpRequest,
    *,
    template: str,
    context: dict,
    filename: str,
    unavailable_template: str,
) -> HttpResponse:
    """``template`` rendered with ``context`` as an inline PDF, or 503 with ``unavailable_template``."""
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError):  # OSError: the package is there but its Pango libraries are not
        logger.exception("WeasyPrint cannot be loaded")
        return render(request, unavailable_template, context, status=503)
    html = render_to_string(template, context, request=request)
    # Read from disk, not fetched over HTTP: a server asking itself for a file can wait on
    # its own busy workers.
    stylesheet = CSS(filename=finders.find(PRINT_STYLESHEET))
    document = HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_refuse_to_fetch)
    response = HttpResponse(document.write_pdf(stylesheets=[stylesheet]), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
