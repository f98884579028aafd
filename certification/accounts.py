"""Trainee accounts and activation slips (docs/spec.md §6): login = ID number, one account per person."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.errors import InvalidInput, MoveForbidden, RuleNotMet

from . import permissions
from .models import ActivationCode, Role, Trainee, User

# No 0/O, 1/I/L: the code is typed from paper.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
# A deactivated account stays so: a slip neither reactivates it nor is printed for it.
_DEACTIVATED = _lazy(
    "This account is deactivated: the certification office must reactivate it before it can be activated."
)


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def ensure_trainee_account(*, trainee: Trainee) -> User:
    """The trainee's account, created on first approval; a second track reuses it."""
    if trainee.user is not None:
        return trainee.user
    user = User.objects.filter(username=trainee.id_number).first()
    if user is None:
        user = User(username=trainee.id_number, role=Role.TRAINEE, first_name=trainee.name)
        user.set_unusable_password()
        user.save()
    elif user.role != Role.TRAINEE or Trainee.objects.filter(user=user).exists():
        # Someone else's login: the same number under another ID type, or a staff login that
        # happens to look like an ID number. Never hand one person's account to another.
        raise RuleNotMet(
            _("The login %(login)s is already someone else's account; the certification office must resolve it.")
            % {"login": trainee.masked_id_number}
        )
    trainee.user = user
    trainee.save(update_fields=["user"])
    return user


def issue_activation_code(*, staff: User, trainee_id: int) -> str:
    """A fresh one-time code for the slip; earlier unused codes of the trainee stop working."""
    trainee = Trainee.objects.select_related("user").filter(pk=trainee_id).first()
    if trainee is None or not permissions.can_manage_trainee(staff, trainee):
        raise MoveForbidden(_("This trainee is not registered by your institution."))
    if trainee.user is None:
        raise InvalidInput(_("The trainee gets an account when an enrolment is approved."))
    if not trainee.user.is_active:
        raise RuleNotMet(str(_DEACTIVATED))
    code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    with transaction.atomic():
        ActivationCode.objects.filter(user=trainee.user, used_at__isnull=True).update(used_at=timezone.now())
        ActivationCode.objects.create(
            user=trainee.user,
            code_hash=_hash(code),
            expires_at=timezone.now() + timedelta(days=settings.ACTIVATION_CODE_DAYS),
            created_by=staff,
        )
    return code


def activate_account(*, id_number: str, code: str, password: str) -> User:
    """Set the password from a valid slip code; the code is used up. Same message for every failure."""
    from .identity import normalise_id_number

    failure = InvalidInput(
        _("The ID number or the activation code is not valid (codes expire after %(days)s days).")
        % {"days": settings.ACTIVATION_CODE_DAYS}
    )
    user = User.objects.filter(username=normalise_id_number(id_number), role=Role.TRAINEE).first()
    if user is None:
        raise failure
    wanted = _hash(normalise_id_number(code))
    with transaction.atomic():
        candidate = (
            ActivationCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if candidate is None or not hmac.compare_digest(candidate.code_hash, wanted):
            raise failure
        # Said only to the holder of a valid code: to anyone else it is the same failure as above.
        if not user.is_active:
            raise RuleNotMet(str(_DEACTIVATED))
        try:
            # Checked here too, not only by the page's form: every caller gets the same rules.
            validate_password(password, user)
        except ValidationError as error:
            raise InvalidInput(" ".join(error.messages)) from error
        candidate.used_at = timezone.now()
        candidate.save(update_fields=["used_at"])
        user.set_password(password)
        user.save()
    return user
