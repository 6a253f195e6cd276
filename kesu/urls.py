from django.contrib import admin
from django.urls import include, path

from kesu.api import api
from kesu.core import views
from kesu.deadlines import views as deadline_views
from kesu.workspace import views as workspace_views

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/worker", deadline_views.worker_health, name="healthz-worker"),
    path("", include("kesu.notifications.urls")),
    path("", include("kesu.portal.urls")),
    path("", include("kesu.workspace.urls")),
]
