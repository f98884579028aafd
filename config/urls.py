"""URL map. Each area has its own module: accounts, enrolments, institution, officer."""

from django.contrib import admin
from django.urls import include, path

from certification.views import dashboard
from core.health import healthz
from workflows.urls import publicity as urls_publicity

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("accounts/", include("certification.urls.accounts")),
    path("enrolments/", include("certification.urls.enrolments")),
    path("institution/", include("certification.urls.institution")),
    path("officer/publicity/", include((urls_publicity.officer_urlpatterns, "officer_publicity"))),
    path("", include("workflows.urls.statistics")),
    path("", include("reports.urls")),
    path("officer/", include("certification.urls.officer")),
    path("publicity/", include((urls_publicity.public_urlpatterns, "publicity"))),
    path("assessment/", include("workflows.urls.assessment")),
    path("assessment/", include("workflows.urls.results")),
    path("exchange/", include("exchange.urls")),
    path("notifications/", include("notifications.urls")),
    # Before any other api/ include: the employers' bulk verification (integrations/api.py).
    path("api/v1/verify/", include("integrations.urls_api")),
    path("integrations/", include("integrations.urls")),
    path("", include("certificates.urls")),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

# Our pages, in our layout, also for what viewflow and Django would otherwise answer (core/error_pages.py).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"
