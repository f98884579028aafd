"""A cohort of `seed_demo --cohort 12` (docs/spec.md §8) as the real flow leaves it.

The cohort is seeded once for the module; tests/certification/test_seed_demo.py runs the command."""

import pytest
from django.db.models import Count
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification.models import (
    AttemptOutcome,
    Enrolment,
    EnrolmentStatus,
    StateLog,
    User,
)
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess, PublicityEntry, PublicityNotice

from .demo_seeding import HAPPY_PATH, ready_cohort, seeded_for_the_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def cohort_of_12(django_db_setup, django_db_blocker):
    yield from seeded_for_the_module(django_db_blocker, cohort=12)


# Through the assessment flow and the public notice


def test_within_a_track_the_cohort_alternates_between_the_two_institutions(cohort_of_12):
    # PM 5, CR 4 (trainee1 and 3 candidates), NM 3
    rows = ready_cohort().order_by().values_list("track__code", "batch__institution__name").annotate(n=Count("pk"))
    assert {(code, name[:2]): n for code, name, n in rows} == {
        ("PM", "杭州"): 3,
        ("PM", "宁波"): 2,
        ("CR", "杭州"): 2,
        ("CR", "宁波"): 1,
        ("NM", "杭州"): 2,
        ("NM", "宁波"): 1,
    }


def test_every_ready_enrolment_walked_the_whole_way_from_submitted(cohort_of_12):
    for enrolment in Enrolment.objects.filter(status=EnrolmentStatus.READY_TO_ISSUE):
        chain = list(enrolment.state_logs.order_by("created_at", "pk").values_list("to_status", flat=True))
        assert chain == HAPPY_PATH, enrolment
        assert enrolment.state_logs.first().request_id.startswith("seed_demo-")


def test_each_cohort_candidate_went_through_one_finished_assessment_process(cohort_of_12):
    assessors = set(User.objects.filter(username__in=["assessor1", "assessor2"]).values_list("pk", flat=True))
    for enrolment in ready_cohort():
        process = AssessmentProcess.objects.get(enrolment=enrolment)
        assert process.status == STATUS.DONE
        tasks = Task.objects.filter(process=process)
        assert set(tasks.values_list("status", flat=True)) == {STATUS.DONE}
        review = tasks.get(flow_task=AssessmentFlow.review)
        assert review.owner_id in assessors
        assert enrolment.current_attempt.outcome == AttemptOutcome.PASSED
        assert enrolment.current_attempt.reviewed_by_id == review.owner_id


def test_both_assessors_approve_part_of_the_cohort(cohort_of_12):
    reviewers = StateLog.objects.filter(enrolment__in=ready_cohort(), transition="pass").values_list(
        "actor__username", flat=True
    )
    assert set(reviewers) == {"assessor1", "assessor2"}


def test_each_track_of_the_cohort_has_a_closed_public_notice(cohort_of_12):
    year = timezone.localdate().year
    for enrolment in ready_cohort():
        entry = PublicityEntry.objects.select_related("notice").get(enrolment=enrolment)
        assert entry.notice.title == f"{year}年第一批时尚工程师认定公示（{enrolment.track.name_zh}）"
        assert entry.notice.closed_at is not None
    titles = PublicityNotice.objects.filter(entries__enrolment__in=ready_cohort()).values_list("title", flat=True)
    assert len(set(titles)) == 3
