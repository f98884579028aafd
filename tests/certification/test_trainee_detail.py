import pytest
from django.core.files.base import ContentFile

from certification.photos import make_placeholder_photo

from .. import factories


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(trainee) -> str:
    return f"/institution/trainees/{trainee.pk}/"


def test_it_shows_the_full_id_number_photo_and_enrolments_to_own_staff(client, inst1_staff, draft_enrolment):
    trainee = draft_enrolment.trainee
    trainee.photo = make_placeholder_photo(trainee.name)
    trainee.save()
    client.force_login(inst1_staff)
    response = client.get(url(trainee))
    page = response.content.decode()
    assert response.status_code == 200
    assert trainee.id_number in page
    assert f"/institution/trainees/{trainee.pk}/photo/" in page
    assert f"/enrolments/{draft_enrolment.pk}/" in page
    assert "badge-draft" in page
    assert f'action="/institution/trainees/{trainee.pk}/enrol/"' in page


def test_officers_see_it_read_only_with_the_id_number_masked(client, officer, draft_enrolment):
    trainee = draft_enrolment.trainee
    client.force_login(officer)
    page = client.get(url(trainee)).content.decode()
    assert trainee.masked_id_number in page and trainee.id_number not in page
    assert "/enrol/" not in page and "/edit/" not in page


def test_it_offers_only_own_batches_to_enrol_in(client, inst1_staff, inst2):
    trainee = factories.trainee(inst1_staff.institution)
    own, foreign = factories.batch(inst1_staff.institution), factories.batch(inst2)
    client.force_login(inst1_staff)
    page = client.get(url(trainee)).content.decode()
    assert own.name in page and foreign.name not in page


def test_it_is_404_for_another_institutions_trainee(client, inst2_staff, inst1):
    trainee = factories.trainee(inst1)
    client.force_login(inst2_staff)
    assert client.get(url(trainee)).status_code == 404


def test_it_redirects_anonymous_to_login(client, inst1):
    response = client.get(url(factories.trainee(inst1)))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["assessor", "trainee_user"])
def test_it_refuses_assessors_and_trainees(client, request, role_fixture, inst1):
    trainee = factories.trainee(inst1, photo=ContentFile(b"x", name="x.png"))
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(url(trainee)).status_code == 403
