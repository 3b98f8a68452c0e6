from django.urls import path

from .views import adoptions, catalogue

app_name = "innovations"
urlpatterns = [
    path("adoptions/<int:pk>/", adoptions.adoption_detail, name="adoption"),
    path("adoptions/<int:pk>/move/", adoptions.adoption_move_view, name="adoption_move"),
    path(
        "adoptions/<int:pk>/complexity/",
        adoptions.complexity_check_add_view,
        name="complexity_check_add",
    ),
    path("adoptions/", adoptions.adoption_list, name="adoption_list"),
    path("adoptions/start/", adoptions.adoption_start_view, name="adoption_start"),
    path("adoptions/<int:pk>/edit/", adoptions.adoption_edit, name="adoption_edit"),
    path("adoptions/<int:pk>/archive/", adoptions.adoption_archive_view, name="adoption_archive"),
    path("adoptions/<int:pk>/restore/", adoptions.adoption_restore_view, name="adoption_restore"),
    path("", catalogue.catalogue, name="catalogue"),
    path("propose/", catalogue.innovation_propose_view, name="propose"),
    path("<slug:slug>/", catalogue.innovation_detail, name="innovation"),
    path("<slug:slug>/edit/", catalogue.innovation_edit, name="innovation_edit"),
    path("<slug:slug>/approve/", catalogue.innovation_approve_view, name="innovation_approve"),
    path("<slug:slug>/merge/", catalogue.innovation_merge_view, name="innovation_merge"),
]
