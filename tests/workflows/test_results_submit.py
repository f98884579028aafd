"""“Submit results for review” on the results page: the guard's refusals and the start of AssessmentFlow."""

from pathlib import Path

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task

from certification.models import EnrolmentStatus, EvidenceKind
from workflows.assessment import services
from workflows.assessment.selectors import OPEN_TASK_STATUSES
from workflows.flows import AssessmentFlow
from workflows.models import AssessmentProcess, Decision

from .. import factories
from .test_evidence_checks import obj_bytes, upload


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def url(enrolment):
    return f"/assessment/enrolments/{enrolment.pk}/results/"


def trained(staff, officer, track="PM"):
    return factories.advance(factories.draft_enrolment(staff, track), staff=staff, officer=officer, to="trained")


def enter_scores(client, enrolment, theory="75", practical="82"):
    response = client.post(
        url(enrolment),
        {
            "action": "scores",
            "theory_score": theory,
            "practical_score": practical,
            "exam_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302


def submit(client, enrolment, expected_status=EnrolmentStatus.TRAINED):
    return client.post(url(enrolment), {"action": "submit", "expected_status": expected_status})


def open_tasks(enrolment):
    return Task.objects.filter(process__assessmentprocess__enrolment=enrolment, status__in=OPEN_TASK_STATUSES)


def test_pattern_making_results_without_a_3d_model_are_409_with_the_guards_message(client, inst1_staff, officer):
    enrolment = trained(inst1_staff, officer)
    client.force_login(inst1_staff)
    enter_scores(client, enrolment)
    response = submit(client, enrolment)
    assert response.status_code == 409
    assert "Pattern-making results need the 3D garment model evidence file." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TRAINED
    assert not AssessmentProcess.objects.exists()


def test_with_the_3d_model_it_goes_to_review_with_one_open_review_task(client, inst1_staff, officer):
    enrolment = trained(inst1_staff, officer)
    client.force_login(inst1_staff)
    enter_scores(client, enrolment)
    client.post(
        url(enrolment), {"action": "upload", "kind": EvidenceKind.MODEL_3D, "file": upload("coat.obj", obj_bytes())}
    )
    response = submit(client, enrolment)
    assert response.status_code == 302 and response["Location"] == f"/enrolments/{enrolment.pk}/"
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.UNDER_REVIEW
    process = AssessmentProcess.objects.get(enrolment=enrolment)
    assert process.attempt == enrolment.current_attempt
    [task] = open_tasks(enrolment)
    assert task.flow_task == AssessmentFlow.review
    assert enrolment.state_logs.filter(transition="submit_results", actor=inst1_staff).exists()


def test_results_without_both_scores_are_409(client, inst1_staff, officer):
    enrolment = trained(inst1_staff, officer, "CR")
    client.force_login(inst1_staff)
    enter_scores(client, enrolment, practical="")
    response = submit(client, enrolment)
    assert response.status_code == 409
    assert "Both the theory and the practical score are needed" in response.content.decode()
    assert not AssessmentProcess.objects.exists()


def test_a_track_without_3d_evidence_submits_with_scores_only(client, inst1_staff, officer):
    enrolment = trained(inst1_staff, officer, "CR")
    client.force_login(inst1_staff)
    enter_scores(client, enrolment)
    assert submit(client, enrolment).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.UNDER_REVIEW
    assert open_tasks(enrolment).count() == 1


def test_a_submit_from_a_stale_page_is_409(client, inst1_staff, officer):
    enrolment = trained(inst1_staff, officer, "CR")
    client.force_login(inst1_staff)
    enter_scores(client, enrolment)
    response = submit(client, enrolment, expected_status=EnrolmentStatus.ENROLLED)
    assert response.status_code == 409
    assert "Someone else moved this enrolment first" in response.content.decode()


def test_submitting_twice_is_409_and_starts_one_process(client, inst1_staff, officer):
    enrolment = trained(inst1_staff, officer, "CR")
    client.force_login(inst1_staff)
    enter_scores(client, enrolment)
    assert submit(client, enrolment).status_code == 302
    assert submit(client, enrolment).status_code == 409
    assert AssessmentProcess.objects.filter(enrolment=enrolment).count() == 1


def test_a_returned_attempt_is_corrected_and_resubmitted_to_review(client, inst1_staff, officer, assessor2):
    enrolment = trained(inst1_staff, officer, "CR")
    client.force_login(inst1_staff)
    enter_scores(client, enrolment)
    submit(client, enrolment)
    [review] = open_tasks(enrolment)
    services.decide(assessor=assessor2, task_id=review.pk, decision=Decision.RETURN, reason="实操成绩单缺签字")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TRAINED
    enter_scores(client, enrolment, practical="84")
    assert submit(client, enrolment).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.UNDER_REVIEW
    assert [t.flow_task for t in open_tasks(enrolment)] == [AssessmentFlow.review]
    assert AssessmentProcess.objects.filter(enrolment=enrolment).count() == 1


def test_another_institution_cannot_submit(client, inst1_staff, inst2_staff, officer):
    enrolment = trained(inst1_staff, officer, "CR")
    client.force_login(inst2_staff)
    assert submit(client, enrolment).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TRAINED


def test_an_officer_cannot_submit(client, inst1_staff, officer):
    enrolment = trained(inst1_staff, officer, "CR")
    client.force_login(inst1_staff)
    enter_scores(client, enrolment)
    client.force_login(officer)
    assert submit(client, enrolment).status_code == 403
    assert not AssessmentProcess.objects.exists()


def test_anonymous_is_sent_to_login(client, inst1_staff, officer):
    enrolment = trained(inst1_staff, officer, "CR")
    response = submit(client, enrolment)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
