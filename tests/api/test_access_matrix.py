"""Every API endpoint × who asks: anonymous (401), a wrong role (403), another institution (404),
a revoked key (401), a read-only key on a write (403). Objects belong to institution 1."""

import pytest
from rest_framework.test import APIClient

from api import keys
from certificates.models import IssuanceRun
from certification.models import EvidenceFile

from .conftest import client_as, client_with_key

# (method, path, who may use it): "staff" = institution staff and the office, "officer" = the office.
ENDPOINTS = [
    ("get", "/api/v1/tracks/", "staff"),
    ("get", "/api/v1/batches/", "staff"),
    ("post", "/api/v1/batches/", "staff"),
    ("get", "/api/v1/batches/{batch}/", "staff"),
    ("patch", "/api/v1/batches/{batch}/", "staff"),
    ("get", "/api/v1/trainees/", "staff"),
    ("post", "/api/v1/trainees/", "staff"),
    ("get", "/api/v1/trainees/{trainee}/", "staff"),
    ("patch", "/api/v1/trainees/{trainee}/", "staff"),
    ("get", "/api/v1/enrolments/", "staff"),
    ("post", "/api/v1/enrolments/", "staff"),
    ("get", "/api/v1/enrolments/{enrolment}/", "staff"),
    ("post", "/api/v1/enrolments/{enrolment}/submit/", "staff"),
    ("post", "/api/v1/enrolments/{enrolment}/resubmit/", "staff"),
    ("post", "/api/v1/enrolments/{enrolment}/complete-training/", "staff"),
    ("post", "/api/v1/enrolments/{enrolment}/withdraw/", "staff"),
    ("get", "/api/v1/enrolments/{enrolment}/completions/", "staff"),
    ("post", "/api/v1/enrolments/{enrolment}/completions/", "staff"),
    ("get", "/api/v1/enrolments/{enrolment}/results/", "staff"),
    ("post", "/api/v1/enrolments/{enrolment}/results/scores/", "staff"),
    ("post", "/api/v1/enrolments/{enrolment}/results/evidence/", "staff"),
    ("delete", "/api/v1/enrolments/{enrolment}/results/evidence/{evidence}/", "staff"),
    ("post", "/api/v1/enrolments/{enrolment}/results/submit/", "staff"),
    ("get", "/api/v1/certificates/", "staff"),
    ("get", "/api/v1/certificates/{certificate}/", "staff"),
    ("get", "/api/v1/certificates/{certificate}/pdf/", "staff"),
    ("get", "/api/v1/statistics/", "staff"),
    ("get", "/api/v1/approvals/", "officer"),
    ("post", "/api/v1/approvals/approve/", "officer"),
    ("post", "/api/v1/approvals/reject/", "officer"),
    ("get", "/api/v1/issuance-runs/", "officer"),
    ("post", "/api/v1/issuance-runs/", "officer"),
    ("get", "/api/v1/issuance-runs/{run}/", "officer"),
]
IDS = [f"{method.upper()} {path}" for method, path, _ in ENDPOINTS]


@pytest.fixture
def world(issued, inst1_staff, officer):
    """Institution 1's objects: a batch, a trainee, an enrolment with an evidence file, a certificate, a run."""
    enrolment = issued.enrolment
    attempt = enrolment.attempts.order_by("-number").first()
    evidence = EvidenceFile.objects.filter(attempt=attempt).first()
    run = IssuanceRun.objects.create(officer=officer, total=0)
    return {
        "batch": enrolment.batch_id,
        "trainee": enrolment.trainee_id,
        "enrolment": enrolment.pk,
        "evidence": evidence.pk,
        "certificate": issued.pk,
        "run": run.pk,
    }


def _call(client, method, path, world):
    return getattr(client, method)(path.format(**world), {}, format="json")


@pytest.mark.parametrize(("method", "path", "who"), ENDPOINTS, ids=IDS)
def test_anonymous_is_asked_to_authenticate(world, method, path, who):
    response = _call(APIClient(), method, path, world)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize(("method", "path", "who"), ENDPOINTS, ids=IDS)
def test_a_wrong_role_is_refused(world, assessor, trainee_user, inst1_staff, method, path, who):
    wrong = [assessor, trainee_user] + ([inst1_staff] if who == "officer" else [])
    for user in wrong:
        response = _call(client_as(user), method, path, world)
        assert response.status_code == 403, (user.role, response.content)
        assert response.json()["error"] == "forbidden"


OBJECT_ENDPOINTS = [(m, p, w) for m, p, w in ENDPOINTS if "{" in p and w == "staff"]


@pytest.mark.parametrize(
    ("method", "path", "who"), OBJECT_ENDPOINTS, ids=[f"{m.upper()} {p}" for m, p, _ in OBJECT_ENDPOINTS]
)
def test_another_institutions_object_is_not_found(world, inst2_staff, method, path, who):
    key, secret = keys.create_api_key(
        actor=inst2_staff, institution_id=inst2_staff.institution_id, name="x", access="read_write"
    )
    for client in (client_as(inst2_staff), client_with_key(secret)):
        response = _call(client, method, path, world)
        assert response.status_code == 404, response.content
        assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(("method", "path", "who"), ENDPOINTS, ids=IDS)
def test_a_revoked_key_is_refused(world, inst1_revoked_key, method, path, who):
    response = _call(inst1_revoked_key, method, path, world)
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path", "who"), ENDPOINTS, ids=IDS)
def test_a_wrong_key_is_refused(world, inst1_staff, method, path, who):
    key, secret = keys.create_api_key(
        actor=inst1_staff, institution_id=inst1_staff.institution_id, name="x", access="read_write"
    )
    response = _call(client_with_key(secret[:-2] + "xx"), method, path, world)
    assert response.status_code == 401


WRITES = [(m, p, w) for m, p, w in ENDPOINTS if m != "get"]


@pytest.mark.parametrize(("method", "path", "who"), WRITES, ids=[f"{m.upper()} {p}" for m, p, _ in WRITES])
def test_a_read_only_key_cannot_write(world, inst1_read_key, method, path, who):
    response = _call(inst1_read_key, method, path, world)
    assert response.status_code == 403
    if who == "staff":
        assert "read-only" in response.json()["message"]


READS = [(m, p, w) for m, p, w in ENDPOINTS if m == "get" and w == "staff"]


@pytest.mark.parametrize(("method", "path", "who"), READS, ids=[f"{m.upper()} {p}" for m, p, _ in READS])
def test_a_read_only_key_and_the_office_read(world, inst1_read_key, officer, method, path, who):
    for client in (inst1_read_key, client_as(officer)):
        assert _call(client, method, path, world).status_code == 200


def test_the_public_status_needs_no_credentials(issued):
    response = APIClient().get(f"/api/v1/public/certificates/{issued.number}/")
    assert response.status_code == 200
    assert response.json()["id_number"] == issued.holder_id_number_masked


def test_an_unknown_number_is_not_found(db):
    response = APIClient().get("/api/v1/public/certificates/Y000133000101264999999/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_the_public_status_shares_the_verify_pages_rate_limit(issued, settings):
    settings.CERT_VERIFY_RATE_LIMIT = 2
    client = APIClient()
    assert client.get(f"/verify/{issued.number}.json").status_code == 200
    assert client.get(f"/api/v1/public/certificates/{issued.number}/").status_code == 200
    response = client.get(f"/api/v1/public/certificates/{issued.number}/")
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"


def test_a_key_records_its_last_use(inst1_staff):
    key, secret = keys.create_api_key(
        actor=inst1_staff, institution_id=inst1_staff.institution_id, name="x", access="read_only"
    )
    assert key.last_used_at is None
    client_with_key(secret).get("/api/v1/batches/")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_session_post_without_csrf_token_is_refused(inst1_staff):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(inst1_staff)
    response = client.post("/api/v1/batches/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
