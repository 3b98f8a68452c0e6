"""The equity dashboard: whom reach reaches, by any breakdown, against each hub's local population.

The stages dashboard, which reads only adoptions, is ``innovations.views.stages``.
"""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hubs.access import global_readers_only, roles_of
from hubs.models import Hub

from .. import dashboards, vocabulary
from ..charts import equity_chart
from ..models import BreakdownDimension, Measurement


@global_readers_only
def equity(request: HttpRequest) -> HttpResponse:
    """Each group's share of the people reached, per hub and innovation, against its share of the hub's population.

    ``?breakdown=`` chooses the dimension (IMD quintile unless asked), ``?hub=`` narrows to one hub.
    The same queries whatever the number of groups, hubs or months.
    """
    first, last = dashboards.equity_months()
    dimensions = list(BreakdownDimension.objects.all())
    asked = request.GET.get("breakdown", vocabulary.IMD)
    dimension = next((d for d in dimensions if d.code == asked), None) or next(
        d for d in dimensions if d.code == vocabulary.IMD
    )
    hubs = list(Hub.objects.order_by("name").only("pk", "name", "slug"))
    hub = next((h for h in hubs if h.slug == request.GET.get("hub")), None)
    rows = dashboards.equity_rows(
        Measurement.objects.for_user(request.user),
        dimension=dimension,
        first=first,
        last=last,
        viewer=request.user,
        hub_id=hub.pk if hub else None,
    )
    sections = []
    count = 0
    for metric, metric_rows in groupby(rows, key=lambda row: row.metric):
        adoptions = []
        for row in metric_rows:
            count += 1
            adoptions.append(
                {
                    "id": f"equity-{count}",
                    "row": row,
                    "chart": equity_chart([(group.label, group) for group in row.groups]),
                    "title": f"{metric}, {row.innovation} in {row.hub}: the share reached in each group "
                    f"({dimension.name}), against its share of the local population",
                }
            )
        sections.append({"metric": metric, "adoptions": adoptions})
    return render(
        request,
        "evaluation/equity.html",
        {
            "sections": sections,
            "first": first,
            "last": last,
            "dimension": dimension,
            "dimensions": dimensions,
            "hubs": hubs,
            "hub": hub,
            "enters_population": roles_of(request.user).curates,
        },
    )
