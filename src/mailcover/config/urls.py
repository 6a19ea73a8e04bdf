from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from mailcover.accounts.admin_site import VerifiedAdminSite
from mailcover.config.api import api
from mailcover.stream.views import metrics
from mailcover.web.views import healthz

# SEC-SECOND-FACTOR: /admin/ lets in only staff sessions verified with a one-time code
# (django_otp's OTP admin site, as its documentation installs it over the default site).
admin.site.__class__ = VerifiedAdminSite

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("ledger/", include("mailcover.ledger.urls")),
    path("accounts/", include("mailcover.accounts.urls")),
    path("", include("mailcover.oversight.urls")),
    path("", include("mailcover.web.urls")),
]
