from django.contrib.auth import views as auth_views
from django.urls import path

from kesu.workspace import inbox_views, print_views, reports_views, scorecards, statistics, views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/counts", views.inbox_counts, name="inbox_counts"),
    path("inbox/export", inbox_views.inbox_export, name="inbox_export"),
    path("inbox/bulk", inbox_views.inbox_bulk, name="inbox_bulk"),
    path("inbox/fresh", inbox_views.inbox_fresh, name="inbox_fresh"),
    path("inbox/views", inbox_views.inbox_save_view, name="inbox_save_view"),
    path("inbox/views/<int:pk>/delete", inbox_views.inbox_delete_view, name="inbox_delete_view"),
    path("register/", views.register, name="register"),
    path("statistics/", statistics.statistics_page, name="statistics"),
    path(
        "statistics/download/<str:fmt>/",
        reports_views.statistics_download,
        name="statistics_download",
    ),
    path("statistics/report/<str:period>/", reports_views.monthly_report, name="monthly_report"),
    path("statistics/scorecards/", scorecards.scorecards_page, name="scorecards"),
    path(
        "statistics/scorecards/<str:level>/<int:subject_id>/incidents/",
        scorecards.incidents_page,
        name="scorecard_incidents",
    ),
    path("statistics/figure/", scorecards.figure_page, name="statistics_figure"),
    path("register/assist", views.register_assist, name="register_assist"),
    path("complaints/<str:number>", views.complaint_page, name="complaint"),
    path("complaints/<str:number>/fresh", inbox_views.complaint_fresh, name="complaint_fresh"),
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
    path(
        "complaints/<str:number>/print/<str:document>",
        print_views.complaint_document,
        name="complaint_document",
    ),
]
