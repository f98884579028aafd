"""Open Badges 3.0 credentials (docs/spec.md §12): made with the certificate, frozen, signed with
eddsa-rdfc-2022 over bundled contexts, the subject hashed and masked."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from pyld import jsonld

from certificates import credentials, data_integrity, office_keys, services
from certificates.models import Credential


def _document(certificate) -> dict:
    return json.loads(Credential.objects.get(certificate=certificate).document)


def test_an_issued_certificate_has_a_credential_stored_with_its_hash(issued):
    credential = Credential.objects.get(certificate=issued)

    assert credential.sha256 == hashlib.sha256(credential.document.encode()).hexdigest()
    document = json.loads(credential.document)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"] == [data_integrity.CREDENTIALS_V2, data_integrity.OPEN_BADGES_V3]
    assert document["validFrom"].startswith(issued.issue_date.isoformat())
    assert "validUntil" not in document


def test_the_credential_verifies_with_the_offices_key(issued):
    document = _document(issued)
    kid, key = office_keys.current_key()

    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["proof"]["verificationMethod"] == office_keys.verification_method(kid)
    assert data_integrity.verify(document, public_key=key.public_key())


def test_a_changed_field_fails_the_proof(issued):
    document = _document(issued)
    document["credentialSubject"]["achievement"]["name"] = "高级技师"

    assert not data_integrity.verify(document, public_key=office_keys.current_key()[1].public_key())


def test_the_subject_carries_the_id_number_only_as_a_salted_hash_and_the_name_masked(issued):
    credential = Credential.objects.get(certificate=issued)
    trainee = issued.enrolment.trainee
    hashed, name = json.loads(credential.document)["credentialSubject"]["identifier"]

    assert trainee.id_number not in credential.document
    assert hashed["hashed"] is True and hashed["salt"] == credential.subject_salt
    expected = hashlib.sha256((trainee.id_number + credential.subject_salt).encode()).hexdigest()
    assert hashed["identityHash"] == "sha256$" + expected
    assert name == {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "张*明"}
    assert "张晓明" not in credential.document


def test_the_achievement_states_the_tracks_modules_and_pass_rule(issued):
    achievement = _document(issued)["credentialSubject"]["achievement"]
    track = issued.enrolment.track

    assert achievement["type"] == ["Achievement"]
    assert achievement["humanCode"] == f"{track.code}-{issued.level}"
    for module in track.modules.all():
        assert module.name_zh in achievement["criteria"]["narrative"]
    assert f"不低于 {track.pass_mark_theory} 分" in achievement["criteria"]["narrative"]


def test_every_field_of_the_credential_is_defined_by_its_contexts_so_every_field_is_signed(issued):
    """pyld drops a term no context defines (it would go unsigned): expanding and compacting again
    gives the very same document."""
    document = _document(issued)
    options = {"documentLoader": data_integrity.document_loader}
    again = jsonld.compact(jsonld.expand(document, options), {"@context": document["@context"]}, options)

    assert _sorted(again) == _sorted(document)


def _sorted(value):
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return sorted(items, key=json.dumps) if len(items) > 1 else (items[0] if items else items)
    return value


def test_canonicalisation_never_fetches_a_context_that_is_not_bundled():
    document = {"@context": ["https://example.org/unknown-context.jsonld"], "name": "x"}

    with pytest.raises(Exception) as raised:
        data_integrity.canonical(document)

    causes, error = [], raised.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(cause, data_integrity.ContextNotBundled) for cause in causes)


def test_a_credential_is_frozen(issued):
    credential = Credential.objects.get(certificate=issued)
    credential.document = "{}"

    with pytest.raises(ValidationError):
        credential.save()


def test_a_correction_gets_a_new_credential_and_the_old_one_stays(issued, officer):
    old = Credential.objects.get(certificate=issued)
    new_certificate = services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="name")

    new = Credential.objects.get(certificate=new_certificate)
    assert new.sha256 != old.sha256 and new.status_index != old.status_index
    assert Credential.objects.get(pk=old.pk).document == old.document


def test_the_command_makes_credentials_for_certificates_issued_before_and_is_idempotent(issued):
    Credential.objects.filter(certificate=issued)._raw_delete(Credential.objects.db)  # issued before credentials

    call_command("issue_credentials", stdout=(out := __import__("io").StringIO()))
    assert "1 credentials" in out.getvalue()
    first = Credential.objects.get(certificate=issued).document
    call_command("issue_credentials", stdout=(out := __import__("io").StringIO()))
    assert "0 credentials" in out.getvalue()
    assert Credential.objects.get(certificate=issued).document == first


def test_the_issuer_document_authorises_every_published_key(client, issued):
    document = client.get("/credentials/issuer").json()

    assert document["id"] == office_keys.issuer_id()
    assert document["assertionMethod"] == [office_keys.verification_method(k) for k in office_keys.published_keys()]
    kid = next(iter(office_keys.published_keys()))
    key = client.get(f"/credentials/keys/{kid}").json()
    assert key["type"] == "Multikey" and key["controller"] == document["id"]
    assert key["publicKeyMultibase"].startswith("z6Mk")  # the Ed25519 multicodec, base58btc


def test_an_unknown_key_is_not_found(client):
    assert client.get("/credentials/keys/ed25519-0000000000000000").status_code == 404


def test_the_achievement_is_published(client, issued):
    response = client.get(f"/credentials/achievements/{issued.track_code}/{issued.level}")

    assert response.status_code == 200 and response.json()["humanCode"] == f"{issued.track_code}-{issued.level}"
    assert client.get(f"/credentials/achievements/{issued.track_code}/9").status_code == 404


def test_credentials_module_urls_live_under_the_public_base_url(settings, issued):
    document = _document(issued)
    assert document["issuer"]["id"].startswith(settings.PUBLIC_BASE_URL)
    assert document["credentialStatus"]["statusListCredential"].startswith(settings.PUBLIC_BASE_URL)
    assert credentials.issuer_id() == settings.PUBLIC_BASE_URL + "/credentials/issuer"
