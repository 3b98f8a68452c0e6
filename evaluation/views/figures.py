"""Hub staff correct their own figures."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.forms import submit
from hubs.access import get_changeable_or_403

from .. import measurements
from ..forms import MeasurementForm
from ..models import Measurement


def measurement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = get_changeable_or_403(
        Measurement.objects.select_related(
            "indicator__metric",
            "indicator__adoption__hub",
            "indicator__adoption__innovation",
            "group__dimension",
        ),
        request.user,
        pk=pk,
    )
    initial = {f: getattr(measurement, f) for f in ("value", "numerator", "denominator")}
    form = MeasurementForm(request.POST or None, initial=initial, measurement=measurement)
    if submit(
        form, lambda data: measurements.measurement_edit(measurement=measurement, by=request.user, **data)
    ):
        messages.success(request, "The figure is saved and submitted for review.")
        return redirect(measurement.indicator)
    return render(request, "evaluation/measurement_edit.html", {"measurement": measurement, "form": form})
