"""A revocation reaches every channel at once (docs/spec.md §12): the verify page, its JSON, the QR
page, the PDF check and the published status list, which is signed again in the revoking
transaction."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from certificates import data_integrity, issuance, office_keys, qr, services, status_lists
from certificates.models import Certificate, Credential, StatusList
from certification import services as lifecycle_services

from .conftest import ready_enrolments


@pytest.fixture
def revoked(issued, officer):
    services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="forged documents")
    issued.refresh_from_db()
    return issued


def _status_list(client, certificate) -> dict:
    credential = Credential.objects.get(certificate=certificate)
    return client.get(reverse("certificates:status_list", args=[credential.status_list])).json()


def test_the_verify_page_says_revoked(client, revoked):
    body = client.get(reverse("certificates:verify", args=[revoked.number])).content.decode()

    assert 'class="verdict verdict-revoked"' in body


def test_the_json_says_revoked(client, revoked):
    facts = client.get(reverse("certificates:verify_json", args=[revoked.number])).json()

    assert facts["status"] == "revoked" and facts["revoked_on"]


def test_the_qr_page_says_revoked(client, revoked):
    url = reverse("certificates:verify_qr", args=[revoked.number, qr.token_for(revoked.number)])

    assert 'class="verdict verdict-revoked"' in client.get(url).content.decode()


def test_the_pdf_check_says_revoked(ready_enrolment, officer, tmp_path):
    certificate = services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)
    services.revoke_certificate(officer=officer, certificate_id=certificate.pk, reason="fraud")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate.pdf.read())
    out = io.StringIO()

    with pytest.raises(SystemExit) as exit:
        call_command("verify_pdf", str(path), stdout=out)

    assert exit.value.code == 1 and out.getvalue().startswith(f"revoked {certificate.number}")


def test_the_status_list_has_the_bit_before_and_after(client, issued, officer):
    credential = Credential.objects.get(certificate=issued)
    before = _status_list(client, issued)
    assert credential.status_index not in status_lists.decode(before["credentialSubject"]["encodedList"])

    services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="fraud")
    after = _status_list(client, issued)

    assert status_lists.decode(after["credentialSubject"]["encodedList"]) == {credential.status_index}
    assert data_integrity.verify(after, public_key=office_keys.current_key()[1].public_key())


def test_a_certificate_revoked_while_being_issued_has_its_bit_set_once_its_credential_is_stored(
    client, issued, inst1_staff, officer, assessor, fast_rendering
):
    """Revoked between numbering and storing: its credential is stored with the others of the worker's
    chunk, and the list, already published, gets its bit in the same transaction."""
    assert status_lists.decode(_status_list(client, issued)["credentialSubject"]["encodedList"]) == set()
    enrolments = ready_enrolments(inst1_staff, officer, assessor, 2)
    for enrolment in enrolments:
        lifecycle_services._move(actor=officer, enrolment_id=enrolment.pk, transition="issue")
    revoked, valid = (Certificate.objects.get(enrolment=enrolment) for enrolment in enrolments)
    services.revoke_certificate(officer=officer, certificate_id=revoked.pk, reason="forged documents")

    issuance.freeze([revoked.pk, valid.pk])

    bits = status_lists.decode(_status_list(client, revoked)["credentialSubject"]["encodedList"])
    assert bits == {Credential.objects.get(certificate=revoked).status_index}


def test_the_status_list_is_a_signed_bitstring_status_list_credential_of_at_least_16_kb(client, revoked):
    document = _status_list(client, revoked)

    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == office_keys.issuer_id()
    assert document["credentialSubject"]["statusPurpose"] == "revocation"
    encoded = document["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    import base64
    import gzip

    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) >= 16 * 1024


def test_the_credential_points_at_its_bit(issued):
    credential = Credential.objects.get(certificate=issued)
    status = json.loads(credential.document)["credentialStatus"]

    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert (int(status["statusListIndex"]), status["statusListCredential"]) == (
        credential.status_index,
        status_lists.url(credential.status_list),
    )


def test_the_list_is_signed_again_only_when_a_bit_changes(client, revoked, django_assert_num_queries):
    row = StatusList.objects.get(number=Credential.objects.get(certificate=revoked).status_list)
    with django_assert_num_queries(1):
        client.get(reverse("certificates:status_list", args=[row.number]))
    status_lists.refresh(row.number)

    assert StatusList.objects.get(pk=row.pk).signed_at == row.signed_at


def test_a_failed_revocation_leaves_the_list_unchanged(client, issued, officer, monkeypatch):
    before = _status_list(client, issued)

    def fail(*args, **kwargs):
        raise RuntimeError("the audit row could not be written")

    monkeypatch.setattr("certificates.services.CertificateEvent.objects.create", fail)
    with pytest.raises(RuntimeError):
        services.revoke_certificate(officer=officer, certificate_id=issued.pk, reason="fraud")

    assert _status_list(client, issued) == before


def test_an_unused_list_is_not_found(client, db):
    assert client.get(reverse("certificates:status_list", args=[999])).status_code == 404
