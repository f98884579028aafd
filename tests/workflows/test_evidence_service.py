"""attach_evidence / remove_evidence: who may, when, and what ends up in storage."""

from pathlib import Path

import pytest
from django.db import transaction

from certification import evidence, services
from certification.models import EvidenceFile, EvidenceKind
from core.errors import InvalidInput, MoveForbidden, RuleNotMet

from .. import factories
from .test_evidence_checks import REJECTED, obj_bytes, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def stored_attempt_files(media: Path) -> list[Path]:
    return sorted(p for p in (media / "evidence" / "attempts").rglob("*") if p.is_file())


@pytest.fixture
def trained_enrolment(draft_enrolment, inst1_staff, officer):
    return factories.advance(draft_enrolment, staff=inst1_staff, officer=officer, to="trained")


def test_it_keeps_the_file_under_a_random_name_with_its_original_name_for_display(
    trained_enrolment, inst1_staff, media
):
    kept = evidence.attach_evidence(
        staff=inst1_staff,
        enrolment_id=trained_enrolment.pk,
        kind=EvidenceKind.MODEL_3D,
        upload=upload("../外套 v2.obj", obj_bytes()),
    )
    assert kept.original_name == "外套 v2.obj"
    assert kept.size == len(obj_bytes()) and kept.uploaded_by == inst1_staff
    assert "外套" not in kept.file.name and kept.file.name.endswith(".obj")
    assert kept.file.name.startswith("evidence/attempts/")
    [path] = stored_attempt_files(media)
    assert path.read_bytes() == obj_bytes()
    assert kept.attempt == trained_enrolment.current_attempt and kept.attempt.number == 1


@pytest.mark.parametrize("case", REJECTED)
def test_a_refused_upload_leaves_nothing_behind(trained_enrolment, inst1_staff, media, case):
    name, content, words = REJECTED[case]
    with pytest.raises(InvalidInput) as refused:
        evidence.attach_evidence(
            staff=inst1_staff,
            enrolment_id=trained_enrolment.pk,
            kind=EvidenceKind.MODEL_3D,
            upload=upload(name, content),
        )
    assert words in refused.value.message
    assert not EvidenceFile.objects.exists()
    assert stored_attempt_files(media) == []


def test_another_institution_cannot_attach(trained_enrolment, inst2_staff, media):
    with pytest.raises(MoveForbidden):
        evidence.attach_evidence(
            staff=inst2_staff,
            enrolment_id=trained_enrolment.pk,
            kind=EvidenceKind.MODEL_3D,
            upload=upload("coat.obj", obj_bytes()),
        )
    assert stored_attempt_files(media) == []


def test_an_officer_cannot_attach(trained_enrolment, officer):
    with pytest.raises(MoveForbidden):
        evidence.attach_evidence(
            staff=officer,
            enrolment_id=trained_enrolment.pk,
            kind=EvidenceKind.MODEL_3D,
            upload=upload("coat.obj", obj_bytes()),
        )


def test_nothing_is_attached_before_training_is_complete(enrolled_enrolment, inst1_staff, media):
    with pytest.raises(RuleNotMet):
        evidence.attach_evidence(
            staff=inst1_staff,
            enrolment_id=enrolled_enrolment.pk,
            kind=EvidenceKind.MODEL_3D,
            upload=upload("coat.obj", obj_bytes()),
        )
    assert stored_attempt_files(media) == []


def test_nothing_is_attached_or_removed_once_submitted(enrolment_ready_for_review, inst1_staff, media):
    with pytest.raises(RuleNotMet):
        evidence.attach_evidence(
            staff=inst1_staff,
            enrolment_id=enrolment_ready_for_review.pk,
            kind=EvidenceKind.MODEL_3D,
            upload=upload("coat.obj", obj_bytes()),
        )
    kept = enrolment_ready_for_review.current_attempt.evidence_files.get()
    with pytest.raises(RuleNotMet):
        evidence.remove_evidence(staff=inst1_staff, evidence_id=kept.pk)
    assert EvidenceFile.objects.filter(pk=kept.pk).exists()


def test_an_unknown_kind_is_refused(trained_enrolment, inst1_staff):
    with pytest.raises(InvalidInput):
        evidence.attach_evidence(
            staff=inst1_staff, enrolment_id=trained_enrolment.pk, kind="video", upload=upload("coat.obj", obj_bytes())
        )


def test_the_number_of_files_per_attempt_is_limited(trained_enrolment, inst1_staff, settings):
    settings.EVIDENCE_MAX_FILES = 2
    for _ in range(2):
        evidence.attach_evidence(
            staff=inst1_staff,
            enrolment_id=trained_enrolment.pk,
            kind=EvidenceKind.MODEL_3D,
            upload=upload("coat.obj", obj_bytes()),
        )
    with pytest.raises(RuleNotMet):
        evidence.attach_evidence(
            staff=inst1_staff,
            enrolment_id=trained_enrolment.pk,
            kind=EvidenceKind.MODEL_3D,
            upload=upload("coat.obj", obj_bytes()),
        )


def test_removing_deletes_the_row_and_the_file(
    trained_enrolment, inst1_staff, media, django_capture_on_commit_callbacks
):
    kept = evidence.attach_evidence(
        staff=inst1_staff,
        enrolment_id=trained_enrolment.pk,
        kind=EvidenceKind.MODEL_3D,
        upload=upload("coat.obj", obj_bytes()),
    )
    with django_capture_on_commit_callbacks(execute=True):
        evidence.remove_evidence(staff=inst1_staff, evidence_id=kept.pk)
    assert not EvidenceFile.objects.exists()
    assert stored_attempt_files(media) == []


def test_a_rolled_back_removal_keeps_the_file(trained_enrolment, inst1_staff, media):
    kept = evidence.attach_evidence(
        staff=inst1_staff,
        enrolment_id=trained_enrolment.pk,
        kind=EvidenceKind.MODEL_3D,
        upload=upload("coat.obj", obj_bytes()),
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        evidence.remove_evidence(staff=inst1_staff, evidence_id=kept.pk)
        raise RuntimeError("something later failed")
    assert EvidenceFile.objects.filter(pk=kept.pk).exists()
    assert len(stored_attempt_files(media)) == 1


def test_another_institution_cannot_remove(trained_enrolment, inst1_staff, inst2_staff):
    kept = evidence.attach_evidence(
        staff=inst1_staff,
        enrolment_id=trained_enrolment.pk,
        kind=EvidenceKind.MODEL_3D,
        upload=upload("coat.obj", obj_bytes()),
    )
    with pytest.raises(MoveForbidden):
        evidence.remove_evidence(staff=inst2_staff, evidence_id=kept.pk)
    assert EvidenceFile.objects.filter(pk=kept.pk).exists()


def test_a_resit_cannot_remove_the_evidence_of_the_earlier_attempt(inst1_staff, officer, assessor):
    enrolment = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review"
    )
    services._move(actor=assessor, enrolment_id=enrolment.pk, transition="fail", reason="理论未达标")
    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")
    earlier = enrolment.attempts.get(number=1).evidence_files.get()
    with pytest.raises(RuleNotMet):
        evidence.remove_evidence(staff=inst1_staff, evidence_id=earlier.pk)
    resit_file = evidence.attach_evidence(
        staff=inst1_staff, enrolment_id=enrolment.pk, kind=EvidenceKind.MODEL_3D, upload=upload("coat.obj", obj_bytes())
    )
    assert resit_file.attempt.number == 2
