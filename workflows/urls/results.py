"""Results submission and evidence downloads, mounted at /assessment/ (namespace "results")."""

from django.urls import path

from workflows.views import results as results_views

app_name = "results"

urlpatterns = [
    path("enrolments/<int:pk>/results/", results_views.results_edit, name="edit"),
    path("evidence/<int:pk>/", results_views.evidence_download, name="evidence"),
    path("module-evidence/<int:pk>/", results_views.module_evidence_download, name="module_evidence"),
]
