"""Who may call which endpoint, by role. Which object they may touch is the selectors' and the
services' question, as for the pages: another institution's object is simply not found (404)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from core.roles import is_institution_staff, is_officer

from .models import InstitutionAPIKey


def _key_allows(request) -> bool:
    """A read-only key reads; only a read-write key writes."""
    key = request.auth
    if isinstance(key, InstitutionAPIKey):
        return request.method in permissions.SAFE_METHODS or key.can_write
    return True


class StaffOrOfficer(permissions.BasePermission):
    """Institution staff (or their institution's API key) and the office."""

    message = _("Only institution staff and the certification office can use this.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated) and (is_officer(user) or is_institution_staff(user))


class OfficerOnly(permissions.BasePermission):
    message = _("Only the certification office can use this.")

    def has_permission(self, request, view):
        return is_officer(request.user)


class KeyAccessAllows(permissions.BasePermission):
    message = _("This API key is read-only: it cannot change anything.")

    def has_permission(self, request, view):
        return _key_allows(request)
