"""Role guards for services: the first line of a service that only one role may call."""

from django.utils.translation import gettext as _

from .errors import MoveForbidden
from .roles import institution_of_staff, is_officer


def require_officer(user) -> None:
    if not is_officer(user):
        raise MoveForbidden(_("Only the certification office can do this."))


def require_institution_staff(user) -> int:
    """The id of the institution the user works for; MoveForbidden for anyone but its staff."""
    institution_id = institution_of_staff(user)
    if institution_id is None:
        raise MoveForbidden(_("Only institution staff can do this."))
    return institution_id
