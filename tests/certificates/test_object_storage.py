"""Certificates in S3-compatible object storage (docs/spec.md §14): issued into the bucket, photo read back
from it, downloaded from it. The local server and bucket come from tests/conftest.py (s3_storage)."""

import pytest
from django.urls import reverse

from certificates import services
from certification.photos import make_placeholder_photo

from .. import factories


@pytest.mark.django_db
def test_a_certificate_is_issued_into_the_bucket_and_its_holder_downloads_it_from_there(
    s3_storage, client, inst1_staff, officer, assessor
):
    trainee = factories.trainee(inst1_staff.institution, name="张晓明")
    trainee.photo.save("photo.png", make_placeholder_photo("张晓明"), save=True)
    enrolment = factories.draft_enrolment(inst1_staff, "PM", trainee_obj=trainee)
    enrolment = factories.advance(enrolment, staff=inst1_staff, officer=officer, assessor=assessor, to="ready_to_issue")

    # The real rendering: the photo is read back from the bucket, the signed PDF written to it.
    certificate = services.issue_certificate(officer=officer, enrolment_id=enrolment.pk)

    stored = s3_storage.objects()
    assert stored[certificate.pdf.name].startswith(b"%PDF-")
    assert certificate.photo.name in stored and trainee.photo.name in stored
    client.force_login(certificate.enrolment.trainee.user)
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored[certificate.pdf.name]
