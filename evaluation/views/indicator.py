"""One indicator: its figures (and, for evaluators, its SPC options)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hubs.access import get_visible_or_404

from ..models import Indicator, Measurement


def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_visible_or_404(
        Indicator.objects.select_related("metric", "adoption__hub", "adoption__innovation"),
        request.user,
        pk=pk,
    )
    measurements = Measurement.objects.for_user(request.user).filter(indicator=indicator)
    changeable_ids = set(
        Measurement.objects.changeable_by(request.user)
        .filter(indicator=indicator)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "evaluation/indicator_detail.html",
        {"indicator": indicator, "measurements": measurements, "changeable_ids": changeable_ids},
    )
