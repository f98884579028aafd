from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.models import StateLog

from .. import factories


def url(enrolment):
    return f"/enrolments/{enrolment.pk}/"


def test_it_shows_the_history_and_the_full_id_to_own_staff(client, inst1_staff, submitted_enrolment):
    client.force_login(inst1_staff)
    page = client.get(url(submitted_enrolment)).content.decode()
    assert submitted_enrolment.trainee.id_number in page
    assert "history" in page.lower()


def test_officer_sees_the_approve_button(client, officer, submitted_enrolment):
    client.force_login(officer)
    page = client.get(url(submitted_enrolment)).content.decode()
    assert f"/enrolments/{submitted_enrolment.pk}/move/approve/" in page


def test_assessor_sees_only_the_masked_id(client, assessor, enrolment_ready_for_review):
    client.force_login(assessor)
    page = client.get(url(enrolment_ready_for_review)).content.decode()
    assert enrolment_ready_for_review.trainee.id_number not in page
    assert enrolment_ready_for_review.trainee.masked_id_number in page


def test_it_is_404_for_another_institution(client, inst2_staff, draft_enrolment):
    client.force_login(inst2_staff)
    assert client.get(url(draft_enrolment)).status_code == 404


def test_it_is_404_for_another_trainee(client, trainee_user, inst1_staff, officer):
    other = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="enrolled"
    )
    client.force_login(trainee_user)
    assert client.get(url(other)).status_code == 404


def test_trainee_sees_own_enrolment(client, trainee_user, enrolled_enrolment):
    client.force_login(trainee_user)
    assert client.get(url(enrolled_enrolment)).status_code == 200


def test_it_redirects_anonymous_to_login(client, draft_enrolment):
    response = client.get(url(draft_enrolment))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_find_the_results_page_once_training_is_complete(client, inst1_staff, officer):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained"
    )
    client.force_login(inst1_staff)
    assert f"/assessment/enrolments/{enrolment.pk}/results/" in client.get(url(enrolment)).content.decode()


def test_it_offers_no_review_moves_outside_the_assessment_flow(client, assessor, enrolment_ready_for_review):
    client.force_login(assessor)
    page = client.get(url(enrolment_ready_for_review)).content.decode()
    assert "/move/pass/" not in page
    assert "/assessment/tasks/" in page


def test_its_query_count_does_not_grow_with_history(client, officer, inst1_staff, assessor):
    """Both trained with one attempt; one went round a return for correction (two more history rows)."""
    from workflows.assessment import services as assessment

    short_history = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained"
    )
    factories.enter_passing_results(short_history, inst1_staff)
    long_history = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review"
    )
    assessment.decide(
        assessor=assessor,
        task_id=factories.open_review_task(long_history).pk,
        decision="return",
        reason="photo missing",
    )
    assert (
        StateLog.objects.filter(enrolment=long_history).count()
        > StateLog.objects.filter(enrolment=short_history).count()
    )
    client.force_login(officer)
    with CaptureQueriesContext(connection) as short:
        client.get(url(short_history))
    with CaptureQueriesContext(connection) as long:
        client.get(url(long_history))
    assert len(long) == len(short)
