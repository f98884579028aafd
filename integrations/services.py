"""What the integrations pages and API change: employer accounts and their keys, webhook endpoints.

Typed keyword-only services that check the role first; the pages and the API only call them.
"""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from certification.models import User
from core.errors import InvalidInput, MoveForbidden
from core.guards import require_institution_staff, require_officer
from core.roles import Role, is_employer

from .models import EmployerAPIKey, EventType, WebhookEndpoint
from .webhooks import addresses, signing

MAX_KEYS_PER_EMPLOYER = 10
MAX_ENDPOINTS_PER_INSTITUTION = 10


# Employer accounts -------------------------------------------------------------------------------


def create_employer_account(*, officer: User, username: str, name: str, email: str, password: str) -> User:
    """An employer's login (its organisation's name as the account's name), with the initial
    password the office hands over."""
    require_officer(officer)
    username, name = (username or "").strip(), (name or "").strip()
    if not username or not name:
        raise InvalidInput(_("Give the login and the employer's name."))
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(_("The login “%(username)s” is already taken.") % {"username": username})
    employer = User(username=username, first_name=name[:150], email=(email or "").strip(), role=Role.EMPLOYER)
    try:
        validate_password(password, user=employer)
        employer.full_clean(exclude=["password"])
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from error
    employer.set_password(password)
    try:
        with transaction.atomic():
            employer.save()
    except IntegrityError as error:
        raise InvalidInput(_("The login “%(username)s” is already taken.") % {"username": username}) from error
    return employer


def set_employer_active(*, officer: User, employer_id: int, active: bool) -> User:
    require_officer(officer)
    employer = User.objects.filter(pk=employer_id, role=Role.EMPLOYER).first()
    if employer is None:
        raise InvalidInput(_("This employer account does not exist."))
    employer.is_active = active
    employer.save(update_fields=["is_active"])
    return employer


# Employer API keys --------------------------------------------------------------------------------


def _require_employer(user) -> None:
    if not is_employer(user):
        raise MoveForbidden(_("Only employer accounts have verification keys."))


def create_employer_key(*, employer: User, name: str) -> tuple[EmployerAPIKey, str]:
    """A new key and its secret value, which is shown this once and stored only as a hash."""
    _require_employer(employer)
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the key a name, such as the system that will use it."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=employer.pk).first()  # one count at a time
        if EmployerAPIKey.objects.filter(user=employer, revoked=False).count() >= MAX_KEYS_PER_EMPLOYER:
            raise InvalidInput(
                _("You have %(count)s keys in use: revoke one first.") % {"count": MAX_KEYS_PER_EMPLOYER}
            )
        key, secret = EmployerAPIKey.objects.create_key(user=employer, name=name[:50])
    assert isinstance(key, EmployerAPIKey)
    return key, secret


def revoke_employer_key(*, employer: User, prefix: str) -> EmployerAPIKey:
    _require_employer(employer)
    key = EmployerAPIKey.objects.filter(user=employer, prefix=prefix).first()
    if key is None:
        raise InvalidInput(_("This key does not exist."))
    if not key.revoked:
        key.revoked = True
        key.save(update_fields=["revoked"])
    return key


# Webhook endpoints --------------------------------------------------------------------------------


def register_endpoint(*, staff: User, url: str, events: Iterable[str]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the staff's institution and its signing secret, shown this once. The
    address must resolve to public addresses only (checked again at every delivery)."""
    institution_id = require_institution_staff(staff)
    chosen = sorted(set(events) & set(EventType.values))
    if not chosen:
        raise InvalidInput(_("Choose at least one event."))
    url = (url or "").strip()
    if len(url) > 300:
        raise InvalidInput(_("The address is too long (300 characters at most)."))
    addresses.resolve(url)
    with transaction.atomic():
        if (
            WebhookEndpoint.objects.select_for_update().filter(institution_id=institution_id, is_active=True).count()
            >= MAX_ENDPOINTS_PER_INSTITUTION
        ):
            raise InvalidInput(
                _("Your institution has %(count)s active endpoints: switch one off first.")
                % {"count": MAX_ENDPOINTS_PER_INSTITUTION}
            )
        secret = signing.new_secret()
        endpoint = WebhookEndpoint.objects.create(
            institution_id=institution_id, url=url, events=chosen, secret=secret, created_by=staff
        )
    return endpoint, secret


def set_endpoint_active(*, staff: User, endpoint_id: int, active: bool) -> WebhookEndpoint:
    """Switch an endpoint of the staff's own institution off (nothing more is sent to it) or on."""
    institution_id = require_institution_staff(staff)
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.select_for_update().filter(pk=endpoint_id, institution_id=institution_id).first()
        )
        if endpoint is None:
            raise InvalidInput(_("This endpoint does not exist."))
        if active and not endpoint.is_active:
            addresses.resolve(endpoint.url)
        endpoint.is_active = active
        endpoint.save(update_fields=["is_active"])
    return endpoint
