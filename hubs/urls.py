from django.urls import path

from . import views

app_name = "hubs"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("network/", views.network, name="network"),
    path("network/<slug:table>.csv", views.network_csv, name="network_csv"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/partners/", views.partners, name="partners"),
    path("<slug:slug>/partners/add/", views.partner_add, name="partner_add"),
    path("<slug:slug>/partners/<int:pk>/", views.partner_edit, name="partner_edit"),
    path("<slug:slug>/events/", views.events, name="events"),
    path("<slug:slug>/events/add/", views.event_add, name="event_add"),
    path("<slug:slug>/events/<int:pk>/", views.event_detail, name="event"),
    path("<slug:slug>/events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("<slug:slug>/events/<int:pk>/archive/", views.event_archive, name="event_archive"),
]
