"""What each user may see of the assessment: queues, inboxes, one task (scoped by conflict of interest)."""

from django.db.models import Count, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification import permissions, rules
from certification.models import EnrolmentStatus, EvidenceKind, User
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED)
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
    return (
        tasks.exclude(permissions.conflicted_enrolments(assessor, path=_ENROLMENT))
        .exclude(**{f"{_ATTEMPT}__submitted_by": assessor})
        .exclude(Q(flow_task=AssessmentFlow.second_review) & Q(process__in=reviewed_processes(assessor)))
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
    """Scores at or above both pass marks and the required evidence present: safe to approve in bulk
    (the same rules the lifecycle's `pass` and `submit_results` moves check)."""
    process = task.process.assessmentprocess
    attempt, enrolment = process.attempt, process.enrolment
    return not rules.fail_reason_of_scores(enrolment, attempt) and not rules.missing_3d_evidence(
        enrolment.track, model_3d_files=task.model_3d_files
    )


def eligible_assessors(task: Task) -> list[User]:
    """Assessors an officer may assign this task to."""
    from .services import review_refusal

    process = task.process.assessmentprocess
    candidates = (
        User.objects.filter(role="assessor", is_active=True)
        .exclude(permissions.conflicted_assessors(process.enrolment))
        .order_by("username")
    )
    return [a for a in candidates if not review_refusal(a, task, process, ignore_owner=True)]


def reviewed_processes(assessor: User) -> QuerySet[AssessmentProcess]:
    """The assessment processes in which this assessor worked a review task (whatever they decided):
    they never do the second review of those (docs/spec.md §5, "never their own second review")."""
    return AssessmentProcess.objects.filter(task__flow_task=AssessmentFlow.review, task__owner=assessor)
