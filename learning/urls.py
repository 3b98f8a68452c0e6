from django.urls import path, re_path

from . import reports, views

app_name = "learning"
urlpatterns = [
    path("notes/<int:pk>/", views.note_detail, name="note"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("adoptions/<int:adoption_pk>/notes/new/", views.note_add, name="note_add"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/run/", reports.run_start, name="run_start"),
    path("reports/runs/<int:pk>/", reports.run_detail, name="run"),
    path("reports/runs/<int:pk>/status/", reports.run_status, name="run_status"),
    re_path(r"^reports/(?P<day>\d{4}-\d{2}-\d{2})/$", reports.report_detail, name="report"),
    re_path(r"^reports/(?P<day>\d{4}-\d{2}-\d{2})\.pdf$", reports.report_pdf, name="report_pdf"),
    re_path(
        r"^reports/(?P<day>\d{4}-\d{2}-\d{2})/(?P<section>[a-z_]+)\.csv$",
        reports.report_csv,
        name="report_csv",
    ),
]
