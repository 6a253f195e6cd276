from django.contrib.auth import views as auth_views
from django.urls import path

from kesu.workspace import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/counts", views.inbox_counts, name="inbox_counts"),
    path("register/", views.register, name="register"),
    path("register/assist", views.register_assist, name="register_assist"),
    path("complaints/<str:number>", views.complaint_page, name="complaint"),
    path("complaints/<str:number>/do/<str:action>", views.complaint_action, name="act"),
    path("complaints/<str:number>/customer-link", views.customer_link, name="customer_link"),
    path(
        "complaints/<str:number>/attachments",
        views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "complaints/<str:number>/attachments/<int:attachment_id>",
        views.attachment,
        name="attachment",
    ),
]
