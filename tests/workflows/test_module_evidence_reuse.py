"""The 3D model recorded with a module completion: reused as results evidence in one click (no
second upload), and shown to the assessor beside the module's hours."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification import registration, services
from certification.models import EvidenceFile, EvidenceKind, Role

from .. import factories
from .test_evidence_checks import obj_bytes


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def trained(draft_enrolment, inst1_staff, officer):
    """Pattern-making, trained, with the 3D module's evidence an OBJ model."""
    enrolment = factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="trained")
    module = enrolment.track.modules.filter(evidence_required=True).first()
    registration.record_module_completion(
        staff=inst1_staff,
        enrolment_id=enrolment.pk,
        module_id=module.pk,
        hours=module.min_hours,
        score=None,
        evidence=SimpleUploadedFile("coat.obj", obj_bytes()),
    )
    return enrolment


def model_completion(enrolment):
    return enrolment.completions.get(module__evidence_required=True)


def results(enrolment) -> str:
    return f"/assessment/enrolments/{enrolment.pk}/results/"


def test_the_results_page_offers_the_module_model_and_reuses_it_in_one_click(client, inst1_staff, trained):
    completion = model_completion(trained)
    client.force_login(inst1_staff)
    assert f'data-reuse="{completion.pk}"' in client.get(results(trained)).content.decode()
    response = client.post(results(trained), {"action": "reuse", "completion": completion.pk})
    assert response.status_code == 302
    copied = EvidenceFile.objects.get()
    assert copied.kind == EvidenceKind.MODEL_3D and copied.file.read() == obj_bytes()
    assert copied.file.name != completion.evidence.name  # a copy: removing one keeps the other
    assert f'data-reuse="{completion.pk}"' not in client.get(results(trained)).content.decode()
    assert client.post(results(trained), {"action": "reuse", "completion": completion.pk}).status_code == 400
    assert EvidenceFile.objects.count() == 1


def test_with_the_reused_model_the_results_can_be_submitted(client, inst1_staff, trained):
    factories.enter_passing_results(trained, inst1_staff)
    EvidenceFile.objects.all().delete()
    client.force_login(inst1_staff)
    client.post(results(trained), {"action": "reuse", "completion": model_completion(trained).pk})
    services.submit_results(staff=inst1_staff, enrolment_id=trained.pk)
    trained.refresh_from_db()
    assert trained.status == "under_review"


def test_the_assessor_sees_and_downloads_the_module_file(client, assessor, inst1_staff, trained):
    factories.enter_passing_results(trained, inst1_staff)
    services.submit_results(staff=inst1_staff, enrolment_id=trained.pk)
    task = factories.open_review_task(trained)
    completion = model_completion(trained)
    client.force_login(assessor)
    page = client.get(f"/assessment/tasks/{task.pk}/").content.decode()
    assert f"/assessment/module-evidence/{completion.pk}/" in page
    response = client.get(f"/assessment/module-evidence/{completion.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == obj_bytes()


def test_nobody_else_gets_the_module_file(client, inst1, inst2_staff, trained):
    completion = model_completion(trained)
    address = f"/assessment/module-evidence/{completion.pk}/"
    assert "/accounts/login/" in client.get(address)["Location"]
    for person in (inst2_staff, factories.user("affiliated", Role.ASSESSOR, institution=inst1)):
        client.force_login(person)
        assert client.get(address).status_code == 404


def test_another_institution_cannot_reuse_the_file(client, inst2_staff, trained):
    client.force_login(inst2_staff)
    response = client.post(results(trained), {"action": "reuse", "completion": model_completion(trained).pk})
    assert response.status_code == 404
    assert not EvidenceFile.objects.exists()
