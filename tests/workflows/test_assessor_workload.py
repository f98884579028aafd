"""The assessors' workload figure (workflows.statistics), counted from the open tasks and the
decided reviews kept in DecidedReview (workflows.decided_reviews), always equals what the tasks
themselves say: counted here, independently, task by task, with no filter and with each filter
and period, as reviews are claimed, decided, returned, signed off twice and failed."""

from datetime import timedelta

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification import services
from certification import statistics as figures_of
from certification.models import Track
from workflows import decided_reviews
from workflows import statistics as workflow_statistics
from workflows.assessment import services as assessment
from workflows.models import AssessmentProcess, DecidedReview, DecidedReviewsUpTo

from .. import factories

OPEN = ("NEW", "ASSIGNED", "STARTED")
REVIEWS = ("review", "second_review")


def in_scope(enrolment, scope: figures_of.Scope) -> bool:
    return (
        (scope.track_id is None or enrolment.track_id == scope.track_id)
        and (scope.level is None or enrolment.batch.level == scope.level)
        and (scope.institution_id is None or enrolment.batch.institution_id == scope.institution_id)
        and (scope.batch_id is None or enrolment.batch_id == scope.batch_id)
    )


def in_period(moment, scope: figures_of.Scope) -> bool:
    if moment is None:
        return scope.date_from is None and scope.date_to is None
    day = timezone.localdate(moment)
    return (scope.date_from is None or day >= scope.date_from) and (scope.date_to is None or day <= scope.date_to)


def workload_from_the_tasks(scope) -> dict[int | None, tuple[int, int, float | None]]:
    """owner → (open, decided, average days from claim to decision), task by task."""
    counted: dict[int | None, list] = {}
    for task in Task.objects.all():
        if task.flow_task.name not in REVIEWS:
            continue
        enrolment = AssessmentProcess.objects.select_related("enrolment__batch").get(pk=task.process_id).enrolment
        if not in_scope(enrolment, scope):
            continue
        is_open = task.status in OPEN
        decided = task.status == STATUS.DONE and in_period(task.finished, scope)
        if not is_open and not decided:
            continue
        row = counted.setdefault(task.owner_id, [0, 0, []])
        row[0] += is_open
        row[1] += decided
        if decided and task.assigned is not None:
            row[2].append((task.finished - task.assigned).total_seconds() / 86400)
    return {
        owner: (n_open, n_decided, sum(d) / len(d) if d else None) for owner, (n_open, n_decided, d) in counted.items()
    }


def workload_read(scope) -> dict[int | None, tuple[int, int, float | None]]:
    return {
        row.assessor_id: (row.open, row.decided, row.average_days)
        for row in workflow_statistics.assessor_workload(scope)
    }


def assert_the_workload_agrees_with_the_tasks(scopes) -> None:
    for scope in scopes:
        read, expected = workload_read(scope), workload_from_the_tasks(scope)
        assert {owner: row[:2] for owner, row in read.items()} == {o: row[:2] for o, row in expected.items()}, scope
        for owner, (_open, _decided, average) in read.items():
            # The database averages the intervals to the microsecond.
            assert average == (None if expected[owner][2] is None else pytest.approx(expected[owner][2], abs=1e-9))


def derived_rows() -> list[tuple]:
    return sorted(DecidedReview.objects.values_list(*decided_reviews.COLUMNS))


def test_the_workload_follows_the_tasks_as_reviews_are_claimed_and_decided(
    inst1_staff, inst2_staff, officer, assessor, assessor2
):
    Track.objects.filter(code="PM").update(reviewers_required=2)  # a pass needs a second review

    def under_review(staff, track="PM"):
        return factories.advance(
            factories.draft_enrolment(staff, track), staff=staff, officer=officer, to="under_review"
        )

    claimed, passed, returned = under_review(inst1_staff), under_review(inst1_staff), under_review(inst1_staff)
    failed = under_review(inst2_staff, "CR")  # assessor is institution 2's: assessor2 reviews it
    assessment.claim_task(assessor=assessor, task_id=factories.open_review_task(claimed).pk)
    first_review = factories.open_review_task(passed)
    assessment.decide(assessor=assessor, task_id=first_review.pk, decision="pass")
    assessment.decide(
        assessor=assessor, task_id=factories.open_review_task(returned).pk, decision="return", reason="Blurred photos"
    )
    assessment.decide(
        assessor=assessor2, task_id=factories.open_review_task(failed).pk, decision="fail", reason="Seams open"
    )
    # A decision a year ago, by hand, before the reviews are first derived: the period sees it there.
    Task.objects.filter(pk=first_review.pk).update(finished=timezone.now() - timedelta(days=365))
    today = timezone.localdate()
    scopes = [
        figures_of.Scope(),
        figures_of.Scope(date_from=today, date_to=today),
        figures_of.Scope(date_to=today - timedelta(days=1)),
        figures_of.Scope(track_id=failed.track_id),
        figures_of.Scope(level=passed.batch.level),
        figures_of.Scope(level=1),
        figures_of.Scope(institution_id=inst2_staff.institution_id),
        figures_of.Scope(batch_id=returned.batch_id),
        figures_of.Scope(institution_id=inst1_staff.institution_id, date_from=today),
    ]

    assert_the_workload_agrees_with_the_tasks(scopes)
    assert decided_reviews.refresh() is False  # no task made since the figure was counted
    assert DecidedReview.objects.count() == 3
    everyone = workload_read(figures_of.Scope())
    assert everyone[assessor.pk][:2] == (1, 2) and everyone[assessor2.pk][:2] == (0, 1)
    assert everyone[None][:2] == (1, 0)  # the passed case's second review, unclaimed

    # Later: the passed case signed off a second time, the claimed one decided (its second review
    # opens), the returned one resubmitted (its review opens again).
    second = factories.open_review_task(passed)
    assessment.decide(assessor=factories.second_assessor(assessor), task_id=second.pk, decision="pass")
    assessment.decide(assessor=assessor, task_id=factories.open_review_task(claimed).pk, decision="pass")
    services.submit_results(staff=inst1_staff, enrolment_id=returned.pk)

    assert decided_reviews.refresh() is True
    assert_the_workload_agrees_with_the_tasks(scopes)
    assert DecidedReview.objects.count() == 5
    assert workload_read(figures_of.Scope())[None][:2] == (2, 0)

    # Derived afresh from every task, the rows are the same.
    kept = derived_rows()
    DecidedReviewsUpTo.objects.update(last_task_id=0)
    assert decided_reviews.refresh() is True
    assert derived_rows() == kept
