from django.urls import path

from .views import figures, indicator, summary

app_name = "evaluation"
urlpatterns = [
    path("summary/", summary.summary, name="summary"),
    path("summary.csv", summary.summary_csv, name="summary_csv"),
    path("indicators/<int:pk>/", indicator.indicator_detail, name="indicator"),
    path("measurements/<int:pk>/edit/", figures.measurement_edit, name="measurement_edit"),
]
