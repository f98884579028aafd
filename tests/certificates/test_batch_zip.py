"""A training batch's valid certificates as one zip of PDFs."""

import io
import zipfile

import pytest
from django.urls import reverse

from certificates import services

from .conftest import ready_enrolments


@pytest.fixture
def batch_certificates(inst1_staff, officer, assessor, fast_rendering):
    enrolments = ready_enrolments(inst1_staff, officer, assessor, 3)
    return [services.issue_certificate(officer=officer, enrolment_id=e.pk) for e in enrolments]


def zip_of(client, batch_id):
    return client.get(reverse("certificates:batch_zip", args=[batch_id]))


def names_in(response) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist())


def test_an_officer_downloads_the_batchs_valid_pdfs(client, officer, batch_certificates):
    services.revoke_certificate(officer=officer, certificate_id=batch_certificates[0].pk, reason="fraud")
    client.force_login(officer)

    response = zip_of(client, batch_certificates[0].enrolment.batch_id)

    assert response["Content-Type"] == "application/zip"
    assert names_in(response) == sorted(f"{c.number}.pdf" for c in batch_certificates[1:])


def test_the_institution_downloads_its_own_batch(client, inst1_staff, batch_certificates):
    client.force_login(inst1_staff)

    assert len(names_in(zip_of(client, batch_certificates[0].enrolment.batch_id))) == 3


def test_another_institution_gets_not_found(client, inst2_staff, batch_certificates):
    client.force_login(inst2_staff)

    assert zip_of(client, batch_certificates[0].enrolment.batch_id).status_code == 404


def test_anonymous_is_sent_to_log_in_and_trainees_are_refused(client, batch_certificates):
    batch_id = batch_certificates[0].enrolment.batch_id
    assert zip_of(client, batch_id).status_code == 302
    client.force_login(batch_certificates[0].enrolment.trainee.user)
    assert zip_of(client, batch_id).status_code == 403
