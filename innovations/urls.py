from django.urls import path

from .views import adoptions

app_name = "innovations"
urlpatterns = [
    path("adoptions/<int:pk>/", adoptions.adoption_detail, name="adoption"),
    path("adoptions/<int:pk>/move/", adoptions.adoption_move_view, name="adoption_move"),
]
