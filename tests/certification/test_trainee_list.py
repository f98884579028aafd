import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .. import factories

URL = "/institution/trainees/"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_it_lists_own_trainees_with_only_the_last_four_of_their_id_numbers(client, inst1_staff):
    trainee = factories.trainee(inst1_staff.institution, name="李雪梅")
    client.force_login(inst1_staff)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "李雪梅" in page
    assert trainee.id_number_last_four in page
    assert trainee.masked_id_number not in page and trainee.id_number not in page


def test_it_hides_other_institutions_trainees(client, inst1_staff, inst2):
    factories.trainee(inst2, name="王建国")
    client.force_login(inst1_staff)
    assert "王建国" not in client.get(URL).content.decode()


def test_it_searches_by_name_and_by_exact_id_number(client, inst1_staff):
    li = factories.trainee(inst1_staff.institution, name="李雪梅")
    factories.trainee(inst1_staff.institution, name="王建国")
    client.force_login(inst1_staff)
    page = client.get(URL, {"q": "雪梅"}).content.decode()
    assert "李雪梅" in page and "王建国" not in page
    page = client.get(URL, {"q": li.id_number}).content.decode()
    assert "李雪梅" in page and "王建国" not in page


def test_it_does_not_match_part_of_an_id_number(client, inst1_staff):
    li = factories.trainee(inst1_staff.institution, name="李雪梅")
    client.force_login(inst1_staff)
    assert "李雪梅" not in client.get(URL, {"q": li.id_number[:10]}).content.decode()


def test_it_filters_by_gender_education_and_account(client, inst1_staff, trainee_user):
    factories.trainee(inst1_staff.institution, name="李雪梅", gender="F", education="bachelor")
    with_account = trainee_user.trainee.name
    client.force_login(inst1_staff)
    page = client.get(URL, {"gender": "F"}).content.decode()
    assert "李雪梅" in page and with_account not in page
    page = client.get(URL, {"education": "bachelor"}).content.decode()
    assert "李雪梅" in page and with_account not in page
    page = client.get(URL, {"account": "yes"}).content.decode()
    assert "李雪梅" not in page and with_account in page
    page = client.get(URL, {"account": "no"}).content.decode()
    assert "李雪梅" in page


def test_it_paginates(client, inst1_staff):
    for number in range(30):
        factories.trainee(inst1_staff.institution, name=f"学员{number:02d}")
    client.force_login(inst1_staff)
    first, second = client.get(URL).content.decode(), client.get(URL, {"page": 2}).content.decode()
    assert "学员00" in first and "学员29" not in first
    assert "学员29" in second


def test_officers_see_every_institutions_trainees(client, officer, inst1, inst2):
    factories.trainee(inst1, name="李雪梅")
    factories.trainee(inst2, name="王建国")
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert "李雪梅" in page and "王建国" in page


def test_it_redirects_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["assessor", "trainee_user"])
def test_it_refuses_assessors_and_trainees(db, client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("role_fixture", ["officer", "inst1_staff"])
def test_its_query_count_does_not_grow_with_rows(client, request, role_fixture, inst1_staff):
    client.force_login(request.getfixturevalue(role_fixture))
    factories.draft_enrolment(inst1_staff)
    client.get(URL)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(URL).status_code == 200
    for _ in range(39):
        factories.draft_enrolment(inst1_staff)
    with CaptureQueriesContext(connection) as many_rows:
        assert client.get(URL).status_code == 200
    assert len(many_rows) == len(one_row)
