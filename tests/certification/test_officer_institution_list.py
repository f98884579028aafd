import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification import services
from certification.models import InstitutionStatus, Role, TrackQuota

from .. import factories

URL = "/officer/institutions/"


def approve_one(officer, staff, track_code="PM"):
    enrolment = factories.draft_enrolment(staff, track_code)
    services.submit_enrolment(actor=staff, enrolment_id=enrolment.pk)
    services.approve_enrolments(officer=officer, enrolment_ids=[enrolment.pk])
    return enrolment


def test_it_lists_institutions_with_staff_and_this_years_quota_use(client, officer, inst1, inst1_staff):
    approve_one(officer, inst1_staff, "PM")
    factories.user("inst1-b", Role.INSTITUTION, institution=inst1)
    factories.user("affiliated-assessor", Role.ASSESSOR, institution=inst1)  # not staff of the institution
    client.force_login(officer)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert inst1.name in page and inst1.org_code in page
    row = response.context["rows"][0]
    institution, cells = row
    assert institution.staff_count == 2
    used = {quota.track.code: (quota.used, quota.quota) for quota in cells}
    assert used == {"CR": (0, 100), "NM": (0, 100), "PM": (1, 100)}
    assert "1 / 100" in page


def test_it_shows_no_quota_where_none_is_set(client, officer):
    institution = factories.institution("无配额学校")
    TrackQuota.objects.filter(institution=institution).delete()
    client.force_login(officer)
    response = client.get(URL)
    assert response.context["rows"][0][1] == [None, None, None]


def test_it_filters_by_status_and_searches_by_name_or_code(client, officer):
    approved = factories.institution("杭州时尚学校")
    suspended = factories.institution("宁波服装中心", status=InstitutionStatus.SUSPENDED)
    client.force_login(officer)
    page = client.get(URL, {"status": "suspended"}).content.decode()
    assert suspended.name in page and approved.name not in page
    page = client.get(URL, {"q": "杭州"}).content.decode()
    assert approved.name in page and suspended.name not in page
    page = client.get(URL, {"q": suspended.org_code.lower()}).content.decode()
    assert suspended.name in page and approved.name not in page


def test_it_ignores_an_unknown_status_filter(client, officer, inst1):
    client.force_login(officer)
    response = client.get(URL, {"status": "nonsense"})
    assert response.status_code == 200
    assert inst1.name in response.content.decode()


def test_it_paginates(client, officer):
    for _ in range(30):
        factories.institution("分页学校")
    client.force_login(officer)
    response = client.get(URL, {"page": 2})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 5


def test_it_redirects_anonymous_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role_fixture", ["inst1_staff", "assessor", "trainee_user"])
def test_it_refuses_everyone_but_officers(db, client, request, role_fixture):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(URL).status_code == 403


def test_its_query_count_does_not_grow_with_rows(client, officer, inst1_staff):
    approve_one(officer, inst1_staff)
    client.force_login(officer)
    client.get(URL)  # warm up per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(URL).status_code == 200
    for number in range(39):
        institution = factories.institution("学校")
        staff = factories.user(f"staff{number}", Role.INSTITUTION, institution=institution)
        if number % 10 == 0:
            approve_one(officer, staff, "CR")
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(URL)
    assert response.context["page_obj"].paginator.count == 40
    assert len(many_rows) == len(one_row)
