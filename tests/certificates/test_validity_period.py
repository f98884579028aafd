"""Validity period per track (docs/spec.md §12): none by default; when set, the expiry date is
printed and in the credential, verification says "expired" after it, and a renewal supersedes."""

import datetime
import io
import json
import subprocess

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from certificates import rendering, services
from certificates.issuance import valid_until
from certificates.models import CertificateStatus, Credential
from certification.models import Track

from .. import factories
from .conftest import unsaved_certificate
from .test_rendering import pdf_text


@pytest.fixture
def three_years(db):
    Track.objects.filter(code="PM").update(validity_months=36)


@pytest.fixture
def with_validity(three_years, ready_enrolment, officer, fast_rendering):
    return services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)


def after_expiry(certificate):
    return time_machine.travel(
        datetime.datetime.combine(certificate.valid_until + datetime.timedelta(days=1), datetime.time(12)),
        tick=False,
    )


def test_the_last_valid_day_is_the_day_before_the_same_date_months_later():
    assert valid_until(datetime.date(2026, 12, 6), 36) == datetime.date(2029, 12, 5)
    assert valid_until(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 27)
    assert valid_until(datetime.date(2026, 12, 6), None) is None


def test_a_track_has_no_validity_period_by_default(issued):
    assert Track.objects.get(code="PM").validity_months is None
    assert issued.valid_until is None


def test_a_certificate_of_a_track_with_a_validity_period_records_its_expiry(with_validity):
    assert with_validity.valid_until == valid_until(with_validity.issue_date, 36)


def test_the_credential_carries_valid_until(with_validity):
    document = json.loads(Credential.objects.get(certificate=with_validity).document)

    assert document["validUntil"].startswith(with_validity.valid_until.isoformat() + "T23:59:59")


def test_the_pdf_prints_the_expiry_beside_the_issue_date(tmp_path, signing_key):
    certificate = unsaved_certificate(valid_until=datetime.date(2029, 11, 24))

    pdf = rendering.render_certificate(certificate)
    text = pdf_text(pdf, tmp_path)

    assert "有效期至" in text and "2029年11月24日" in text
    info = subprocess.run(["pdfinfo", str(tmp_path / "certificate.pdf")], capture_output=True, text=True).stdout
    assert "Pages:           1" in info  # the extra line keeps it on one page


def test_a_certificate_without_expiry_prints_no_expiry_line():
    assert "有效期至" not in rendering.certificate_html(unsaved_certificate())


def test_verification_says_valid_until_the_last_day_and_expired_after(client, with_validity):
    url = reverse("certificates:verify_json", args=[with_validity.number])
    assert client.get(url).json()["status"] == "valid"
    assert client.get(url).json()["valid_until"] == with_validity.valid_until.isoformat()

    with after_expiry(with_validity):
        facts = client.get(url).json()
        page = client.get(reverse("certificates:verify", args=[with_validity.number])).content.decode()

    assert facts["status"] == "expired"
    assert 'class="verdict verdict-expired"' in page


def test_the_pdf_check_says_expired_after_the_last_day(three_years, ready_enrolment, officer, tmp_path):
    certificate = services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate.pdf.read())
    out = io.StringIO()

    with after_expiry(certificate), pytest.raises(SystemExit) as exit:
        call_command("verify_pdf", str(path), stdout=out)

    assert exit.value.code == 1
    assert out.getvalue().startswith(f"expired {certificate.number} (valid until ")


def test_a_renewal_enrolment_supersedes_the_old_certificate_when_issued(
    with_validity, inst1_staff, officer, assessor, fast_rendering
):
    trainee = with_validity.enrolment.trainee
    renewal = factories.draft_enrolment(inst1_staff, "PM", trainee_obj=trainee)
    assert renewal.is_renewal
    factories.advance(renewal, staff=inst1_staff, officer=officer, assessor=assessor, to="ready_to_issue")

    new = services.issue_certificate(officer=officer, enrolment_id=renewal.pk)

    with_validity.refresh_from_db()
    assert new.supersedes == with_validity
    assert (new.status, with_validity.status) == (CertificateStatus.VALID, CertificateStatus.SUPERSEDED)
    assert new.valid_until == valid_until(new.issue_date, 36)
    assert list(with_validity.events.values_list("kind", flat=True)) == ["issued", "superseded"]


def test_a_first_enrolment_is_not_a_renewal(ready_enrolment):
    assert not ready_enrolment.is_renewal


def test_correcting_a_renewed_certificate_supersedes_it_once(
    with_validity, inst1_staff, officer, assessor, fast_rendering
):
    renewal = factories.draft_enrolment(inst1_staff, "PM", trainee_obj=with_validity.enrolment.trainee)
    factories.advance(renewal, staff=inst1_staff, officer=officer, assessor=assessor, to="ready_to_issue")
    renewed = services.issue_certificate(officer=officer, enrolment_id=renewal.pk)

    corrected = services.reissue_certificate(officer=officer, certificate_id=renewed.pk, reason="name")

    assert corrected.supersedes == renewed
    assert list(renewed.events.values_list("kind", flat=True)) == ["reissued", "superseded"]
