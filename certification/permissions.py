"""Who may make which move on which object. Each predicate checks the role AND the object.

Views and services ask these; selectors apply the same ownership rules to querysets.
"""

from core.roles import institution_of_staff, is_assessor, is_institution_staff, is_officer, is_trainee

from .models import Enrolment, Trainee, TrainingBatch, User

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


def has_conflict_of_interest(user: User, enrolment: Enrolment) -> bool:
    """Affiliation with the candidate's institution or a declared conflict with the trainee."""
    if user.institution_id is not None and user.institution_id == enrolment.batch.institution_id:
        return True
    return user.declared_conflicts.filter(trainee_id=enrolment.trainee_id).exists()


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
        return not has_conflict_of_interest(user, enrolment)
    return False
