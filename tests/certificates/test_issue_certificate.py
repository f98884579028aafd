"""Issuing one certificate (docs/spec.md §6): number, printed facts, frozen signed PDF, audit."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from certificates import numbering, services, signing
from certificates.models import Certificate, CertificateEvent, CertificateStatus, EventKind
from certification.models import EnrolmentStatus, StateLog
from core.errors import MoveForbidden, StaleState


@pytest.fixture
def certificate(ready_enrolment, officer):
    """Issued for real: rendered, signed and stored."""
    return services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)


def test_it_issues_a_signed_frozen_pdf(certificate, ready_enrolment):
    stored = certificate.pdf.read()

    assert certificate.status == CertificateStatus.VALID
    assert certificate.sha256 == hashlib.sha256(stored).hexdigest()
    assert certificate.pdf_size == len(stored)
    assert signing.check_signature(stored).genuine
    assert certificate.template_version == "v1"
    assert certificate.issuer_name == numbering.configured_issuer().name


def test_the_number_is_the_issuers_first_of_the_year_at_the_batchs_level(certificate, ready_enrolment):
    parts = numbering.parse_number(certificate.number)

    assert parts.issuer_code == numbering.configured_issuer().code
    assert parts.level == ready_enrolment.batch.level
    assert parts.serial == 1
    assert parts.year == certificate.issue_date.year


def test_the_printed_facts_are_recorded(certificate, ready_enrolment):
    assert certificate.holder_name == "张晓明"
    assert certificate.holder_id_type == "居民身份证"
    assert certificate.holder_id_number_masked == ready_enrolment.trainee.masked_id_number
    assert certificate.title == "时尚工程师（制版师）"
    assert certificate.level_label == "四级/中级工"
    assert [module["name"] for module in certificate.modules] == [
        m.name_zh for m in ready_enrolment.track.modules.order_by("position", "code")
    ]


def test_the_enrolment_is_certified_with_one_log_row(certificate, ready_enrolment, officer):
    ready_enrolment.refresh_from_db()
    log = StateLog.objects.filter(enrolment=ready_enrolment).last()

    assert ready_enrolment.status == EnrolmentStatus.CERTIFIED
    assert (log.transition, log.actor) == ("issue", officer)


def test_the_issue_is_audited(certificate, officer):
    event = CertificateEvent.objects.get(certificate=certificate)

    assert (event.kind, event.actor) == (EventKind.ISSUED, officer)


def test_the_photo_is_kept_with_the_certificate(certificate, ready_enrolment):
    ready_enrolment.trainee.photo.delete(save=True)

    assert certificate.photo.name.startswith(f"certificates/{certificate.year}/photos/{certificate.number}")
    assert default_storage.exists(certificate.photo.name)


def test_an_issued_certificate_never_changes(certificate):
    certificate.holder_name = "王五"
    with pytest.raises(Exception, match="never changes"):
        certificate.save()
    certificate.refresh_from_db()
    certificate.sha256 = "0" * 64
    with pytest.raises(Exception, match="never changes"):
        certificate.save()


def test_a_certificate_is_never_deleted(certificate):
    with pytest.raises(Exception, match="never deleted"):
        certificate.delete()
    with pytest.raises(Exception, match="never deleted"):
        Certificate.objects.filter(pk=certificate.pk).delete()


def test_only_an_officer_issues(ready_enrolment, inst1_staff):
    with pytest.raises(MoveForbidden):
        services.issue_certificate(officer=inst1_staff, enrolment_id=ready_enrolment.pk)


def test_an_enrolment_not_ready_is_refused_and_uses_no_number(enrolled_enrolment, officer, fast_rendering):
    with pytest.raises(StaleState):
        services.issue_certificate(officer=officer, enrolment_id=enrolled_enrolment.pk)

    assert not Certificate.objects.exists()


def test_a_second_issue_of_the_same_enrolment_is_refused(ready_enrolment, officer, fast_rendering):
    services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)

    with pytest.raises(StaleState):
        services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)
    assert Certificate.objects.count() == 1
