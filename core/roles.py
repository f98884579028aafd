"""The five roles a user can hold (docs/spec.md §1), and the role predicates every layer asks.

Role only: whether a user may act on a particular object is certification.permissions' question.
"""

from typing import TypeGuard, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("certification officer")
    ASSESSOR = "assessor", _("assessor")
    INSTITUTION = "institution", _("institution staff")
    TRAINEE = "trainee", _("trainee")
    # An employer checks certificates in bulk (docs/spec.md §11); it sees nothing else.
    EMPLOYER = "employer", _("employer")


# Whatever user model (or AnonymousUser) is asked about: a predicate that holds tells the type
# checker the user is not None, so callers read `user.pk` without checking again.
U = TypeVar("U")


def has_role(user, role: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", "") == role)


def is_officer(user: U | None) -> TypeGuard[U]:
    return has_role(user, Role.OFFICER)


def is_assessor(user: U | None) -> TypeGuard[U]:
    return has_role(user, Role.ASSESSOR)


def institution_of_staff(user) -> int | None:
    """The institution an institution-staff user works for; None for anyone else."""
    return user.institution_id if has_role(user, Role.INSTITUTION) else None


def is_institution_staff(user: U | None) -> TypeGuard[U]:
    return institution_of_staff(user) is not None


def is_trainee(user: U | None) -> TypeGuard[U]:
    return has_role(user, Role.TRAINEE)


def is_employer(user: U | None) -> TypeGuard[U]:
    return has_role(user, Role.EMPLOYER)
