import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .. import factories


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def url(batch) -> str:
    return f"/institution/batches/{batch.pk}/"


def test_it_lists_the_batchs_enrolments_with_badges_and_links(client, inst1_staff, submitted_enrolment):
    batch = submitted_enrolment.batch
    draft = factories.draft_enrolment(inst1_staff, batch_obj=batch)
    client.force_login(inst1_staff)
    response = client.get(url(batch))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"/enrolments/{submitted_enrolment.pk}/" in page and f"/enrolments/{draft.pk}/" in page
    assert "badge-submitted" in page and "badge-draft" in page
    assert "Submit selected drafts for approval" in page
    # Only drafts can be ticked.
    assert f'name="enrolments" value="{draft.pk}"' in page
    assert f'name="enrolments" value="{submitted_enrolment.pk}"' not in page


def test_officers_see_it_read_only(client, officer, draft_enrolment):
    client.force_login(officer)
    page = client.get(url(draft_enrolment.batch)).content.decode()
    assert draft_enrolment.trainee.name in page
    assert "Submit selected drafts" not in page and "/edit/" not in page


def test_it_is_404_for_another_institutions_batch(client, inst2_staff, draft_enrolment):
    client.force_login(inst2_staff)
    assert client.get(url(draft_enrolment.batch)).status_code == 404


def test_it_redirects_anonymous_to_login(client, draft_enrolment):
    response = client.get(url(draft_enrolment.batch))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["assessor", "trainee_user"])
def test_it_refuses_assessors_and_trainees(client, request, role_fixture, draft_enrolment):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(url(draft_enrolment.batch)).status_code == 403


def test_its_query_count_does_not_grow_with_enrolments(client, inst1_staff):
    batch = factories.batch(inst1_staff.institution, capacity=100)
    factories.draft_enrolment(inst1_staff, batch_obj=batch)
    client.force_login(inst1_staff)
    client.get(url(batch))
    with CaptureQueriesContext(connection) as one_row:
        client.get(url(batch))
    for _ in range(39):
        factories.draft_enrolment(inst1_staff, batch_obj=batch)
    with CaptureQueriesContext(connection) as many_rows:
        client.get(url(batch))
    assert len(many_rows) == len(one_row)
