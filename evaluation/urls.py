from django.urls import path

from innovations.views import stages

from .views import (
    breakdowns,
    dashboards,
    entry,
    figures,
    funnel,
    hub_month,
    indicator,
    reopen,
    reporting,
    review,
    summary,
    upload,
)
from .views import flags as flag_views

app_name = "evaluation"
urlpatterns = [
    path("summary/", summary.summary, name="summary"),
    path("summary.csv", summary.summary_csv, name="summary_csv"),
    # The stages dashboard reads only adoptions, so innovations draws it; it keeps its address here.
    path("stages/", stages.stages, name="stages"),
    path("equity/", dashboards.equity, name="equity"),
    path("metrics/<slug:code>/funnel/", funnel.metric_funnel, name="funnel"),
    path("indicators/<int:pk>/", indicator.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/baseline/", indicator.indicator_baseline, name="indicator_baseline"),
    path("indicators/<int:pk>/rebase/", indicator.rebase_add, name="rebase_add"),
    path("rebase/<int:pk>/remove/", indicator.rebase_remove, name="rebase_remove"),
    path("measurements/<int:pk>/edit/", figures.measurement_edit, name="measurement_edit"),
    path("adoptions/<int:adoption_pk>/indicators/", entry.indicators_choose, name="indicators_choose"),
    path("indicators/<int:pk>/edit/", entry.indicator_edit, name="indicator_edit"),
    path("adoptions/<int:adoption_pk>/figures/", entry.figures_grid_latest, name="figures_grid_latest"),
    path("adoptions/<int:adoption_pk>/figures/<str:month>/", entry.figures_grid, name="figures_grid"),
    path("review/", review.review_queue, name="review_queue"),
    path("indicators/<int:pk>/review/<str:month>/", review.review_month, name="review_month"),
    path("review/hubs/<slug:slug>/<str:month>/", hub_month.review_hub_month, name="review_hub_month"),
    path("indicators/<int:pk>/reopen/<str:month>/", reopen.reopen_ask, name="reopen_ask"),
    path("reopen-requests/<int:pk>/decide/", reopen.reopen_decide, name="reopen_decide"),
    path("reporting/", reporting.reporting_status, name="reporting_status"),
    path("reporting/<slug:slug>/", reporting.reporting_hub, name="reporting_hub"),
    path("adoptions/<int:adoption_pk>/upload/", upload.upload, name="upload"),
    path("adoptions/<int:adoption_pk>/upload/template/", upload.upload_template, name="upload_template"),
    path("adoptions/<int:adoption_pk>/upload/<int:pk>/", upload.upload_preview, name="upload_preview"),
    path("adoptions/<int:adoption_pk>/upload/<int:pk>/import/", upload.upload_import, name="upload_import"),
    path("adoptions/<int:adoption_pk>/upload/<int:pk>/status/", upload.upload_status, name="upload_status"),
    path("hubs/<slug:slug>/breakdowns/", breakdowns.hub_breakdowns, name="hub_breakdowns"),
    path(
        "hubs/<slug:slug>/breakdowns/groups/<int:pk>/archive/", breakdowns.group_archive, name="group_archive"
    ),
    path("hubs/<slug:slug>/population/<slug:code>/", breakdowns.population_edit, name="population_edit"),
    path("flags/<int:pk>/explain/", flag_views.flag_explain_view, name="flag_explain"),
    path("flags/<int:pk>/check/", flag_views.flag_check_view, name="flag_check"),
]
