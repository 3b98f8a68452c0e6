from django.urls import path

from .views import adoptions, catalogue

app_name = "innovations"
urlpatterns = [
    path("adoptions/<int:pk>/", adoptions.adoption_detail, name="adoption"),
    path("adoptions/<int:pk>/move/", adoptions.adoption_move_view, name="adoption_move"),
    path("", catalogue.catalogue, name="catalogue"),
    path("propose/", catalogue.innovation_propose_view, name="propose"),
    path("<slug:slug>/", catalogue.innovation_detail, name="innovation"),
    path("<slug:slug>/edit/", catalogue.innovation_edit, name="innovation_edit"),
    path("<slug:slug>/approve/", catalogue.innovation_approve_view, name="innovation_approve"),
    path("<slug:slug>/merge/", catalogue.innovation_merge_view, name="innovation_merge"),
]
