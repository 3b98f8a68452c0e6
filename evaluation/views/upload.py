"""Hub staff upload a CSV or Excel file of an adoption's monthly figures: check, preview, import.

Small files are checked and imported in the request; large ones by a worker
(``evaluation.tasks``), while the page shows progress. Every view reaches the
adoption through ``get_changeable_or_403`` and the upload through that adoption,
so no id sent can reach another hub's figures.
"""

from __future__ import annotations

import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.csvfile import csv_response
from core.forms import submit
from core.months import last_complete_month
from hubs.access import get_changeable_or_403, roles_of
from innovations.models import Adoption

from .. import breakdowns, upload_queue, uploads
from ..models import Indicator, MeasurementUpload

ROWS_PER_PAGE = 100
RUNNING = (MeasurementUpload.Status.CHECKING, MeasurementUpload.Status.IMPORTING)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File of figures",
        help_text="A CSV (.csv) or Excel (.xlsx) file of at most 10 MB and 100,000 rows, with the columns below.",
        widget=forms.FileInput(attrs={"accept": f".csv,.xlsx,text/csv,{XLSX_TYPE}"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        try:
            uploads.file_kind(file.name)
            uploads.refuse_if_too_big(file.size)
        except uploads.FileRefused as refused:
            raise ValidationError(refused.message) from None
        return file


def _adoption(request: HttpRequest, adoption_pk: int) -> Adoption:
    return get_changeable_or_403(
        Adoption.objects.select_related("hub", "innovation"), request.user, pk=adoption_pk
    )


def _upload(adoption: Adoption, pk: int, *fields: str) -> MeasurementUpload:
    """One of this adoption's uploads (never another's, whatever the id), without its bytes."""
    uploads_here = MeasurementUpload.objects.filter(adoption=adoption)
    if fields:
        uploads_here = uploads_here.only(*fields)
    else:
        uploads_here = uploads_here.select_related("uploaded_by").defer("content")
    return get_object_or_404(uploads_here, pk=pk)


def upload(request: HttpRequest, adoption_pk: int) -> HttpResponse:
    """The form and the documented columns; a small file is checked at once, a large one queued."""
    adoption = _adoption(request, adoption_pk)
    form = UploadForm(request.POST or None, request.FILES or None)

    def receive(data) -> MeasurementUpload:
        file = data["file"]
        received = uploads.upload_receive(
            adoption=adoption, file_name=file.name, content=file.read(), by=request.user
        )
        if received.status == MeasurementUpload.Status.REFUSED:
            raise ValidationError({"file": received.message})
        return received

    if request.method == "POST" and (received := submit(form, receive)):
        return redirect(received)
    return render(
        request,
        "evaluation/upload.html",
        {
            "adoption": adoption,
            "form": form,
            "columns": uploads.COLUMN_DOCS,
            "dimensions": breakdowns.dimensions_of_hub(adoption.hub_id),
            "can_add_groups": roles_of(request.user).leads(adoption.hub_id),
            "indicators": adoption.indicators.select_related("metric").order_by("metric__code"),
            "recent": MeasurementUpload.objects.filter(adoption=adoption)
            .defer("content", "rows")
            .select_related("uploaded_by")[:10],
            "max_rows": uploads.MAX_ROWS,
        },
    )


@require_GET
def upload_template(request: HttpRequest, adoption_pk: int) -> HttpResponse:
    """A file to fill in: the header, and a row per indicator of this adoption for last month."""
    adoption = _adoption(request, adoption_pk)
    indicators = Indicator.objects.filter(adoption=adoption).select_related("metric").order_by("metric__code")
    rows = uploads.template_rows(indicators, last_complete_month())
    name = f"figures-{adoption.hub.slug}-{adoption.innovation.slug}"
    if request.GET.get("format") == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Figures")
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    # No byte-order mark: the template goes back through the upload, which reads either.
    return csv_response(f"{name}.csv", rows, bom=False)


def upload_preview(request: HttpRequest, adoption_pk: int, pk: int) -> HttpResponse:
    """Progress while a worker runs; then each row's outcome, and the import button if nothing is wrong."""
    adoption = _adoption(request, adoption_pk)
    upload = _upload(adoption, pk)
    rows = Paginator(upload.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    errors = upload.counts.get("error", 0)
    return render(
        request,
        "evaluation/upload_preview.html",
        {
            "adoption": adoption,
            "upload": upload,
            "running": upload.status in RUNNING,
            # Whether the task queue has taken the check or import yet: it may be down.
            "queue": upload_queue.queue_state(upload),
            "rows": rows,
            "errors": errors,
            "errors_listed": min(errors, uploads.ERROR_ROWS_LISTED),
            "to_import": upload.counts.get("new", 0) + upload.counts.get("changed", 0),
            "importable": upload.status == MeasurementUpload.Status.CHECKED and not errors,
        },
    )


@require_POST
def upload_import(request: HttpRequest, adoption_pk: int, pk: int) -> HttpResponse:
    """Import all the checked figures, or none: small files now, large ones by a worker."""
    adoption = _adoption(request, adoption_pk)
    upload = uploads.upload_import(upload=_upload(adoption, pk), by=request.user)
    return redirect(upload)


@require_GET
def upload_status(request: HttpRequest, adoption_pk: int, pk: int) -> JsonResponse:
    """What the progress script polls: small, and never cached."""
    adoption = _adoption(request, adoption_pk)
    upload = _upload(adoption, pk, "status", "total_rows", "processed_rows")
    response = JsonResponse(
        {
            "status": upload.status,
            "running": upload.status in RUNNING,
            "total_rows": upload.total_rows,
            "processed_rows": upload.processed_rows,
        }
    )
    response["Cache-Control"] = "no-store"
    return response
