import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification import selectors
from certification.models import Enrolment, Role

from .. import factories

URL = "/enrolments/"


def test_it_lists_own_institutions_enrolments(client, inst1_staff, draft_enrolment):
    client.force_login(inst1_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert draft_enrolment.trainee.name in response.content.decode()


def test_it_hides_other_institutions_enrolments(client, inst2_staff, draft_enrolment):
    client.force_login(inst2_staff)
    response = client.get(URL)
    assert draft_enrolment.trainee.name not in response.content.decode()


def test_it_filters_by_status_and_searches_by_name(client, inst1_staff, officer):
    first = factories.draft_enrolment(
        inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name="李雪梅")
    )
    factories.advance(first, staff=inst1_staff, officer=officer, to="submitted")
    factories.draft_enrolment(inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name="王建国"))
    client.force_login(inst1_staff)
    page = client.get(URL, {"status": "submitted"}).content.decode()
    assert "李雪梅" in page and "王建国" not in page
    page = client.get(URL, {"q": "王建"}).content.decode()
    assert "王建国" in page and "李雪梅" not in page


def test_the_search_ignores_the_case_of_latin_names(client, inst1_staff):
    factories.draft_enrolment(inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name="Anna Müller"))
    factories.draft_enrolment(inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name="赵敏"))
    client.force_login(inst1_staff)

    page = client.get(URL, {"q": "anna mü"}).content.decode()

    assert "Anna Müller" in page and "赵敏" not in page


def test_an_enrolment_whose_trainee_and_batch_both_match_is_found_once(inst1_staff):
    enrolment = factories.draft_enrolment(
        inst1_staff, trainee_obj=factories.trainee(inst1_staff.institution, name="赵敏")
    )
    enrolment.batch.name = "赵敏所在的制版一班"
    enrolment.batch.save()

    found = selectors.search_enrolments(Enrolment.objects.all(), text="赵敏")

    assert list(found.values_list("pk", flat=True)) == [enrolment.pk]
    assert found.count() == 1


def test_it_redirects_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_refuses_trainees(client, trainee_user):
    client.force_login(trainee_user)
    assert client.get(URL).status_code == 403


def test_assessor_sees_full_names_and_the_last_four_and_never_own_institutions_candidates(
    client, enrolment_ready_for_review, inst1
):
    conflicted = factories.user("conflicted", Role.ASSESSOR, institution=inst1)
    independent = factories.user("independent", Role.ASSESSOR)
    trainee = enrolment_ready_for_review.trainee
    client.force_login(conflicted)
    assert trainee.name not in client.get(URL).content.decode()
    client.force_login(independent)
    page = client.get(URL).content.decode()
    assert trainee.name in page and f"****{trainee.id_number[-4:]}" in page
    assert trainee.masked_id_number not in page


@pytest.mark.parametrize("role_fixture", ["officer", "inst1_staff"])
def test_its_query_count_does_not_grow_with_rows(client, request, role_fixture, inst1_staff):
    user = request.getfixturevalue(role_fixture)
    batch = factories.batch(inst1_staff.institution, capacity=100)
    factories.draft_enrolment(inst1_staff, batch_obj=batch)
    client.force_login(user)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(URL).status_code == 200
    for _ in range(30):
        factories.draft_enrolment(inst1_staff, batch_obj=batch)
    with CaptureQueriesContext(connection) as many_rows:
        assert client.get(URL).status_code == 200
    assert len(many_rows) == len(one_row)
