"""Who may make which move on which object. Each predicate checks the role AND the object.

Views and services ask these; selectors apply the same ownership rules to querysets.
"""

from django.db.models import Q

from core.roles import institution_of_staff, is_assessor, is_institution_staff, is_officer, is_trainee

from .models import Enrolment, EnrolmentStatus, Trainee, TrainingBatch, User

__all__ = ["institution_of_staff", "is_assessor", "is_institution_staff", "is_officer", "is_trainee"]


def works_for(user: User | None, institution_id: int) -> bool:
    return is_institution_staff(user) and user.institution_id == institution_id


def can_manage_trainee(user: User | None, trainee: Trainee) -> bool:
    return works_for(user, trainee.institution_id)


def can_manage_batch(user: User | None, batch: TrainingBatch) -> bool:
    return works_for(user, batch.institution_id)


def can_manage_enrolment(user: User | None, enrolment: Enrolment) -> bool:
    """Institution staff act only on their own institution's enrolments."""
    return works_for(user, enrolment.batch.institution_id)


# Conflict of interest (docs/spec.md §5): an assessor never assesses a candidate of an institution they are
# affiliated with, nor a trainee they declared a conflict with. The rule is written once, from both
# sides, for the database: which enrolments an assessor is conflicted with, and which assessors an
# enrolment's candidate is conflicted with. tests/certification/test_conflicts_of_interest.py holds
# the two sides and `has_conflict_of_interest` equal over a matrix of assessors and candidates.


def conflicted_enrolments(assessor: User, *, path: str = "") -> Q:
    """Enrolments (reached through `path`, e.g. "process__assessmentprocess__enrolment") the assessor
    may never assess."""
    prefix = f"{path}__" if path else ""
    conflicted = Q(**{f"{prefix}trainee__declared_conflicts__assessor": assessor})
    if assessor.institution_id is not None:
        conflicted |= Q(**{f"{prefix}batch__institution_id": assessor.institution_id})
    return conflicted


def conflicted_assessors(enrolment: Enrolment) -> Q:
    """Users who may never assess this enrolment's candidate."""
    return Q(institution_id=enrolment.batch.institution_id) | Q(declared_conflicts__trainee_id=enrolment.trainee_id)


def has_conflict_of_interest(user: User, enrolment: Enrolment) -> bool:
    return User.objects.filter(pk=user.pk).filter(conflicted_assessors(enrolment)).exists()


def can_assess(user: User | None, enrolment: Enrolment) -> bool:
    """An assessor with no conflict who did not submit the result under review."""
    if not is_assessor(user) or has_conflict_of_interest(user, enrolment):
        return False
    attempt = enrolment.current_attempt
    return attempt is None or attempt.submitted_by_id != user.pk


def can_withdraw(user: User | None, enrolment: Enrolment) -> bool:
    return is_officer(user) or can_manage_enrolment(user, enrolment)


def can_view_enrolment(user: User | None, enrolment: Enrolment) -> bool:
    if is_officer(user) or can_manage_enrolment(user, enrolment):
        return True
    if is_trainee(user):
        return enrolment.trainee.user_id == user.pk
    if is_assessor(user):
        return enrolment.status in ASSESSOR_VISIBLE_STATUSES and not has_conflict_of_interest(user, enrolment)
    return False


# The candidates an assessor may see: those in assessment (never one they are conflicted with).
ASSESSOR_VISIBLE_STATUSES = (EnrolmentStatus.UNDER_REVIEW, EnrolmentStatus.PASSED, EnrolmentStatus.FAILED)
