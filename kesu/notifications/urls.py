from django.urls import path

from kesu.notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/panel", views.panel, name="notifications_panel"),
    path("notifications/read-all", views.read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read", views.read_one, name="notification_read"),
]
