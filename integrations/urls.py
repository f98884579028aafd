from django.urls import path

from .views import employers, verify, webhooks

app_name = "integrations"

urlpatterns = [
    path("webhooks/", webhooks.endpoint_list, name="webhooks"),
    path("webhooks/<int:pk>/", webhooks.endpoint_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/active/", webhooks.endpoint_active, name="webhook_active"),
    path("employers/", employers.employer_list, name="employers"),
    path("employers/<int:pk>/active/", employers.employer_active, name="employer_active"),
    path("keys/", employers.key_list, name="keys"),
    path("keys/<str:prefix>/revoke/", employers.key_revoke, name="key_revoke"),
    path("verify/", verify.bulk_verify, name="bulk_verify"),
]
