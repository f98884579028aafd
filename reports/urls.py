"""URLs of the reports, mounted by config/urls.py as the "reports" namespace."""

from django.urls import path

from . import views, views_audit, views_register

app_name = "reports"
urlpatterns = [
    path("officer/statistics/report.pdf", views.officer_report, name="officer_report"),
    path("institution/statistics/report.pdf", views.institution_report, name="institution_report"),
    path("officer/register-export/", views_register.register_export, name="register_export"),
    path("officer/audit/", views_audit.audit_list, name="audit"),
    path("officer/audit.xlsx", views_audit.audit_xlsx, name="audit_xlsx"),
]
