"""Certificates in the back office: to look at, never to edit. Issuing, correcting and revoking
happen on the certificates pages, through certificates.services, where they are numbered and audited."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Certificate, CertificateEvent, IssuanceRun, VerificationLog


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    extra = 0
    fields = ["created_at", "kind", "actor", "reason", "request_id"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "holder_name", "title", "level_label", "issue_date", "status"]
    list_filter = ["status", "track_code", "level", "year"]
    search_fields = ["number", "holder_name"]
    list_select_related = True
    inlines = [CertificateEventInline]


@admin.register(IssuanceRun)
class IssuanceRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "officer", "batch", "total", "created_at", "finished_at", "resumed_count"]
    list_select_related = ["officer", "batch"]


@admin.register(VerificationLog)
class VerificationLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "query", "found", "certificate", "ip_address"]
    list_filter = ["channel", "found"]
    search_fields = ["query", "ip_address"]
    list_select_related = ["certificate"]
