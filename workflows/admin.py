"""Back office for the 公示 calendar and records; assessment processes are worked from their own pages."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import NonWorkingDay, Objection, PublicityNotice


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(PublicityNotice)
class PublicityNoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "starts_on", "ends_on", "closed_at", "opened_by"]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["lodged_at", "entry", "status", "decided_by"]
    list_filter = ["status"]
