"""The four roles a user can hold (SPEC §1), and the role predicates every layer asks.

Role only: whether a user may act on a particular object is certification.permissions' question.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("certification officer")
    ASSESSOR = "assessor", _("assessor")
    INSTITUTION = "institution", _("institution staff")
    TRAINEE = "trainee", _("trainee")


def has_role(user, role: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", "") == role)


def is_officer(user) -> bool:
    return has_role(user, Role.OFFICER)


def is_assessor(user) -> bool:
    return has_role(user, Role.ASSESSOR)


def is_institution_staff(user) -> bool:
    return has_role(user, Role.INSTITUTION) and user.institution_id is not None


def is_trainee(user) -> bool:
    return has_role(user, Role.TRAINEE)
