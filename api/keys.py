"""Institution API keys: who may make and revoke them, and the account a key acts as.

The acting user: each key gets an institution-staff account of its own (`api-key-<prefix>`, no
password, named after the key). The services the API calls check institution staff the way they
check a person, so a key is refused exactly what its institution's staff are refused; and every
record of who did something (StateLog, score history, evidence uploads, created_by) names the key
that did it. A revoked key's account is deactivated with it, so it can do nothing either way.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Institution, User
from core.errors import InvalidInput, MoveForbidden, StaleState
from core.roles import Role, institution_of_staff, is_officer

from .models import InstitutionAPIKey, KeyAccess


def keys_visible_to(user) -> QuerySet[InstitutionAPIKey]:
    """The office sees every institution's keys, a staff member their own institution's."""
    keys = InstitutionAPIKey.objects.select_related("institution", "created_by", "revoked_by")
    if is_officer(user):
        return keys
    if (institution_id := institution_of_staff(user)) is not None and not is_api_key_user(user):
        return keys.filter(institution_id=institution_id)
    return keys.none()


def is_api_key_user(user) -> bool:
    """Whether this account is an API key's (a key never manages keys)."""
    return bool(getattr(user, "pk", None)) and InstitutionAPIKey.objects.filter(service_user_id=user.pk).exists()


def _check_may_manage(user, institution_id: int) -> None:
    if is_officer(user):
        return
    if institution_of_staff(user) == institution_id and not is_api_key_user(user):
        return
    raise MoveForbidden(_("Only the institution's staff or the certification office manage its API keys."))


def create_api_key(*, actor: User, institution_id: int, name: str, access: str) -> tuple[InstitutionAPIKey, str]:
    """A new key and its secret, which is shown this once and stored only hashed."""
    _check_may_manage(actor, institution_id)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(
            _("Give the key a name, e.g. the system that will use it."), fields={"name": [_("Required.")]}
        )
    if len(name) > 50:
        raise InvalidInput(_("The name is too long (50 characters at most)."), fields={"name": [_("Too long.")]})
    if access not in KeyAccess.values:
        raise InvalidInput(_("Choose read-only or read-write access."), fields={"access": [_("Invalid choice.")]})
    with transaction.atomic():
        institution = Institution.objects.filter(pk=institution_id).first()
        if institution is None:
            raise InvalidInput(_("There is no such institution."), fields={"institution": [_("Invalid choice.")]})
        key = InstitutionAPIKey(name=name, institution=institution, access=access, created_by=actor)
        secret = InstitutionAPIKey.objects.assign_key(key)
        service_user = User(
            username=f"api-key-{key.prefix}",
            role=Role.INSTITUTION,
            institution=institution,
            first_name=name[:150],
            last_name=_("API key"),
        )
        service_user.set_unusable_password()
        service_user.save()
        key.service_user = service_user
        key.save()
    return key, secret


def revoke_api_key(*, actor: User, key_id: str) -> InstitutionAPIKey:
    """Revoke a key for good: it authenticates nothing from now on, and its account is deactivated."""
    with transaction.atomic():
        key = InstitutionAPIKey.objects.select_for_update().filter(pk=key_id).first()
        if key is None:
            raise StaleState(_("This API key no longer exists."))
        _check_may_manage(actor, key.institution_id)
        if key.revoked:
            raise StaleState(_("This API key is already revoked."))
        key.revoked, key.revoked_at, key.revoked_by = True, timezone.now(), actor
        key.save(update_fields=["revoked", "revoked_at", "revoked_by"])
        User.objects.filter(pk=key.service_user_id).update(is_active=False)
    return key
