from django.urls import path

from .views import figures, indicator

app_name = "evaluation"
urlpatterns = [
    path("indicators/<int:pk>/", indicator.indicator_detail, name="indicator"),
    path("measurements/<int:pk>/edit/", figures.measurement_edit, name="measurement_edit"),
]
