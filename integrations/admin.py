"""The office sees endpoints, deliveries and employer keys; they are changed only on the pages."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import EmployerAPIKey, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "institution", "is_active", "created_at"]
    list_filter = ["is_active"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "endpoint", "event_type", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "event_type"]


@admin.register(EmployerAPIKey)
class EmployerAPIKeyAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "user", "created", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    exclude = ["hashed_key", "id"]
