import pytest

from certification.models import Enrolment, EnrolmentStatus

from .. import factories


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(trainee) -> str:
    return f"/institution/trainees/{trainee.pk}/enrol/"


@pytest.fixture
def trainee(inst1_staff):
    return factories.trainee(inst1_staff.institution, name="李雪梅")


def test_it_creates_a_draft_enrolment_and_opens_it(client, inst1_staff, trainee):
    batch = factories.batch(inst1_staff.institution, "CR")
    client.force_login(inst1_staff)
    response = client.post(url(trainee), {"batch": batch.pk})
    enrolment = Enrolment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/enrolments/{enrolment.pk}/"
    assert (enrolment.trainee, enrolment.batch, enrolment.status) == (trainee, batch, EnrolmentStatus.DRAFT)
    assert enrolment.created_by == inst1_staff


def test_it_refuses_another_institutions_batch(client, inst1_staff, inst2, trainee):
    foreign = factories.batch(inst2)
    client.force_login(inst1_staff)
    response = client.post(url(trainee), {"batch": foreign.pk})
    assert response.status_code == 400
    assert "Choose one of your institution&#x27;s batches." in response.content.decode()
    assert not Enrolment.objects.exists()


def test_it_shows_the_services_message_for_a_second_active_enrolment_in_a_track(client, inst1_staff, trainee):
    factories.draft_enrolment(inst1_staff, "PM", trainee_obj=trainee)
    second_batch = factories.batch(inst1_staff.institution, "PM")
    client.force_login(inst1_staff)
    response = client.post(url(trainee), {"batch": second_batch.pk})
    assert response.status_code == 400
    assert "already has an active enrolment in this track" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_a_full_batch_is_not_offered_and_is_refused(client, inst1_staff, trainee):
    batch = factories.batch(inst1_staff.institution, "NM", capacity=1)
    factories.draft_enrolment(inst1_staff, "NM", batch_obj=batch)
    client.force_login(inst1_staff)
    response = client.post(url(trainee), {"batch": batch.pk})
    assert response.status_code == 400
    assert f'value="{batch.pk}"' not in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_it_is_404_for_another_institutions_trainee(client, inst2_staff, trainee):
    batch = factories.batch(inst2_staff.institution)
    client.force_login(inst2_staff)
    assert client.post(url(trainee), {"batch": batch.pk}).status_code == 404
    assert not Enrolment.objects.exists()


def test_it_accepts_only_post(client, inst1_staff, trainee):
    client.force_login(inst1_staff)
    assert client.get(url(trainee)).status_code == 405


def test_it_redirects_anonymous_to_login(client, trainee):
    response = client.post(url(trainee), {"batch": 1})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["officer", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_institution_staff(client, request, role_fixture, inst1_staff, trainee):
    batch = factories.batch(inst1_staff.institution, "CR")
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.post(url(trainee), {"batch": batch.pk}).status_code == 403
