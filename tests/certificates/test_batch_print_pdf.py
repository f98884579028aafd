"""A training batch's valid certificates merged into one PDF to print (officers, from the batch and run pages)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from certificates import rendering, services, signing

from .conftest import ready_enrolments


def one_page_pdf(width: int) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def page_per_certificate(monkeypatch):
    """Each certificate's 'PDF' is one blank page whose width is 100 + its serial: the order shows."""
    monkeypatch.setattr(rendering, "render_certificate", lambda certificate: one_page_pdf(100 + certificate.serial))
    monkeypatch.setattr(signing, "sign_pdf", lambda pdf, *, number: pdf)


@pytest.fixture
def batch_certificates(inst1_staff, officer, assessor, page_per_certificate):
    enrolments = ready_enrolments(inst1_staff, officer, assessor, 3)
    return [services.issue_certificate(officer=officer, enrolment_id=e.pk) for e in enrolments]


def url(batch_id) -> str:
    return reverse("certificates:batch_print_pdf", args=[batch_id])


def test_the_officer_gets_the_batchs_valid_certificates_in_one_pdf_in_number_order(client, officer, batch_certificates):
    services.revoke_certificate(officer=officer, certificate_id=batch_certificates[0].pk, reason="fraud")
    client.force_login(officer)
    response = client.get(url(batch_certificates[0].enrolment.batch_id))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    widths = [round(float(page.mediabox.width)) for page in reader.pages]
    assert widths == sorted(100 + c.serial for c in batch_certificates[1:])


def test_the_batch_and_run_pages_link_to_it(client, officer, batch_certificates):
    client.force_login(officer)
    batch_id = batch_certificates[0].enrolment.batch_id
    assert url(batch_id) in client.get(f"/institution/batches/{batch_id}/").content.decode()


def test_a_batch_without_certificates_is_404(client, officer, inst1_staff):
    from .. import factories

    batch = factories.batch(inst1_staff.institution)
    client.force_login(officer)
    assert client.get(url(batch.pk)).status_code == 404


def test_only_the_office_prints_a_batch(client, inst1_staff, inst2_staff, assessor, batch_certificates):
    batch_id = batch_certificates[0].enrolment.batch_id
    response = client.get(url(batch_id))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for person in (inst1_staff, inst2_staff, assessor):
        client.force_login(person)
        assert client.get(url(batch_id)).status_code == 403
