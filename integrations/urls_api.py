"""Under /api/v1/verify/ (config/urls.py): the employers' bulk verification."""

from django.urls import path

from .api import BulkVerifyView

app_name = "integrations_api"

urlpatterns = [
    path("bulk/", BulkVerifyView.as_view(), name="bulk"),
]
