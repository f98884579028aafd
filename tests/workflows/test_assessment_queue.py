"""The review queue and the inbox: scoped by conflict of interest, constant queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.models import ConflictDeclaration, Role
from workflows.assessment import services

from .. import factories

QUEUE, INBOX = "/assessment/queue/", "/assessment/inbox/"


def under_review(staff, officer, track="CR", **trainee_fields):
    trainee = factories.trainee(staff.institution, **trainee_fields) if trainee_fields else None
    enrolment = factories.draft_enrolment(staff, track, trainee_obj=trainee)
    return factories.advance(enrolment, staff=staff, officer=officer, to="under_review")


def test_an_independent_assessor_sees_the_candidates_full_name(client, assessor, inst1_staff, officer):
    under_review(inst1_staff, officer, name="欧阳晓明")
    client.force_login(assessor)
    page = client.get(QUEUE).content.decode()
    assert "欧阳晓明" in page


def test_an_assessor_never_sees_their_own_institutions_candidates(client, inst1, inst1_staff, officer):
    under_review(inst1_staff, officer, name="李雪梅")
    affiliated = factories.user("affiliated", Role.ASSESSOR, institution=inst1)
    client.force_login(affiliated)
    assert "李*梅" not in client.get(QUEUE).content.decode()


def test_an_assessor_never_sees_a_declared_conflict(client, assessor, inst1_staff, officer):
    enrolment = under_review(inst1_staff, officer, name="王建国")
    ConflictDeclaration.objects.create(assessor=assessor, trainee=enrolment.trainee, kind="relative")
    client.force_login(assessor)
    assert "王*国" not in client.get(QUEUE).content.decode()


def test_claimed_tasks_leave_the_queue_and_enter_the_inbox(client, assessor, inst1_staff, officer):
    enrolment = under_review(inst1_staff, officer, name="赵丽华")
    services.claim_task(assessor=assessor, task_id=factories.open_review_task(enrolment).pk)
    client.force_login(assessor)
    assert "赵丽华" not in client.get(QUEUE).content.decode()
    assert "赵丽华" in client.get(INBOX).content.decode()


def test_anonymous_goes_to_login(client):
    for url in (QUEUE, INBOX):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_institution_staff_and_trainees_are_refused(client, inst1_staff, trainee_user):
    for person in (inst1_staff, trainee_user):
        client.force_login(person)
        assert client.get(QUEUE).status_code == 403
        assert client.get(INBOX).status_code == 403


def test_officers_see_the_queue_but_have_no_inbox(client, officer):
    client.force_login(officer)
    assert client.get(QUEUE).status_code == 200
    assert client.get(INBOX).status_code == 403


def test_the_queue_costs_the_same_queries_for_1_and_12_candidates(client, assessor, inst1_staff, officer):
    under_review(inst1_staff, officer)
    client.force_login(assessor)
    with CaptureQueriesContext(connection) as one:
        assert client.get(QUEUE).status_code == 200
    for _ in range(11):
        under_review(inst1_staff, officer)
    with CaptureQueriesContext(connection) as many:
        page = client.get(QUEUE).content.decode()
    assert page.count('name="task"') == 12
    assert len(many) == len(one)
