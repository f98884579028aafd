from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "delivery", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["delivery", "kind"]
    search_fields = ["recipient__username", "event_key"]
