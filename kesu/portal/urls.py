from django.urls import path

from kesu.portal import views

app_name = "portal"

urlpatterns = [
    path("complain/", views.submit, name="submit"),
    path("t/<str:token>/", views.track, name="track"),
    path("t/<str:token>/<str:what>", views.track_do, name="track_do"),
    path("t/<str:token>/files/<int:attachment_id>", views.track_file, name="track_file"),
    path("my/", views.my_complaints, name="my"),
]
