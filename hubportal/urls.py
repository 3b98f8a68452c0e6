from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("hubs/", include("hubs.urls")),
    path("innovations/", include("innovations.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("learning/", include("learning.urls")),
    path("admin/", admin.site.urls),
]
