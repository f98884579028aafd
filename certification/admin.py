"""The officer's back office. The status is never editable here; the state log and the score and
vetting histories are read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import (
    ConflictDeclaration,
    Enrolment,
    Institution,
    Module,
    ModuleCompletion,
    ScoreChange,
    StateLog,
    Track,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
    VettingDecision,
)


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "pass_mark_theory",
        "pass_mark_practical",
        "max_attempts",
        "reviewers_required",
        "requires_3d_evidence",
    ]
    inlines = [ModuleInline]


class TrackQuotaInline(admin.TabularInline):
    model = TrackQuota
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "org_code", "status"]
    list_filter = ["status"]
    search_fields = ["name", "org_code"]
    inlines = [TrackQuotaInline]


# Superuser status and raw permissions stay with superusers, or an officer could raise their own
# rights; is_staff follows the role (User.save).
_SUPERUSER_ONLY_FIELDS = {"is_superuser", "is_staff", "groups", "user_permissions"}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "institution", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role"), {"fields": ("role", "institution")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Role"), {"fields": ("role", "institution")}),)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Officers manage people through their role only.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in _SUPERUSER_ONLY_FIELDS]})
            for name, options in fieldsets
        ]


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "institution", "gender", "birth_date"]
    search_fields = ["name", "=id_number"]
    list_filter = ["institution"]
    raw_id_fields = ["user"]


@admin.register(TrainingBatch)
class TrainingBatchAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "track", "level", "start_date", "capacity"]
    list_filter = ["track", "institution"]


class StateLogInline(admin.TabularInline):
    model = StateLog
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "transition", "from_status", "to_status", "actor", "reason", "request_id"]

    def has_add_permission(self, request, obj=None):
        return False


class ModuleCompletionInline(admin.TabularInline):
    model = ModuleCompletion
    extra = 0
    can_delete = False
    fields = readonly_fields = ["module", "hours", "score", "recorded_by", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Read-only: every move goes through the pages, which call the lifecycle service."""

    list_display = ["trainee", "batch", "track", "status", "status_changed_at"]
    list_filter = ["status", "track"]
    search_fields = ["trainee__name", "=trainee__id_number"]
    readonly_fields = ["trainee", "batch", "track", "status", "status_changed_at", "approved_at", "created_by"]
    inlines = [ModuleCompletionInline, StateLogInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StateLog)
class StateLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "enrolment", "transition", "from_status", "to_status", "actor", "request_id"]
    list_filter = ["transition", "to_status"]
    list_select_related = ["enrolment__trainee", "enrolment__batch", "actor"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "enrolment", "subject", "field", "old_value", "new_value", "actor"]
    list_filter = ["field"]
    search_fields = ["=request_id", "=enrolment__trainee__id_number"]
    list_select_related = ["enrolment__trainee", "enrolment__batch", "module", "attempt", "actor"]


@admin.register(VettingDecision)
class VettingDecisionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "institution", "from_status", "to_status", "officer", "request_id"]
    list_filter = ["to_status"]
    list_select_related = ["institution", "officer"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ["assessor", "trainee", "kind", "declared_at"]
    raw_id_fields = ["trainee"]
