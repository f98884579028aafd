"""/verify/offline/ and what its service worker keeps (docs/spec.md §12): the page, the worker's
script, the office's public keys (earlier ones too) and the status list of revoked and replaced
certificates. The page's verification itself runs in the browser: tests/browser/test_verify_offline.py."""

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.urls import reverse

from certificates import office_keys, services
from certificates.models import Certificate

PAGE = reverse("certificates:offline")


def test_the_page_is_public_and_names_its_worker_keys_and_status_list(client):
    response = client.get(PAGE)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="offline-app"' in body
    for name in ("offline_keys", "offline_status", "offline_worker"):
        assert reverse(f"certificates:{name}") in body
    assert 'type="module"' in body and "certificates/js/offline.js" in body


def test_offline_is_not_taken_for_a_certificate_number(client):
    assert reverse("certificates:offline") == "/verify/offline/"
    assert client.get("/verify/offline/").templates[0].name == "certificates/offline/page.html"


def test_the_worker_is_served_under_the_page_with_every_file_the_page_needs(client):
    response = client.get(reverse("certificates:offline_worker"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    for name in ("certificates/js/offline.js", "vendor/tiny-cbor/cbor.js", "vendor/tiny-cbor/cbor_internal.js"):
        assert f'"/static/{name}"' in script
    assert '"/verify/offline/keys.json"' in script and '"/verify/offline/status.json"' in script


def test_the_keys_are_every_public_key_the_office_has_signed_with(client, settings, tmp_path):
    settings.CERT_SIGNING_KEY = str(tmp_path)
    earlier = office_keys.create_credential_key(directory=tmp_path)
    current = office_keys.create_credential_key(directory=tmp_path)

    keys = client.get(reverse("certificates:offline_keys")).json()["keys"]

    assert {key["kid"] for key in keys} == {earlier, current}
    for key in keys:
        assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
        raw = base64.urlsafe_b64decode(key["x"] + "=")
        assert office_keys.key_id(Ed25519PublicKey.from_public_bytes(raw)) == key["kid"]
        assert "d" not in key


def test_the_status_list_names_revoked_and_replaced_certificates_not_valid_ones(client, issued, officer):
    other = Certificate.objects.get(pk=issued.pk)
    services.revoke_certificate(officer=officer, certificate_id=other.pk, reason="证件造假")

    status = client.get(reverse("certificates:offline_status"))

    assert status.status_code == 200 and "no-cache" in status["Cache-Control"]
    data = status.json()
    assert list(data["revoked"]) == [issued.number]
    assert data["superseded"] == {}
    assert data["generated_at"]


def test_a_replaced_certificate_is_listed_with_the_number_that_replaced_it(client, issued, officer):
    corrected = services.reissue_certificate(officer=officer, certificate_id=issued.pk, reason="姓名更正")

    data = client.get(reverse("certificates:offline_status")).json()

    assert data["superseded"][issued.number]["by"] == corrected.number
    assert corrected.number not in data["revoked"] and corrected.number not in data["superseded"]
