from django.urls import path

from . import views

app_name = "innovations"
urlpatterns = [
    path("adoptions/<int:pk>/", views.adoption_detail, name="adoption"),
    path("adoptions/<int:pk>/move/", views.adoption_move_view, name="adoption_move"),
]
