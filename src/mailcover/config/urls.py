from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from mailcover.config.api import api
from mailcover.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("ledger/", include("mailcover.ledger.urls")),
    path("accounts/", include("mailcover.accounts.urls")),
    path("", include("mailcover.oversight.urls")),
    path("", include("mailcover.web.urls")),
]
