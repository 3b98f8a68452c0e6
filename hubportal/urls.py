from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("healthz", views.healthz, name="healthz"),
    # Before Django's own, so a new password from the e-mailed link also lifts a lockout.
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("hubs/", include("hubs.urls")),
    path("innovations/", include("innovations.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("value/", include("value.urls")),
    path("learning/", include("learning.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]
