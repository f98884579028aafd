"""URLs of the statistics page, mounted by config/urls.py as the "statistics" namespace: the office's
figures under /officer/, an institution's own under /institution/."""

from django.urls import path

from workflows.views import statistics as views

app_name = "statistics"
urlpatterns = [
    path("officer/statistics/", views.officer_statistics, name="officer"),
    path("officer/statistics/<slug:figure>.xlsx", views.officer_xlsx, name="officer_xlsx"),
    path("institution/statistics/", views.institution_statistics, name="institution"),
    path("institution/statistics/<slug:figure>.xlsx", views.institution_xlsx, name="institution_xlsx"),
]
