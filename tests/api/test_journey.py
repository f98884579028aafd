"""docs/api.md's journey, as a test: a key, ten trainees registered, enrolled, trained, examined and
submitted through the API; the office approves and issues through the API. The assessment (two
assessors' decisions) and the 公示 (open, then close after its period) have no API endpoint: they
run here through the same services their pages call (workflows.assessment.services.decide,
workflows.publicity.services.open_publicity and close_due_publicity)."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from certificates.models import Certificate
from certification.models import Enrolment, StateLog
from tests import factories
from workflows.assessment import services as assessment
from workflows.publicity import services as publicity

from .conftest import client_with_key


def _post(client, path, data=None, **kwargs):
    """POST with an Idempotency-Key, as docs/api.md recommends; fails the test on anything but 2xx."""
    kwargs.setdefault("format", "json")
    response = client.post(path, data or {}, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()), **kwargs)
    assert 200 <= response.status_code < 300, (path, response.status_code, response.content)
    return response.json()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_ten_trainees_go_from_registration_to_certificates(
    client,
    inst1_staff,
    officer,
    assessor,
    assessor2,
    fast_rendering,
    immediate_tasks,
    django_capture_on_commit_callbacks,
):
    # 1. The institution's staff make a read-write key on /api/keys/ (shown once).
    client.force_login(inst1_staff)
    page = client.post("/api/keys/", {"name": "training system", "access": "read_write"})
    assert page.status_code == 201
    key = client_with_key(page.context["secret"])

    # 2. A batch, ten trainees, ten draft enrolments, submitted for approval.
    tracks = {track["code"]: track for track in key.get("/api/v1/tracks/").json()}
    start = timezone.localdate() - timedelta(days=70)
    batch = _post(
        key,
        "/api/v1/batches/",
        {
            "name": "制版 2026 春",
            "track": "PM",
            "level": 4,
            "start_date": str(start),
            "end_date": str(start + timedelta(days=60)),
            "capacity": 30,
        },
    )
    enrolment_ids = []
    for number in range(10):
        id_number = factories.resident_id()
        trainee = _post(
            key,
            "/api/v1/trainees/",
            {
                "name": f"学员{number}",
                "id_number": id_number,
                "gender": "F",
                "birth_date": f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
                "education": "senior",
                "phone": "13800000000",
            },
        )
        enrolment = _post(key, "/api/v1/enrolments/", {"trainee": trainee["id"], "batch": batch["id"]})
        assert enrolment["status"] == "draft"
        _post(key, f"/api/v1/enrolments/{enrolment['id']}/submit/", {"expected_status": "draft"})
        enrolment_ids.append(enrolment["id"])

    # 3. The office (signed in) approves them, all at once.
    office = APIClient()
    office.force_login(officer)
    queue = office.get(f"/api/v1/approvals/?batch={batch['id']}").json()["results"]
    assert sorted(row["id"] for row in queue) == sorted(enrolment_ids)
    approved = _post(office, "/api/v1/approvals/approve/", {"enrolments": enrolment_ids})
    assert {row["status"] for row in approved["moved"]} == {"enrolled"}

    # 4. Completions, training completed, scores and the 3D model, results submitted.
    for enrolment_id in enrolment_ids:
        for module in tracks["PM"]["modules"]:
            data = {"module": module["id"], "hours": module["min_hours"], "score": "85.0"}
            if module["evidence_required"]:
                data["evidence"] = SimpleUploadedFile(
                    "model.pdf", b"%PDF-1.4 3D model export", content_type="application/pdf"
                )
                _post(key, f"/api/v1/enrolments/{enrolment_id}/completions/", data, format="multipart")
            else:
                _post(key, f"/api/v1/enrolments/{enrolment_id}/completions/", data)
        _post(key, f"/api/v1/enrolments/{enrolment_id}/complete-training/")
        _post(
            key,
            f"/api/v1/enrolments/{enrolment_id}/results/scores/",
            {"theory_score": "78.0", "practical_score": "84.5", "exam_date": str(timezone.localdate())},
        )
        _post(
            key,
            f"/api/v1/enrolments/{enrolment_id}/results/evidence/",
            {"kind": "3d_model", "file": SimpleUploadedFile("coat.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")},
            format="multipart",
        )
        assert key.get(f"/api/v1/enrolments/{enrolment_id}/results/").json()["missing"] == ""
        submitted = _post(key, f"/api/v1/enrolments/{enrolment_id}/results/submit/", {"expected_status": "trained"})
        assert submitted["status"] == "under_review"

    # 5. Assessment and 公示 through their services (no API for them).
    for enrolment_id in enrolment_ids:
        enrolment = Enrolment.objects.get(pk=enrolment_id)
        reviewer = assessor
        for _ in range(enrolment.track.reviewers_required):
            assessment.decide(assessor=reviewer, task_id=factories.open_review_task(enrolment).pk, decision="pass")
            reviewer = assessor2
    notice = publicity.open_publicity(officer=officer, enrolment_ids=enrolment_ids, title="2026 年第一批公示")
    publicity.close_due_publicity(today=notice.ends_on + timedelta(days=1), actor=officer)

    # 6. The office starts an issuance run for the batch and follows it to the end.
    with django_capture_on_commit_callbacks(execute=True):
        run = _post(office, "/api/v1/issuance-runs/", {"batch": batch["id"]})
    progress = office.get(f"/api/v1/issuance-runs/{run['id']}/").json()["progress"]
    assert progress["issued"] == 10 and progress["finished"]

    # 7. The institution sees its ten certificates, each with its PDF; the public their status.
    certificates = key.get(f"/api/v1/certificates/?batch={batch['id']}").json()["results"]
    assert len(certificates) == 10 and {c["status"] for c in certificates} == {"valid"}
    pdf = key.get(f"/api/v1/certificates/{certificates[0]['id']}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    public = APIClient().get(f"/api/v1/public/certificates/{certificates[0]['number']}/").json()
    assert public["status"] == "valid" and "*" in public["holder"]

    # The audit trail names the key for everything it did.
    key_user = StateLog.objects.filter(enrolment_id=enrolment_ids[0], transition="submit").get().actor
    assert key_user.username.startswith("api-key-") and key_user.first_name == "training system"
    assert Certificate.objects.filter(enrolment_id__in=enrolment_ids).count() == 10
