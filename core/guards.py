"""Role guards for services: the first line of a service that only one role may call."""

from django.utils.translation import gettext as _

from .errors import MoveForbidden
from .roles import is_institution_staff, is_officer


def require_officer(user) -> None:
    if not is_officer(user):
        raise MoveForbidden(_("Only the certification office can do this."))


def require_institution_staff(user) -> None:
    if not is_institution_staff(user):
        raise MoveForbidden(_("Only institution staff can do this."))
