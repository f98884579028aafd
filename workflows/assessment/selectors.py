"""What each user may see of the assessment: queues, inboxes, one task (scoped by conflict of interest)."""

from django.db.models import Count, Q, QuerySet
from viewflow.workflow.models import Task

from certification import permissions
from certification.models import EnrolmentStatus, EvidenceKind, User
from workflows.flows import AssessmentFlow

from .services import OPEN_TASK_STATUSES

_ENROLMENT = "process__assessmentprocess__enrolment"
_ATTEMPT = "process__assessmentprocess__attempt"


def _review_tasks() -> QuerySet[Task]:
    return (
        Task.objects.filter(
            flow_task__in=[AssessmentFlow.review, AssessmentFlow.second_review],
            status__in=OPEN_TASK_STATUSES,
            **{f"{_ENROLMENT}__status": EnrolmentStatus.UNDER_REVIEW},
        )
        .select_related(
            "owner",
            f"{_ENROLMENT}__trainee",
            f"{_ENROLMENT}__batch__institution",
            f"{_ENROLMENT}__track",
            _ATTEMPT,
        )
        .annotate(
            model_3d_files=Count(
                f"{_ATTEMPT}__evidence_files", filter=Q(**{f"{_ATTEMPT}__evidence_files__kind": EvidenceKind.MODEL_3D})
            )
        )
        .order_by("created", "pk")
    )


def _without_conflicts(tasks: QuerySet[Task], assessor: User) -> QuerySet[Task]:
    """Never a candidate of the assessor's own institution, a declared conflict, own results or own sign-off."""
    if assessor.institution_id:
        tasks = tasks.exclude(**{f"{_ENROLMENT}__batch__institution_id": assessor.institution_id})
    return (
        tasks.exclude(**{f"{_ENROLMENT}__trainee__declared_conflicts__assessor": assessor})
        .exclude(**{f"{_ATTEMPT}__submitted_by": assessor})
        .exclude(
            Q(flow_task=AssessmentFlow.second_review)
            & Q(process__task__flow_task=AssessmentFlow.review, process__task__owner=assessor)
        )
    )


def review_queue_for(user: User) -> QuerySet[Task]:
    """Unclaimed review tasks the user may take (officers see every open one)."""
    if permissions.is_officer(user):
        return _review_tasks()
    if not permissions.is_assessor(user):
        return Task.objects.none()
    return _without_conflicts(_review_tasks().filter(owner__isnull=True), user)


def inbox_for(user: User) -> QuerySet[Task]:
    """Review tasks the assessor has claimed or been assigned."""
    if not permissions.is_assessor(user):
        return Task.objects.none()
    return _without_conflicts(_review_tasks().filter(owner=user), user)


def task_visible_to(user: User, task_id: int) -> Task | None:
    """The open review task if the user may open it: officers, its owner, or an eligible assessor."""
    tasks = _review_tasks()
    if permissions.is_assessor(user):
        tasks = _without_conflicts(tasks.filter(Q(owner__isnull=True) | Q(owner=user)), user)
    elif not permissions.is_officer(user):
        return None
    return tasks.filter(pk=task_id).first()


def is_clean(task: Task) -> bool:
    """Scores at or above both pass marks and the required evidence present: safe to approve in bulk."""
    process = task.process.assessmentprocess
    attempt, track = process.attempt, process.enrolment.track
    if attempt.theory_score is None or attempt.practical_score is None:
        return False
    if attempt.theory_score < track.pass_mark_theory or attempt.practical_score < track.pass_mark_practical:
        return False
    return not track.requires_3d_evidence or task.model_3d_files > 0


def eligible_assessors(task: Task) -> list[User]:
    """Assessors an officer may assign this task to."""
    from .services import review_refusal

    process = task.process.assessmentprocess
    candidates = (
        User.objects.filter(role="assessor", is_active=True)
        .exclude(institution_id=process.enrolment.batch.institution_id)
        .exclude(declared_conflicts__trainee_id=process.enrolment.trainee_id)
        .order_by("username")
    )
    return [a for a in candidates if not review_refusal(a, task, process, ignore_owner=True)]
