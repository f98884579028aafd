"""Corrections and revocations (docs/spec.md §6): a correction supersedes, a revocation says why; both audited."""

import pytest

from certificates import services
from certificates.models import Certificate, CertificateEvent, CertificateStatus, EventKind
from certification import services as lifecycle_services
from certification.models import EnrolmentStatus, StateLog
from core.errors import InvalidInput, MoveForbidden, StaleState


def test_a_correction_issues_a_new_number_that_supersedes_the_old(issued, officer):
    trainee = issued.enrolment.trainee
    trainee.name = "张晓鸣"
    trainee.save()

    new = services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="name misspelt")

    issued.refresh_from_db()
    assert new.number != issued.number and new.serial == issued.serial + 1
    assert new.holder_name == "张晓鸣" and issued.holder_name == "张晓明"
    assert (new.status, issued.status) == (CertificateStatus.VALID, CertificateStatus.SUPERSEDED)
    assert new.supersedes == issued and issued.superseded_by == new
    assert new.correction_reason == "name misspelt"
    issued.enrolment.refresh_from_db()
    assert issued.enrolment.status == EnrolmentStatus.CERTIFIED


def test_a_correction_is_audited_on_both_certificates(issued, officer):
    new = services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="name misspelt")

    assert list(issued.events.values_list("kind", "reason")) == [
        (EventKind.ISSUED, ""),
        (EventKind.SUPERSEDED, "name misspelt"),
    ]
    assert list(new.events.values_list("kind", "actor")) == [(EventKind.REISSUED, officer.pk)]


def test_a_correction_needs_a_reason(issued, officer):
    with pytest.raises(InvalidInput):
        services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="  ")


def test_a_superseded_certificate_cannot_be_corrected_again(issued, officer):
    services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="first")

    with pytest.raises(StaleState):
        services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="second")
    assert Certificate.objects.count() == 2


def test_only_an_officer_corrects(issued, inst1_staff):
    with pytest.raises(MoveForbidden):
        services.reissue_certificate(officer=inst1_staff, certificate_id=issued.pk, reason="x")


def test_revoking_records_the_reason_and_moves_the_enrolment(issued, officer):
    revoked = services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="forged documents")

    assert revoked.status == CertificateStatus.REVOKED
    assert revoked.revoked_reason == "forged documents" and revoked.revoked_at
    log = StateLog.objects.filter(enrolment=issued.enrolment).last()
    assert (log.transition, log.reason, log.actor) == ("revoke", "forged documents", officer)
    assert CertificateEvent.objects.filter(certificate=issued, kind=EventKind.REVOKED).count() == 1


def test_revoking_needs_a_reason(issued, officer):
    with pytest.raises(InvalidInput):
        services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="")
    issued.refresh_from_db()
    assert issued.status == CertificateStatus.VALID


def test_a_superseded_certificate_cannot_be_revoked(issued, officer):
    services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="name")

    with pytest.raises(StaleState):
        services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="x")
    issued.refresh_from_db()
    assert issued.status == CertificateStatus.SUPERSEDED
    assert issued.enrolment.status == EnrolmentStatus.CERTIFIED


def test_only_an_officer_revokes(issued, inst1_staff):
    with pytest.raises(MoveForbidden):
        services.revoke_certificate(officer=inst1_staff, certificate_id=issued.pk, reason="x")


def test_revoking_from_the_enrolment_page_revokes_the_certificate_too(issued, officer):
    lifecycle_services._move(actor=officer, enrolment_id=issued.enrolment_id, transition="revoke", reason="fraud")

    issued.refresh_from_db()
    assert (issued.status, issued.revoked_reason) == (CertificateStatus.REVOKED, "fraud")


def test_issuing_from_the_enrolment_page_numbers_a_certificate(
    ready_enrolment, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        lifecycle_services._move(actor=officer, enrolment_id=ready_enrolment.pk, transition="issue")

    certificate = Certificate.objects.get(enrolment=ready_enrolment)
    assert certificate.status == CertificateStatus.PENDING and certificate.serial == 1
    assert len(callbacks) == 1  # its rendering is queued for a task worker
