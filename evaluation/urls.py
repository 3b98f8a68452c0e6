from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("measurements/<int:pk>/edit/", views.measurement_edit, name="measurement_edit"),
]
