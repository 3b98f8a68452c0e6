from django.urls import path

from .views import dashboards, figures, indicator, review, summary

app_name = "evaluation"
urlpatterns = [
    path("summary/", summary.summary, name="summary"),
    path("summary.csv", summary.summary_csv, name="summary_csv"),
    path("stages/", dashboards.stages, name="stages"),
    path("equity/", dashboards.equity, name="equity"),
    path("indicators/<int:pk>/", indicator.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/baseline/", indicator.indicator_baseline, name="indicator_baseline"),
    path("indicators/<int:pk>/rebase/", indicator.rebase_add, name="rebase_add"),
    path("rebase/<int:pk>/remove/", indicator.rebase_remove, name="rebase_remove"),
    path("measurements/<int:pk>/edit/", figures.measurement_edit, name="measurement_edit"),
    path("review/", review.review_queue, name="review_queue"),
    path("indicators/<int:pk>/review/<str:month>/", review.review_month, name="review_month"),
    path("reporting/", review.reporting_status, name="reporting_status"),
]
