"""URLs of the reports, mounted by config/urls.py as the "reports" namespace."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("officer/statistics/report.pdf", views.officer_report, name="officer_report"),
    path("institution/statistics/report.pdf", views.institution_report, name="institution_report"),
]
