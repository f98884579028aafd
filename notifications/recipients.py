"""Who hears of an event (docs/spec.md §13): the people, as queries."""

from django.db.models import QuerySet

from certification import permissions
from certification.models import Enrolment, User
from core.roles import Role


def institution_staff(institution_id: int) -> QuerySet[User]:
    return User.objects.filter(role=Role.INSTITUTION, institution_id=institution_id, is_active=True)


def office() -> QuerySet[User]:
    return User.objects.filter(role=Role.OFFICER, is_active=True)


def assessors_free_for(enrolment: Enrolment) -> QuerySet[User]:
    """Assessors who may take this candidate's review (no conflict of interest)."""
    return User.objects.filter(role=Role.ASSESSOR, is_active=True).exclude(
        pk__in=User.objects.filter(permissions.conflicted_assessors(enrolment)).values("pk")
    )


def trainee_of(enrolment: Enrolment) -> QuerySet[User]:
    """The trainee's account, when it has an e-mail address (only then do they hear of anything)."""
    if enrolment.trainee.user_id is None:
        return User.objects.none()
    return User.objects.filter(pk=enrolment.trainee.user_id, is_active=True).exclude(email="")
