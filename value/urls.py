from django.urls import path  # noqa: F401 (the app's pages add their paths here)

app_name = "value"
urlpatterns: list = []
