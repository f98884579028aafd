"""One review: the page, decisions, claim / release / assign, bulk approval."""

from decimal import Decimal

import pytest
from viewflow.workflow.models import Task

from certification import services as lifecycle
from certification.models import EnrolmentStatus, Role, StateLog
from workflows.assessment import services

from .. import factories


@pytest.fixture
def candidate(inst1_staff, officer):
    enrolment = factories.draft_enrolment(inst1_staff, "CR")
    return factories.advance(enrolment, staff=inst1_staff, officer=officer, to="under_review")


@pytest.fixture
def task(candidate):
    return factories.open_review_task(candidate)


def url(task, action=""):
    return f"/assessment/tasks/{task.pk}/{action + '/' if action else ''}"


def test_the_review_page_shows_scores_and_module_hours(client, assessor, task, candidate):
    client.force_login(assessor)
    page = client.get(url(task)).content.decode()
    assert "75.0" in page and "82.0" in page
    assert candidate.track.modules.first().display_name in page


def test_an_assessor_passes_a_candidate(client, assessor, task, candidate):
    client.force_login(assessor)
    response = client.post(url(task, "decide"), {"decision": "pass"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == EnrolmentStatus.PASSED
    assert StateLog.objects.filter(enrolment=candidate, transition="pass", actor=assessor).exists()


def test_failing_needs_a_reason(client, assessor, task, candidate):
    client.force_login(assessor)
    assert client.post(url(task, "decide"), {"decision": "fail"}).status_code == 400
    candidate.refresh_from_db()
    assert candidate.status == EnrolmentStatus.UNDER_REVIEW


def test_return_then_resubmit_starts_review_again(client, assessor, task, candidate, inst1_staff):
    client.force_login(assessor)
    client.post(url(task, "decide"), {"decision": "return", "reason": "3D 文件打不开"})
    candidate.refresh_from_db()
    assert candidate.status == EnrolmentStatus.TRAINED
    lifecycle.submit_results(staff=inst1_staff, enrolment_id=candidate.pk)
    candidate.refresh_from_db()
    assert candidate.status == EnrolmentStatus.UNDER_REVIEW
    assert factories.open_review_task(candidate).flow_task.name == "review"


def test_passing_low_scores_is_refused_with_the_rule(client, assessor, inst1_staff, officer):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, "NM"), staff=inst1_staff, officer=officer, to="trained"
    )
    factories.enter_passing_results(enrolment, inst1_staff, theory=Decimal("55"))
    lifecycle.submit_results(staff=inst1_staff, enrolment_id=enrolment.pk)
    client.force_login(assessor)
    response = client.post(url(factories.open_review_task(enrolment), "decide"), {"decision": "pass"})
    assert response.status_code == 409
    assert "55" in response.context["error_message"]


def test_a_second_sign_off_is_someone_elses(client, assessor, assessor2, inst1_staff, officer):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff, "PM"), staff=inst1_staff, officer=officer, to="trained"
    )
    enrolment.track.reviewers_required = 2
    enrolment.track.save()
    factories.enter_passing_results(enrolment, inst1_staff)
    lifecycle.submit_results(staff=inst1_staff, enrolment_id=enrolment.pk)
    services.decide(assessor=assessor, task_id=factories.open_review_task(enrolment).pk, decision="pass")
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.UNDER_REVIEW
    second = factories.open_review_task(enrolment)
    assert second.flow_task.name == "second_review"
    client.force_login(assessor)
    assert client.get(url(second)).status_code == 404
    client.force_login(assessor2)
    client.post(url(second, "decide"), {"decision": "pass"})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PASSED


def test_the_submitter_never_reviews_their_own_results(inst1_staff, officer, task):
    # An assessor account that entered the scores (a dual-role mistake) is still refused.
    process = services.process_of(task)
    reviewer = factories.user("dual", Role.ASSESSOR)
    attempt = process.attempt
    attempt.submitted_by = reviewer
    attempt.save()
    assert "submitted" in services.review_refusal(reviewer, task)


def test_claim_and_release(client, assessor, assessor2, task):
    client.force_login(assessor)
    assert client.post(url(task, "claim")).status_code == 302
    task.refresh_from_db()
    assert task.owner == assessor
    client.force_login(assessor2)
    assert client.get(url(task)).status_code == 404
    client.force_login(assessor)
    client.post(url(task, "release"))
    task.refresh_from_db()
    assert task.owner is None


def test_the_officer_assigns_a_named_assessor(client, officer, assessor2, task):
    client.force_login(officer)
    assert client.post(url(task, "assign"), {"assessor": assessor2.pk}).status_code == 302
    task.refresh_from_db()
    assert task.owner == assessor2


def test_the_officer_cannot_assign_an_affiliated_assessor(client, officer, inst1, task):
    affiliated = factories.user("affiliated", Role.ASSESSOR, institution=inst1)
    client.force_login(officer)
    assert client.post(url(task, "assign"), {"assessor": affiliated.pk}).status_code == 400
    task.refresh_from_db()
    assert task.owner is None


def test_bulk_approve_asks_once_then_passes_all(client, assessor, inst1_staff, officer):
    candidates = [
        factories.advance(
            factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="under_review"
        )
        for _ in range(3)
    ]
    ids = [str(factories.open_review_task(c).pk) for c in candidates]
    client.force_login(assessor)
    confirm = client.post("/assessment/approve/", {"task": ids})
    assert confirm.status_code == 200 and "confirm" in confirm.content.decode()
    for c in candidates:
        c.refresh_from_db()
        assert c.status == EnrolmentStatus.UNDER_REVIEW
    client.post("/assessment/approve/", {"task": ids, "confirm": "yes"})
    for c in candidates:
        c.refresh_from_db()
        assert c.status == EnrolmentStatus.PASSED


def test_bulk_approve_refuses_a_candidate_below_the_pass_mark(client, assessor, inst1_staff, officer):
    weak = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="trained"
    )
    factories.enter_passing_results(weak, inst1_staff, practical=Decimal("40"))
    lifecycle.submit_results(staff=inst1_staff, enrolment_id=weak.pk)
    client.force_login(assessor)
    client.post("/assessment/approve/", {"task": [factories.open_review_task(weak).pk], "confirm": "yes"})
    weak.refresh_from_db()
    assert weak.status == EnrolmentStatus.UNDER_REVIEW


def test_a_finished_task_cannot_be_decided_twice(assessor, assessor2, task):
    services.decide(assessor=assessor, task_id=task.pk, decision="pass")
    from core.errors import StaleState

    with pytest.raises(StaleState):
        services.decide(assessor=assessor2, task_id=task.pk, decision="fail", reason="x")


def test_other_roles_and_anonymous_cannot_open_a_task(client, inst1_staff, inst2_staff, trainee_user, task):
    assert client.get(url(task)).status_code == 302
    for person in (inst1_staff, inst2_staff, trainee_user):
        client.force_login(person)
        assert client.get(url(task)).status_code == 403
        assert client.post(url(task, "decide"), {"decision": "pass"}).status_code == 403


def test_the_review_page_shows_the_candidates_photo_to_the_assessor(
    client, assessor, task, candidate, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from .test_evidence_checks import png_bytes

    settings.MEDIA_ROOT = str(tmp_path)
    candidate.trainee.photo.save("p.png", ContentFile(png_bytes()))
    client.force_login(assessor)
    photo = f"/institution/trainees/{candidate.trainee_id}/photo/"
    assert photo in client.get(url(task)).content.decode()
    assert client.get(photo).status_code == 200


def test_an_assessor_sees_no_photo_of_a_trainee_they_may_not_review(client, inst1, task, candidate, settings, tmp_path):
    from django.core.files.base import ContentFile

    from .test_evidence_checks import png_bytes

    settings.MEDIA_ROOT = str(tmp_path)
    candidate.trainee.photo.save("p.png", ContentFile(png_bytes()))
    affiliated = factories.user("affiliated", Role.ASSESSOR, institution=inst1)
    client.force_login(affiliated)
    assert client.get(f"/institution/trainees/{candidate.trainee_id}/photo/").status_code == 404


def test_deciding_an_unclaimed_task_says_it_claimed_it(client, assessor, task, candidate):
    client.force_login(assessor)
    assert "data-claims-on-decide" in client.get(url(task)).content.decode()
    response = client.post(url(task, "decide"), {"decision": "pass"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "You claimed" in response.content.decode()
    assert StateLog.objects.filter(enrolment=candidate, transition="pass", actor=assessor).exists()


def test_bulk_approval_with_nothing_selected_says_select_at_least_one(client, assessor):
    client.force_login(assessor)
    response = client.post("/assessment/approve/", {}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Select at least one." in response.content.decode()


def under_review(inst1_staff, officer, count):
    return [
        factories.advance(
            factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="under_review"
        )
        for _ in range(count)
    ]


def test_the_officer_assigns_many_tasks_to_one_assessor(client, officer, assessor2, inst1_staff):
    tasks = [factories.open_review_task(c) for c in under_review(inst1_staff, officer, 3)]
    client.force_login(officer)
    page = client.get("/assessment/queue/").content.decode()
    assert "/assessment/assign/" in page and f'id="task-{tasks[0].pk}"' in page
    response = client.post(
        "/assessment/assign/", {"task": [t.pk for t in tasks[:2]], "assessor": assessor2.pk}, follow=True
    )
    assert "2 candidates assigned" in response.content.decode()
    owners = [Task.objects.get(pk=t.pk).owner for t in tasks]
    assert owners == [assessor2, assessor2, None]


def test_bulk_assignment_respects_conflicts_all_or_nothing(client, officer, inst1, inst1_staff):
    tasks = [factories.open_review_task(c) for c in under_review(inst1_staff, officer, 2)]
    affiliated = factories.user("affiliated", Role.ASSESSOR, institution=inst1)
    client.force_login(officer)
    response = client.post(
        "/assessment/assign/", {"task": [t.pk for t in tasks], "assessor": affiliated.pk}, follow=True
    )
    assert "Nothing was assigned" in response.content.decode()
    assert all(Task.objects.get(pk=t.pk).owner is None for t in tasks)


def test_bulk_assignment_needs_a_selection_and_the_office(client, officer, assessor, assessor2, inst1_staff, task):
    client.force_login(officer)
    response = client.post("/assessment/assign/", {"assessor": assessor2.pk}, follow=True)
    assert "Select at least one." in response.content.decode()
    client.logout()
    response = client.post("/assessment/assign/", {"task": [task.pk]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for person in (assessor, inst1_staff):
        client.force_login(person)
        assert client.post("/assessment/assign/", {"task": [task.pk], "assessor": assessor2.pk}).status_code == 403
    task.refresh_from_db()
    assert task.owner is None
