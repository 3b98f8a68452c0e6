"""The equity dashboard: whom reach reaches, per hub and innovation.

The stages dashboard, which reads only adoptions, is ``innovations.views.stages``.
"""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hubs.access import global_readers_only

from .. import dashboards
from ..charts import equity_chart, equity_summary
from ..models import Measurement


@global_readers_only
def equity(request: HttpRequest) -> HttpResponse:
    """Reach into the most deprived fifth (IMD quintile 1) against its 20% share, per hub and innovation."""
    first, last = dashboards.equity_months()
    rows = dashboards.equity_rows(
        Measurement.objects.for_user(request.user), first=first, last=last, viewer=request.user
    )
    sections = []
    for number, (metric, group) in enumerate(groupby(rows, key=lambda row: row.metric), start=1):
        metric_rows = list(group)
        sections.append(
            {
                "id": f"equity-{number}",
                "metric": metric,
                "rows": metric_rows,
                "chart": equity_chart(metric_rows, population_share=dashboards.POPULATION_SHARE),
                "summary": equity_summary(metric_rows),
            }
        )
    return render(
        request,
        "evaluation/equity.html",
        {"sections": sections, "first": first, "last": last, "population_share": dashboards.POPULATION_SHARE},
    )
