"""/assessment/evidence/<id>/: served as an attachment only to those who may see the candidate; 404 to others."""

from pathlib import Path
from urllib.parse import quote

import pytest

from certification import evidence, services
from certification.models import ConflictDeclaration, ConflictKind, EvidenceKind, Role

from .. import factories
from .test_evidence_checks import obj_bytes, pdf_bytes, png_bytes, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def trained_enrolment(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="trained")


@pytest.fixture
def model_file(trained_enrolment, inst1_staff):
    return evidence.attach_evidence(
        staff=inst1_staff,
        enrolment_id=trained_enrolment.pk,
        kind=EvidenceKind.MODEL_3D,
        upload=upload("外套 正面.obj", obj_bytes()),
    )


@pytest.fixture
def file_under_review(model_file, trained_enrolment, inst1_staff):
    factories.enter_passing_results(trained_enrolment, inst1_staff)
    services._move(actor=inst1_staff, enrolment_id=trained_enrolment.pk, transition="submit_results")
    return model_file


def url(evidence_file):
    return f"/assessment/evidence/{evidence_file.pk}/"


def test_own_staff_download_it_as_an_attachment_with_the_original_name(client, inst1_staff, model_file):
    client.force_login(inst1_staff)
    response = client.get(url(model_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == obj_bytes()
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote("外套 正面.obj") in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "name, build, kind, content_type",
    [
        ("scan.pdf", pdf_bytes, EvidenceKind.DOCUMENT, "application/pdf"),
        ("work.png", png_bytes, EvidenceKind.PHOTO, "image/png"),
    ],
)
def test_the_content_type_comes_from_the_checked_format(
    client, inst1_staff, trained_enrolment, name, build, kind, content_type
):
    kept = evidence.attach_evidence(
        staff=inst1_staff, enrolment_id=trained_enrolment.pk, kind=kind, upload=upload(name, build())
    )
    client.force_login(inst1_staff)
    response = client.get(url(kept))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")


def test_an_officer_downloads_it(client, officer, model_file):
    client.force_login(officer)
    assert client.get(url(model_file)).status_code == 200


def test_the_trainee_downloads_their_own(client, trained_enrolment, model_file):
    client.force_login(trained_enrolment.trainee.user)
    assert client.get(url(model_file)).status_code == 200


def test_another_trainee_gets_404(client, inst1_staff, officer, model_file):
    other = factories.advance(
        factories.draft_enrolment(inst1_staff, "CR"), staff=inst1_staff, officer=officer, to="enrolled"
    )
    client.force_login(other.trainee.user)
    assert client.get(url(model_file)).status_code == 404


def test_an_assessor_without_conflict_downloads_it_while_under_review(client, assessor, file_under_review):
    client.force_login(assessor)
    assert client.get(url(file_under_review)).status_code == 200


def test_an_assessor_gets_404_before_the_results_are_submitted(client, assessor, model_file):
    client.force_login(assessor)
    assert client.get(url(model_file)).status_code == 404


def test_an_assessor_of_the_candidates_institution_gets_404(client, inst1, file_under_review):
    affiliated = factories.user("assessor-inst1", Role.ASSESSOR, institution=inst1)
    client.force_login(affiliated)
    assert client.get(url(file_under_review)).status_code == 404


def test_an_assessor_with_a_declared_conflict_gets_404(client, assessor2, trained_enrolment, file_under_review):
    ConflictDeclaration.objects.create(
        assessor=assessor2, trainee=trained_enrolment.trainee, kind=ConflictKind.RELATIVE
    )
    client.force_login(assessor2)
    assert client.get(url(file_under_review)).status_code == 404


def test_another_institution_gets_404(client, inst2_staff, model_file):
    client.force_login(inst2_staff)
    assert client.get(url(model_file)).status_code == 404


def test_a_file_missing_from_storage_is_404(client, inst1_staff, model_file):
    model_file.file.storage.delete(model_file.file.name)
    client.force_login(inst1_staff)
    assert client.get(url(model_file)).status_code == 404


def test_it_redirects_anonymous_to_login(client, model_file):
    response = client.get(url(model_file))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
