"""The small demo that `manage.py seed_demo` loads (docs/spec.md §8): something to see for every role.

The demo is seeded once for the module; tests/certification/test_seed_demo.py runs the command."""

import pytest
from django.core.exceptions import ValidationError
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification import permissions, rules
from certification.models import (
    AttemptOutcome,
    Enrolment,
    EnrolmentStatus,
    Institution,
    InstitutionStatus,
    Role,
    Track,
    TrackQuota,
    Trainee,
    TrainingBatch,
    User,
)
from demo import cohort as demo
from workflows.assessment import selectors
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess

from .demo_seeding import DEMO_LOGINS, seeded_for_the_module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker):
    yield from seeded_for_the_module(django_db_blocker)


# Who is there and what waits for each role


def test_it_creates_the_demo_users_with_the_demo_password(small_demo):
    for username in DEMO_LOGINS:
        assert User.objects.get(username=username).check_password("demo-pass-2024"), username


def test_each_demo_user_can_log_in_on_the_login_page(small_demo, client):
    for username in DEMO_LOGINS:
        response = client.post("/accounts/login/", {"username": username, "password": "demo-pass-2024"})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.logout()


def test_each_user_has_the_role_and_institution_the_spec_names(small_demo):
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_LOGINS)}
    inst1 = Institution.objects.get(name="杭州时尚职业技能培训学校")
    inst2 = Institution.objects.get(name="宁波服装产业技能培训中心")
    assert users["officer"].role == Role.OFFICER
    assert (users["inst1"].role, users["inst1"].institution) == (Role.INSTITUTION, inst1)
    assert (users["inst2"].role, users["inst2"].institution) == (Role.INSTITUTION, inst2)
    assert users["trainee1"].role == Role.TRAINEE
    for name in ("assessor1", "assessor2"):
        assert users[name].role == Role.ASSESSOR
        assert users[name].institution is None  # independent: no conflict with either institution


def test_it_creates_two_approved_institutions_a_pending_one_and_quotas(small_demo):
    statuses = dict(Institution.objects.values_list("name", "status"))
    assert statuses == {
        "杭州时尚职业技能培训学校": InstitutionStatus.APPROVED,
        "宁波服装产业技能培训中心": InstitutionStatus.APPROVED,
        "温州瓯江服饰技能培训学校": InstitutionStatus.PENDING,
    }
    for institution in Institution.objects.filter(status=InstitutionStatus.APPROVED):
        quotas = TrackQuota.objects.filter(institution=institution)
        assert sorted(quotas.values_list("track__code", flat=True)) == ["CR", "NM", "PM"]
        assert all(quota.quota >= 1000 for quota in quotas)
        levels = set(TrainingBatch.objects.filter(institution=institution).values_list("level", flat=True))
        assert levels == {4}


def test_every_role_has_something_to_see(small_demo):
    statuses = set(Enrolment.objects.values_list("status", flat=True))
    assert {
        "draft",
        "submitted",
        "rejected",
        "enrolled",
        "trained",
        "under_review",
        "passed",
        "failed",
        "in_publicity",
        "ready_to_issue",
    } <= statuses
    assert Trainee.objects.count() >= 12
    assert all(trainee.photo for trainee in Trainee.objects.all())


def test_the_assessors_may_assess_every_candidate_under_review(small_demo):
    under_review = Enrolment.objects.filter(status=EnrolmentStatus.UNDER_REVIEW).select_related("batch")
    assert under_review.exists()
    for username in ("assessor1", "assessor2"):
        assessor = User.objects.get(username=username)
        assert all(permissions.can_assess(assessor, enrolment) for enrolment in under_review)


def test_trainee1_has_one_account_for_two_tracks(small_demo):
    trainee = Trainee.objects.get(user__username="trainee1")
    statuses = dict(trainee.enrolments.values_list("track__code", "status"))
    assert statuses == {"CR": EnrolmentStatus.READY_TO_ISSUE, "PM": EnrolmentStatus.ENROLLED}
    pm = trainee.enrolments.get(track__code="PM")
    assert 0 < pm.completions.count() < Track.objects.get(code="PM").modules.count()


def test_demo_trainees_are_valid_records(small_demo):
    for trainee in Trainee.objects.all():
        try:
            trainee.full_clean(exclude=["user", "photo"])
        except ValidationError as error:  # pragma: no cover - the message says which field
            pytest.fail(f"{trainee.name}: {error}")


def test_the_assessors_have_open_review_tasks_and_assessor1_has_one_in_the_inbox(small_demo):
    assessor1, assessor2 = User.objects.get(username="assessor1"), User.objects.get(username="assessor2")
    assert selectors.review_queue_for(assessor2).count() >= 2
    assert selectors.inbox_for(assessor1).count() == 1


def test_one_candidate_was_returned_for_correction_and_the_institution_has_the_task(small_demo):
    returned = Enrolment.objects.get(attempts__outcome=AttemptOutcome.RETURNED)
    assert returned.status == EnrolmentStatus.TRAINED
    process = AssessmentProcess.objects.get(enrolment=returned)
    correction = Task.objects.get(process=process, flow_task=AssessmentFlow.correction)
    assert correction.status == STATUS.NEW
    assert returned.state_logs.filter(transition="return_for_correction").get().reason == demo.RETURN_REASON


def test_the_failed_candidate_may_still_resit(small_demo):
    failed = Enrolment.objects.get(status=EnrolmentStatus.FAILED)
    assert failed.current_attempt.outcome == AttemptOutcome.FAILED
    assert rules.resit_closed_reason(failed) == ""
