"""Assessment writes (docs/spec.md §5): submit results, claim / release / assign review tasks, decide.

Each decision completes its viewflow task and makes the matching lifecycle move of the enrolment
in one transaction, under the flow's lock (select_for_update on the process row). Nothing here
writes a status itself: the lifecycle moves go through certification.services.
"""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification import effects, permissions, rules, services
from certification.models import Enrolment, EnrolmentStatus, User
from core.errors import InvalidInput, MoveForbidden, RuleNotMet, StaleState
from notifications import events as notifications
from workflows.assessment import selectors
from workflows.assessment.selectors import OPEN_TASK_STATUSES
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess, Decision

REVIEW_TASKS = ("review", "second_review")
DECISION_MOVES = {Decision.PASS: "pass", Decision.FAIL: "fail", Decision.RETURN: "return_for_correction"}


def _open_task(process: AssessmentProcess, node_name: str) -> Task | None:
    node = getattr(AssessmentFlow, node_name)
    return Task.objects.filter(process_id=process.pk, flow_task=node, status__in=OPEN_TASK_STATUSES).first()


def _complete(task: Task, user: User) -> None:
    """Run a human task to its end as `user` (the caller holds the flow lock)."""
    activation = task.flow_task.activation_class(task)
    if task.status == STATUS.NEW:
        activation.assign(user)
    activation.start(None)
    activation.execute()


# What the lifecycle's moves do here (registered in certification.effects) ---------------------


@effects.of("submit_results")
def start_or_resume_review(move: effects.Move) -> None:
    """Results submitted: start the attempt's process, or after a return for correction complete the
    institution's correction task so that review starts again."""
    attempt = move.enrolment.current_attempt
    process = AssessmentProcess.objects.filter(attempt=attempt).first()
    if process is None:
        AssessmentFlow.start.run(attempt=attempt)
        return
    with AssessmentFlow.lock(process.pk):
        correction = _open_task(process, "correction")
        in_review = correction is None and any(_open_task(process, name) for name in REVIEW_TASKS)
        if correction is None and not in_review:
            raise StaleState(_("This attempt is already in review."))
        process.data = {**process.data, "decision": "", "sign_offs": []}
        process.save(update_fields=["data"])
        if correction is not None:
            assert move.actor is not None  # results are submitted by institution staff
            _complete(correction, move.actor)
        # else the case was returned by a move made outside the flow: its review task is still open.


@effects.of("pass", "fail", "withdraw")
def cancel_open_tasks(move: effects.Move) -> None:
    """The case is decided or withdrawn: no assessment task of it stays open, whichever path made the move."""
    for process in AssessmentProcess.objects.filter(enrolment=move.enrolment):
        with AssessmentFlow.lock(process.pk):
            for task in Task.objects.filter(process_id=process.pk, status__in=OPEN_TASK_STATUSES):
                task.flow_task.activation_class(task).cancel()


# Who may work which task ----------------------------------------------------------------------


def process_of(task: Task) -> AssessmentProcess:
    return AssessmentProcess.objects.select_related("enrolment__batch", "enrolment__track", "attempt").get(
        pk=task.process_id
    )


def review_refusal(
    user: User, task: Task, process: AssessmentProcess | None = None, *, ignore_owner: bool = False
) -> str:
    """Why `user` may not review this task; empty when they may (`ignore_owner`: as if unclaimed)."""
    process = process or process_of(task)
    if not permissions.is_assessor(user):
        return _("Only assessors review candidates.")
    if task.flow_task.name not in REVIEW_TASKS:
        return _("This is not a review task.")
    if permissions.has_conflict_of_interest(user, process.enrolment):
        return _("You have a conflict of interest with this candidate.")
    if process.attempt.submitted_by_id == user.pk:
        return _("You submitted these results: someone else reviews them.")
    if task.flow_task.name == "second_review" and selectors.reviewed_processes(user).filter(pk=process.pk).exists():
        return _("You reviewed this attempt: the second review is someone else's.")
    if not ignore_owner and task.owner_id not in (None, user.pk):
        return _("Another assessor has claimed this task.")
    return ""


@contextmanager
def _open_task_locked(task_id: int):
    """The task re-read under the flow's lock in a transaction; StaleState when it is finished."""
    found = Task.objects.filter(pk=task_id).values_list("process_id", flat=True).first()
    if found is None:
        raise StaleState(_("This task no longer exists."))
    try:
        with transaction.atomic(), AssessmentFlow.lock(found):
            task = Task.objects.get(pk=task_id)
            if task.status not in OPEN_TASK_STATUSES:
                raise StaleState(_("Someone else finished this task first."))
            yield task
    except FlowLockFailed:
        raise StaleState(_("Another assessor is working on this candidate right now; try again.")) from None


def claim_task(*, assessor: User, task_id: int) -> Task:
    with _open_task_locked(task_id) as task:
        if task.owner_id == assessor.pk:
            return task
        refusal = review_refusal(assessor, task)
        if refusal:
            raise MoveForbidden(refusal)
        task.flow_task.activation_class(task).assign(assessor)
        return task


def release_task(*, user: User, task_id: int) -> Task:
    with _open_task_locked(task_id) as task:
        if task.owner_id is None:
            return task
        if task.owner_id != user.pk and not permissions.is_officer(user):
            raise MoveForbidden(_("Only the assessor who claimed the task or an officer can release it."))
        task.flow_task.activation_class(task).unassign()
        return task


def assign_task(*, officer: User, task_id: int, assessor_id: int) -> Task:
    """The officer hands a review task to a named assessor (who must be free of conflicts)."""
    if not permissions.is_officer(officer):
        raise MoveForbidden(_("Only officers assign tasks."))
    assessor = User.objects.filter(pk=assessor_id, is_active=True).first()
    if assessor is None or not permissions.is_assessor(assessor):
        raise InvalidInput(_("Choose an active assessor."))
    with _open_task_locked(task_id) as task:
        activation = task.flow_task.activation_class(task)
        if task.owner_id is not None:
            activation.unassign()
        refusal = review_refusal(assessor, task)
        if refusal:
            raise MoveForbidden(refusal)
        activation.assign(assessor)
        notifications.task_assigned(
            task_id=task.pk, assessor=assessor, enrolment=process_of(task).enrolment, officer=officer
        )
        return task


def assign_tasks(*, officer: User, task_ids: Iterable[int], assessor_id: int) -> list[Task]:
    """Hand many review tasks to one assessor, all or nothing: one refusal (a conflict of interest,
    the assessor's own results, a finished task) leaves every task as it was, and says whose."""
    ids = sorted(set(task_ids))
    if not ids:
        raise InvalidInput(_("Select at least one."))
    with transaction.atomic():
        assigned = []
        for task_id in ids:
            try:
                assigned.append(assign_task(officer=officer, task_id=task_id, assessor_id=assessor_id))
            except (MoveForbidden, StaleState) as error:
                name = (
                    AssessmentProcess.objects.filter(task__pk=task_id)
                    .values_list("enrolment__trainee__name", flat=True)
                    .first()
                )
                raise type(error)(
                    _("%(name)s: %(reason)s Nothing was assigned.") % {"name": name or "—", "reason": error.message}
                ) from None
        return assigned


# Decisions ------------------------------------------------------------------------------------


def decide(*, assessor: User, task_id: int, decision: str, reason: str = "") -> Enrolment:
    """Pass, fail (reason required) or return for correction (reason required)."""
    if decision not in DECISION_MOVES:
        raise InvalidInput(_("Unknown decision."))
    reason = (reason or "").strip()
    if decision != Decision.PASS and not reason:
        raise InvalidInput(_("Please give a reason."))
    with _open_task_locked(task_id) as task:
        process = process_of(task)
        refusal = review_refusal(assessor, task, process)
        if refusal:
            raise MoveForbidden(refusal)
        sign_offs = list(process.data.get("sign_offs", []))
        if decision == Decision.PASS:
            sign_offs.append(assessor.pk)
        process.data = {**process.data, "decision": decision, "sign_offs": sign_offs}
        process.save(update_fields=["data"])

        enrolment = process.enrolment
        needs_more = decision == Decision.PASS and len(sign_offs) < enrolment.track.reviewers_required
        if needs_more:
            # First of two sign-offs: check the pass rule now, move the enrolment at the second.
            reason_not = rules.fail_reason_of_scores(enrolment, process.attempt)
            if reason_not:
                raise RuleNotMet(reason_not)
            _complete(task, assessor)
            notifications.second_review_needed(process_id=process.pk, enrolment=enrolment, first_assessor=assessor)
            return enrolment
        # The task is completed first, so that the move's effects find no task of this review open.
        _complete(task, assessor)
        # The move also records the outcome on the attempt (its transition body in lifecycle.py).
        return services.decide_review(
            assessor=assessor, enrolment_id=enrolment.pk, decision=DECISION_MOVES[Decision(decision)], reason=reason
        )


def approve_many(*, assessor: User, task_ids: Iterable[int]) -> list[Enrolment]:
    """Pass every selected candidate, all or nothing: one refusal leaves every task as it was."""
    ids = sorted(set(task_ids))
    if not ids:
        raise InvalidInput(_("Select at least one candidate."))
    with transaction.atomic():
        return [decide(assessor=assessor, task_id=task_id, decision=Decision.PASS) for task_id in ids]


def open_review_tasks():
    """Open review tasks of candidates still under review (for queues and the inbox)."""
    return Task.objects.filter(
        flow_task__in=[AssessmentFlow.review, AssessmentFlow.second_review],
        status__in=OPEN_TASK_STATUSES,
        process__assessmentprocess__enrolment__status=EnrolmentStatus.UNDER_REVIEW,
    )
