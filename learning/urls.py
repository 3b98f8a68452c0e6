from django.urls import path, re_path

from . import email_views, feeds, reports, summary_views, views

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
    # Learning summaries: writing and the workflow (AHSN admins) ...
    path("summaries/", summary_views.manage, name="summaries"),
    path("summaries/new/", summary_views.summary_new, name="summary_new"),
    path("summaries/<int:pk>/", summary_views.summary_manage, name="summary_manage"),
    path("summaries/<int:pk>/edit/", summary_views.summary_edit, name="summary_edit"),
    path("summaries/<int:pk>/submit/", summary_views.summary_submit, name="summary_submit"),
    path("summaries/<int:pk>/return/", summary_views.summary_return, name="summary_return"),
    path("summaries/<int:pk>/publish/", summary_views.summary_publish, name="summary_publish"),
    path("summaries/<int:pk>/withdraw/", summary_views.summary_withdraw, name="summary_withdraw"),
    # ... and reading them: public where the summary is public.
    path("email/", email_views.email_preferences, name="email_preferences"),
    path("unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
    path("", summary_views.summary_list, name="summary_list"),
    path("feed/", feeds.SummaryFeed(), name="feed"),
    path("<slug:slug>/", summary_views.summary_detail, name="summary"),
    path("<slug:slug>.pdf", summary_views.summary_pdf, name="summary_pdf"),
    path("<slug:slug>/versions/", summary_views.version_list, name="summary_versions"),
    path("<slug:slug>/versions/<int:number>/", summary_views.version_detail, name="summary_version"),
    path("<slug:slug>/versions/<int:number>/changes/", summary_views.version_changes, name="summary_changes"),
]
