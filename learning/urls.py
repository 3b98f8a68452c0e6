from django.urls import path

from . import views

app_name = "learning"
urlpatterns = [
    path("notes/<int:pk>/", views.note_detail, name="note"),
    path("notes/<int:pk>/edit/", views.note_edit, name="note_edit"),
    path("adoptions/<int:adoption_pk>/notes/new/", views.note_add, name="note_add"),
]
