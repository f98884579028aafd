"""/api/keys/: institution staff manage their own institution's keys, the office any institution's;
a key's secret is shown once and stored hashed."""

from django.utils import translation

from api.models import InstitutionAPIKey
from certification.models import StateLog

from .conftest import client_with_key


def test_staff_make_a_key_for_their_institution_and_see_it_once(client, inst1_staff):
    client.force_login(inst1_staff)
    response = client.post("/api/keys/", {"name": "ERP", "access": "read_write"})
    assert response.status_code == 201
    secret = response.context["secret"]
    key = InstitutionAPIKey.objects.get()
    assert key.institution_id == inst1_staff.institution_id and key.created_by == inst1_staff
    assert secret not in key.hashed_key and key.is_valid(secret)
    assert secret not in client.get("/api/keys/").content.decode()  # never shown again


def test_the_office_makes_a_key_for_any_institution(client, officer, inst2):
    client.force_login(officer)
    response = client.post("/api/keys/", {"name": "sync", "access": "read_only", "institution": inst2.pk})
    assert response.status_code == 201
    assert InstitutionAPIKey.objects.get().institution == inst2


def test_staff_do_not_see_or_revoke_another_institutions_keys(client, inst1_staff, inst2_staff):
    client.force_login(inst2_staff)
    client.post("/api/keys/", {"name": "theirs", "access": "read_write"})
    key = InstitutionAPIKey.objects.get()
    client.force_login(inst1_staff)
    assert "theirs" not in client.get("/api/keys/").content.decode()
    assert client.post(f"/api/keys/{key.prefix}/revoke/").status_code == 404
    key.refresh_from_db()
    assert not key.revoked


def test_a_revoked_key_stops_working_at_once(client, inst1_staff):
    client.force_login(inst1_staff)
    secret = client.post("/api/keys/", {"name": "old", "access": "read_write"}).context["secret"]
    key = InstitutionAPIKey.objects.get()
    assert client_with_key(secret).get("/api/v1/batches/").status_code == 200
    assert client.post(f"/api/keys/{key.prefix}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked and key.revoked_by == inst1_staff and not key.service_user.is_active
    assert client_with_key(secret).get("/api/v1/batches/").status_code == 401


def test_anonymous_goes_to_login_and_other_roles_are_refused(client, assessor, trainee_user):
    assert client.get("/api/keys/").status_code == 302
    for user in (assessor, trainee_user):
        client.force_login(user)
        assert client.get("/api/keys/").status_code == 403
        assert client.post("/api/keys/", {"name": "x", "access": "read_write"}).status_code == 403
    assert not InstitutionAPIKey.objects.exists()


def test_a_key_without_a_name_is_refused(client, inst1_staff):
    client.force_login(inst1_staff)
    assert client.post("/api/keys/", {"name": "", "access": "read_write"}).status_code == 400
    assert not InstitutionAPIKey.objects.exists()


def test_what_a_key_does_is_recorded_under_its_name(client, inst1_staff, draft_enrolment):
    client.force_login(inst1_staff)
    secret = client.post("/api/keys/", {"name": "nightly sync", "access": "read_write"}).context["secret"]
    client_with_key(secret).post(f"/api/v1/enrolments/{draft_enrolment.pk}/submit/", {}, format="json")
    log = StateLog.objects.get(enrolment=draft_enrolment)
    with translation.override("en"):
        assert log.actor.display_name == "nightly sync API key"
    assert log.actor.api_key.name == "nightly sync"


def test_the_menu_links_the_key_page(client, inst1_staff, officer):
    for user in (inst1_staff, officer):
        client.force_login(user)
        assert 'href="/api/keys/"' in client.get("/").content.decode()


def test_the_reference_and_the_schema_are_served_locally(client, db):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page and "//cdn" not in page and "unpkg" not in page
    assert client.get("/api/docs/?script=").status_code == 200


def test_the_key_page_query_count_does_not_grow_with_keys(client, inst1_staff, django_assert_max_num_queries):
    from api import keys

    for number in range(5):
        keys.create_api_key(
            actor=inst1_staff, institution_id=inst1_staff.institution_id, name=f"k{number}", access="read_only"
        )
    client.force_login(inst1_staff)
    with django_assert_max_num_queries(20):
        assert client.get("/api/keys/").status_code == 200
