from django.urls import path

from . import benefit_views, views

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

# The benefits register.
urlpatterns += [
    path("adoptions/<int:pk>/benefits/", benefit_views.adoption_benefits, name="adoption_benefits"),
    path("adoptions/<int:pk>/benefits/add/", benefit_views.benefit_add_view, name="benefit_add"),
    path("benefits/<int:pk>/", benefit_views.benefit_detail, name="benefit_detail"),
    path("benefits/<int:pk>/edit/", benefit_views.benefit_edit, name="benefit_edit"),
    path("benefits/<int:pk>/realised/", benefit_views.benefit_realised, name="benefit_realised"),
    path("benefits/<int:pk>/sign-off/", benefit_views.benefit_sign_off_view, name="benefit_sign_off"),
    path("benefits/<int:pk>/archive/", benefit_views.benefit_archive_view, name="benefit_archive"),
    path("hubs/<slug:slug>/benefits/", benefit_views.hub_benefits, name="hub_benefits"),
]
