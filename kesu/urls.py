from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from kesu.api import api
from kesu.core import views
from kesu.deadlines import views as deadline_views
from kesu.workspace import views as workspace_views

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("favicon.ico", RedirectView.as_view(url=static("core/favicon.svg"), permanent=True)),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/worker", deadline_views.worker_health, name="healthz-worker"),
    path("", include("kesu.notifications.urls")),
    path("", include("kesu.portal.urls")),
    path("", include("kesu.workspace.urls")),
]

handler404 = "kesu.core.errors.not_found"
