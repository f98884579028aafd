"""The officer's back office. The status is never editable here; the state log and the score and
vetting histories are read-only.

The admin is no detour around the services: an institution's vetting status and its quotas change
only through the vetting pages (certification.vetting), the name and ID of a certified trainee
only through a certificate correction, and a superuser's account only by superusers.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline

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
from .models.enrolments import EnrolmentStatus

CERTIFIED_STATUSES = [EnrolmentStatus.CERTIFIED, EnrolmentStatus.REVOKED]


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
        "validity_months",
    ]
    inlines = [ModuleInline]


class TrackQuotaInline(ReadOnlyInline):
    """Shown, never edited: vetting.set_quota keeps a quota above what is already approved."""

    model = TrackQuota
    fields = readonly_fields = ["track", "year", "quota"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "org_code", "status"]
    list_filter = ["status"]
    search_fields = ["name", "org_code"]
    # Vetting moves are dated and noted by certification.vetting; a new institution starts pending.
    readonly_fields = ["status", "vetted_at", "vetting_note"]
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

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    # Only a superuser views or changes a superuser (the password page asks has_change_permission
    # too): an officer who could set a superuser's password could log in as them.
    def has_view_permission(self, request, obj=None):
        return _may_touch(request, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _may_touch(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _may_touch(request, obj) and super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        target = User.objects.filter(pk=id).first() if str(id).isdigit() else None
        if target is not None and not _may_touch(request, target):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Officers manage people through their role only.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in _SUPERUSER_ONLY_FIELDS]})
            for name, options in fieldsets
        ]


def _may_touch(request, user: User | None) -> bool:
    return user is None or not user.is_superuser or request.user.is_superuser


# What a certificate printed: frozen once issued (a correction supersedes the certificate instead).
_CERTIFIED_IDENTITY = ["name", "id_type", "id_number"]


@admin.register(Trainee)
class TraineeAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "institution", "gender", "birth_date"]
    search_fields = ["name", "=id_number"]
    list_filter = ["institution"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.enrolments.filter(status__in=CERTIFIED_STATUSES).exists():
            readonly += _CERTIFIED_IDENTITY
        return readonly


@admin.register(TrainingBatch)
class TrainingBatchAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "track", "level", "start_date", "capacity"]
    list_filter = ["track", "institution"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.enrolments.exists():
            # What the enrolments and the quota rest on: registration.update_batch checks a change.
            readonly += ["institution", "track", "level", "start_date", "capacity"]
        return readonly


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
