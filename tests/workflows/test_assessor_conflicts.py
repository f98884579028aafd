"""The assessor's own conflicts of interest: /assessment/conflicts/, declaring from a review page, withdrawing."""

import pytest

from certification.models import ConflictDeclaration, ConflictKind, Role
from workflows.assessment import conflicts, selectors, services

from .. import factories

LIST = "/assessment/conflicts/"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def candidate(inst1_staff, officer):
    enrolment = factories.draft_enrolment(inst1_staff, "CR")
    return factories.advance(enrolment, staff=inst1_staff, officer=officer, to="under_review")


@pytest.fixture
def task(candidate):
    return factories.open_review_task(candidate)


def test_an_assessor_declares_a_conflict_by_full_name_and_id_number(client, assessor, candidate, task):
    client.force_login(assessor)
    trainee = candidate.trainee
    response = client.post(LIST, {"name": trainee.name, "id_number": trainee.id_number, "kind": ConflictKind.RELATIVE})
    assert response.status_code == 302
    assert ConflictDeclaration.objects.filter(assessor=assessor, trainee=trainee, kind="relative").exists()
    assert not selectors.review_queue_for(assessor).filter(pk=task.pk).exists()
    page = client.get(LIST).content.decode()
    assert trainee.name in page and trainee.id_number_last_four in page and trainee.id_number not in page


def test_a_name_that_does_not_match_the_id_number_declares_nothing(client, assessor, candidate):
    client.force_login(assessor)
    response = client.post(LIST, {"name": "李四", "id_number": candidate.trainee.id_number, "kind": "relative"})
    assert response.status_code == 400
    assert "No trainee has this full name and ID number" in response.content.decode()
    assert not ConflictDeclaration.objects.exists()


def test_declaring_twice_is_refused_with_a_message(client, assessor, candidate):
    client.force_login(assessor)
    fields = {"name": candidate.trainee.name, "id_number": candidate.trainee.id_number, "kind": "colleague"}
    client.post(LIST, fields)
    response = client.post(LIST, fields)
    assert response.status_code == 400 and "already declared" in response.content.decode()
    assert ConflictDeclaration.objects.count() == 1


def test_declaring_from_the_review_page_hands_a_claimed_task_back(client, assessor, task, candidate):
    services.claim_task(assessor=assessor, task_id=task.pk)
    client.force_login(assessor)
    assert "declare-conflict" in client.get(f"/assessment/tasks/{task.pk}/").content.decode()
    response = client.post(f"/assessment/tasks/{task.pk}/conflict/", {"kind": "own_student", "note": "我教过她"})
    assert response.status_code == 302 and response["Location"] == LIST
    task.refresh_from_db()
    assert task.owner is None
    assert ConflictDeclaration.objects.get(assessor=assessor).trainee == candidate.trainee
    assert client.get(f"/assessment/tasks/{task.pk}/").status_code == 404


def test_an_assessor_withdraws_their_own_declaration_and_sees_the_candidate_again(client, assessor, task, candidate):
    declaration = conflicts.declare_conflict(assessor=assessor, trainee_id=candidate.trainee_id, kind="other")
    client.force_login(assessor)
    assert client.post(f"{LIST}{declaration.pk}/withdraw/").status_code == 302
    assert not ConflictDeclaration.objects.exists()
    assert selectors.review_queue_for(assessor).filter(pk=task.pk).exists()


def test_nobody_withdraws_another_assessors_declaration(client, assessor, assessor2, candidate):
    declaration = conflicts.declare_conflict(assessor=assessor2, trainee_id=candidate.trainee_id, kind="other")
    client.force_login(assessor)
    client.post(f"{LIST}{declaration.pk}/withdraw/")
    assert ConflictDeclaration.objects.filter(pk=declaration.pk).exists()
    assert candidate.trainee.name not in client.get(LIST).content.decode()


def test_anonymous_goes_to_login_and_other_roles_are_refused(client, officer, inst1_staff, candidate, task):
    declaration = conflicts.declare_conflict(
        assessor=factories.user("assessor3", Role.ASSESSOR), trainee_id=candidate.trainee_id, kind="other"
    )
    for address in (LIST, f"{LIST}{declaration.pk}/withdraw/", f"/assessment/tasks/{task.pk}/conflict/"):
        response = client.post(address, {"kind": "other"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for person in (officer, inst1_staff):
        client.force_login(person)
        assert client.get(LIST).status_code == 403
        assert client.post(f"{LIST}{declaration.pk}/withdraw/").status_code == 403
        assert client.post(f"/assessment/tasks/{task.pk}/conflict/", {"kind": "other"}).status_code == 403
    assert ConflictDeclaration.objects.count() == 1


def test_a_task_the_assessor_may_not_see_is_404(client, inst1, officer, task):
    affiliated = factories.user("affiliated", Role.ASSESSOR, institution=inst1)
    client.force_login(affiliated)
    assert client.post(f"/assessment/tasks/{task.pk}/conflict/", {"kind": "other"}).status_code == 404
    assert not ConflictDeclaration.objects.exists()
