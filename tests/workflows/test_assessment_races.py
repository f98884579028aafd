"""Two assessors decide the same review task at the same moment (docs/spec.md §5): the flow's lock
(select_for_update on the process row) lets exactly one decision through.

PostgreSQL only: SQLite has no row locks. Each thread has its own connection, so these tests run
outside the usual rolled-back test transaction.

viewflow's SelectForUpdateLock with nowait=True (its default, `lock.select_for_update_lock`) catches
the failed `FOR UPDATE NOWAIT` inside its own atomic block, so on PostgreSQL the loser gets
"current transaction is aborted" (a 500) instead of StaleState (a 409). The flow needs
`lock_impl = lock.SelectForUpdateLock(nowait=False)`: the loser waits for the winner's commit, then
finds the task done. Until it has that, these tests are expected to fail.
"""

import pytest
from django.db import connection
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification.models import AttemptOutcome, Enrolment, EnrolmentStatus, StateLog, Track
from core.errors import MoveForbidden, StaleState
from workflows.assessment import services as assessment
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess

from .. import factories
from ..certification.test_race_conditions import race, winners_and_losers

pytestmark = [
    pytest.mark.postgres,
    # The flush after each test would wipe the catalogue the migrations seeded: restore it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def under_review(staff, officer, count=1, track_code="CR"):
    return [
        factories.advance(factories.draft_enrolment(staff, track_code), staff=staff, officer=officer, to="under_review")
        for _ in range(count)
    ]


def tasks_of(enrolment):
    return Task.objects.filter(process__assessmentprocess__enrolment=enrolment)


def assert_decided_once(enrolment, *, by):
    """One pass in the log, one finished review, no task of the flow twice."""
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PASSED
    assert StateLog.objects.filter(enrolment=enrolment, transition="pass").count() == 1
    assert StateLog.objects.get(enrolment=enrolment, transition="pass").actor == by
    reviews = tasks_of(enrolment).filter(flow_task=AssessmentFlow.review)
    assert [(task.status, task.owner_id) for task in reviews] == [(STATUS.DONE, by.pk)]
    names = [str(task.flow_task) for task in tasks_of(enrolment)]
    assert len(names) == len(set(names)), f"a task of the flow came twice: {names}"
    assert AssessmentProcess.objects.get(enrolment=enrolment).status == STATUS.DONE
    attempt = enrolment.current_attempt
    assert (attempt.outcome, attempt.reviewed_by) == (AttemptOutcome.PASSED, by)


def test_two_assessors_passing_the_same_task_at_once_record_exactly_one_decision(
    inst1_staff, officer, assessor, assessor2
):
    enrolment = under_review(inst1_staff, officer)[0]
    task = factories.open_review_task(enrolment)

    outcomes = race(
        lambda: assessment.decide(assessor=assessor, task_id=task.pk, decision="pass"),
        lambda: assessment.decide(assessor=assessor2, task_id=task.pk, decision="pass"),
    )

    wins, losses = winners_and_losers(outcomes)
    assert wins == 1
    assert len(losses) == 1 and isinstance(losses[0], (StaleState, MoveForbidden))
    winner = assessor if not isinstance(outcomes[0], Exception) else assessor2
    assert_decided_once(enrolment, by=winner)


def test_a_pass_racing_a_fail_leaves_one_outcome_and_one_log_row(inst1_staff, officer, assessor, assessor2):
    enrolment = under_review(inst1_staff, officer)[0]
    task = factories.open_review_task(enrolment)

    outcomes = race(
        lambda: assessment.decide(assessor=assessor, task_id=task.pk, decision="pass"),
        lambda: assessment.decide(assessor=assessor2, task_id=task.pk, decision="fail", reason="理论成绩存疑"),
    )

    wins, _losses = winners_and_losers(outcomes)
    assert wins == 1
    enrolment.refresh_from_db()
    decisions = StateLog.objects.filter(enrolment=enrolment, transition__in=["pass", "fail"])
    assert decisions.count() == 1
    expected = {"pass": EnrolmentStatus.PASSED, "fail": EnrolmentStatus.FAILED}[decisions.get().transition]
    assert enrolment.status == expected
    assert tasks_of(enrolment).filter(flow_task=AssessmentFlow.review, status=STATUS.DONE).count() == 1
    assert not tasks_of(enrolment).exclude(status=STATUS.DONE).exists()


def test_a_first_sign_off_raced_by_two_assessors_opens_one_second_review(inst1_staff, officer, assessor, assessor2):
    Track.objects.filter(code="CR").update(reviewers_required=2)
    enrolment = under_review(inst1_staff, officer)[0]
    task = factories.open_review_task(enrolment)

    outcomes = race(
        lambda: assessment.decide(assessor=assessor, task_id=task.pk, decision="pass"),
        lambda: assessment.decide(assessor=assessor2, task_id=task.pk, decision="pass"),
    )

    wins, _losses = winners_and_losers(outcomes)
    assert wins == 1
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.UNDER_REVIEW  # the second sign-off is still to come
    assert not StateLog.objects.filter(enrolment=enrolment, transition="pass").exists()
    second = tasks_of(enrolment).filter(flow_task=AssessmentFlow.second_review)
    assert [task.status for task in second] == [STATUS.NEW]
    winner = assessor if not isinstance(outcomes[0], Exception) else assessor2
    assert AssessmentProcess.objects.get(enrolment=enrolment).data["sign_offs"] == [winner.pk]


def test_two_overlapping_bulk_approvals_let_one_through_whole_and_the_other_not_at_all(
    inst1_staff, officer, assessor, assessor2
):
    only_a, only_b, both = under_review(inst1_staff, officer, count=3)
    task_of = {enrolment.pk: factories.open_review_task(enrolment).pk for enrolment in (only_a, only_b, both)}
    # Each assessor approves one task of their own and the shared one; the shared one has the highest
    # id, so each bulk approval has passed its own candidate before it reaches the shared one.
    assert task_of[both.pk] == max(task_of.values())

    outcomes = race(
        lambda: assessment.approve_many(assessor=assessor, task_ids=[task_of[only_a.pk], task_of[both.pk]]),
        lambda: assessment.approve_many(assessor=assessor2, task_ids=[task_of[only_b.pk], task_of[both.pk]]),
    )

    wins, losses = winners_and_losers(outcomes)
    assert wins == 1
    assert len(losses) == 1 and isinstance(losses[0], (StaleState, MoveForbidden))
    a_won = not isinstance(outcomes[0], Exception)
    winner, winners_own, losers_own = (assessor, only_a, only_b) if a_won else (assessor2, only_b, only_a)
    assert_decided_once(winners_own, by=winner)
    assert_decided_once(both, by=winner)
    # All or nothing: the loser's own candidate, passed before the shared one failed, is rolled back.
    losers_own.refresh_from_db()
    assert losers_own.status == EnrolmentStatus.UNDER_REVIEW
    assert not StateLog.objects.filter(enrolment=losers_own, transition="pass").exists()
    assert [task.status for task in tasks_of(losers_own).filter(flow_task=AssessmentFlow.review)] == [STATUS.NEW]
    assert StateLog.objects.filter(transition="pass").count() == 2
    assert Enrolment.objects.filter(status=EnrolmentStatus.PASSED).count() == 2
