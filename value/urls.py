from django.urls import path

from . import views

app_name = "value"
urlpatterns = [
    path("spend/", views.overview, name="spend_overview"),
    path("spend/hubs/<slug:slug>/", views.hub_spend_page, name="hub_spend"),
    path("spend/hubs/<slug:slug>/quarters/new/", views.quarter_open, name="quarter_open"),
    path("spend/quarters/<int:pk>/", views.quarter_detail, name="quarter"),
    path("spend/quarters/<int:pk>/lines/", views.line_add, name="line_add"),
    path("spend/quarters/<int:pk>/lines/<int:line_pk>/remove/", views.line_remove, name="line_remove"),
    path("spend/quarters/<int:pk>/submit/", views.quarter_submit, name="quarter_submit"),
    path("spend/quarters/<int:pk>/review/", views.quarter_review, name="quarter_review"),
]
