"""Downloading a certificate's PDF (docs/spec.md §6): the holder, their institution and officers; nobody else."""

from django.urls import reverse

from .conftest import ready_enrolments


def download(client, certificate):
    return client.get(reverse("certificates:download", args=[certificate.pk]))


def test_a_trainee_downloads_their_own_certificate(client, issued):
    client.force_login(issued.enrolment.trainee.user)

    response = download(client, issued)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{issued.number}.pdf"'
    assert b"".join(response.streaming_content) == issued.pdf.open("rb").read()


def test_another_trainee_gets_not_found(client, issued, inst1_staff, officer, assessor):
    other = ready_enrolments(inst1_staff, officer, assessor, 1)[0]
    client.force_login(other.trainee.user)

    assert download(client, issued).status_code == 404


def test_the_institution_and_the_officer_may_download(client, issued, inst1_staff, officer):
    for user in (inst1_staff, officer):
        client.force_login(user)
        assert download(client, issued).status_code == 200


def test_another_institution_gets_not_found(client, issued, inst2_staff):
    client.force_login(inst2_staff)

    assert download(client, issued).status_code == 404


def test_an_assessor_is_refused(client, issued, assessor):
    client.force_login(assessor)

    assert download(client, issued).status_code == 403


def test_anonymous_is_sent_to_log_in(client, issued):
    response = download(client, issued)

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_certificate_still_being_issued_has_no_pdf_yet(client, ready_enrolment, officer):
    from certification import services as lifecycle_services

    lifecycle_services._move(actor=officer, enrolment_id=ready_enrolment.pk, transition="issue")
    client.force_login(officer)

    assert download(client, ready_enrolment.certificates.get()).status_code == 404
