"""Conflicts of interest an assessor declares for named trainees (docs/spec.md §5).

An assessor declares a conflict from a candidate's review page, or by the trainee's full name and ID
number (both must match, as in the public query by name and ID); a declared trainee leaves their
queue and inbox at once (workflows.assessment.selectors). They may withdraw their own declarations.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from certification import permissions
from certification.identity import normalise_id_number
from certification.models import ConflictDeclaration, ConflictKind, Trainee, User
from core.errors import InvalidInput, MoveForbidden
from workflows.assessment.selectors import OPEN_TASK_STATUSES
from workflows.flows import AssessmentFlow

logger = logging.getLogger(__name__)


def declarations_of(assessor: User):
    return (
        ConflictDeclaration.objects.filter(assessor=assessor).select_related("trainee").order_by("-declared_at", "-pk")
    )


def trainee_named(*, name: str, id_number: str) -> Trainee | None:
    """The trainee with exactly this full name and ID number, or None."""
    return Trainee.objects.filter(name=name.strip(), id_number=normalise_id_number(id_number)).first()


def declare_conflict(*, assessor: User, trainee_id: int, kind: str, note: str = "") -> ConflictDeclaration:
    """Record the conflict and hand back to the queue any review task of this trainee the assessor holds."""
    if not permissions.is_assessor(assessor):
        raise MoveForbidden(_("Only assessors declare conflicts of interest."))
    if kind not in ConflictKind.values:
        raise InvalidInput(_("Choose the kind of conflict."))
    with transaction.atomic():
        trainee = Trainee.objects.filter(pk=trainee_id).first()
        if trainee is None:
            raise InvalidInput(_("No such trainee."))
        try:
            with transaction.atomic():
                declaration = ConflictDeclaration.objects.create(
                    assessor=assessor, trainee=trainee, kind=kind, note=note.strip()[:255]
                )
        except IntegrityError:
            raise InvalidInput(_("You have already declared a conflict with this trainee.")) from None
        held = Task.objects.select_for_update().filter(
            owner=assessor,
            status__in=OPEN_TASK_STATUSES,
            flow_task__in=[AssessmentFlow.review, AssessmentFlow.second_review],
            process__assessmentprocess__enrolment__trainee=trainee,
        )
        for task in held:
            task.flow_task.activation_class(task).unassign()
    logger.info("conflict declared", extra={"assessor": assessor.pk, "trainee": trainee.pk, "kind": kind})
    return declaration


def withdraw_conflict(*, assessor: User, declaration_id: int) -> None:
    """Withdraw one of the assessor's own declarations (another's is not found)."""
    with transaction.atomic():
        declaration = (
            ConflictDeclaration.objects.select_for_update().filter(pk=declaration_id, assessor=assessor).first()
        )
        if declaration is None:
            raise InvalidInput(_("This declaration no longer exists."))
        trainee_id = declaration.trainee_id
        declaration.delete()
    logger.info("conflict withdrawn", extra={"assessor": assessor.pk, "trainee": trainee_id})
