from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .. import factories

URL = "/institution/batches/"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_it_lists_own_batches_with_enrolled_and_capacity(client, inst1_staff, draft_enrolment):
    batch = draft_enrolment.batch
    client.force_login(inst1_staff)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert batch.name in page
    assert f"1 / {batch.capacity}" in page
    assert f"{batch.start_date:%Y-%m-%d}" in page


def test_it_hides_other_institutions_batches(client, inst1_staff, inst2):
    foreign = factories.batch(inst2)
    client.force_login(inst1_staff)
    assert foreign.name not in client.get(URL).content.decode()


def test_it_filters_by_track_and_year(client, inst1_staff):
    pattern = factories.batch(inst1_staff.institution, "PM", start=date(2025, 3, 1))
    craft = factories.batch(inst1_staff.institution, "CR", start=date(2026, 3, 1))
    client.force_login(inst1_staff)
    page = client.get(URL, {"track": "CR"}).content.decode()
    assert craft.name in page and pattern.name not in page
    page = client.get(URL, {"year": "2025"}).content.decode()
    assert pattern.name in page and craft.name not in page
    assert '<option value="2026">2026</option>' in page


def test_officers_see_every_institutions_batches(client, officer, inst1, inst2):
    first, second = factories.batch(inst1), factories.batch(inst2)
    client.force_login(officer)
    page = client.get(URL).content.decode()
    assert first.name in page and second.name in page


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
    for year in range(39):
        factories.draft_enrolment(
            inst1_staff, batch_obj=factories.batch(inst1_staff.institution, start=date(1990 + year, 1, 1))
        )
    with CaptureQueriesContext(connection) as many_rows:
        assert client.get(URL).status_code == 200
    assert len(many_rows) == len(one_row)
