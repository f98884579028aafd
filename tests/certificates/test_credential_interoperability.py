"""Interoperability (docs/spec.md §12): digitalbazaar's verifier (@digitalbazaar/vc with the
eddsa-rdfc-2022 cryptosuite and the Bitstring Status List checker, pinned in package.json) accepts
our credential, reports it revoked once the office revokes it, and rejects a changed field.

The contexts come bundled with the npm packages; the issuer's key and the status list are fetched
from the app, served by a live server at PUBLIC_BASE_URL."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from certificates import services
from certificates.models import Credential

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("verify_credential.mjs")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        shutil.which("node") is None or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir(),
        reason="needs Node and the npm packages (npm ci)",
    ),
]


@pytest.fixture
def served(live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    return live_server.url


def verify_with_digitalbazaar(document: dict, base_url: str, tmp_path) -> dict:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    finished = subprocess.run(
        ["node", str(SCRIPT), str(path), base_url], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_our_credential_verifies_in_digitalbazaars_verifier(served, ready_enrolment, officer, fast_rendering, tmp_path):
    certificate = services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)
    document = json.loads(Credential.objects.get(certificate=certificate).document)

    result = verify_with_digitalbazaar(document, served, tmp_path)

    print("digitalbazaar verifier:", result)
    assert result == {"verified": True, "revoked": False, "error": None}


def test_after_revoking_the_status_check_reports_it_revoked(served, ready_enrolment, officer, fast_rendering, tmp_path):
    certificate = services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)
    document = json.loads(Credential.objects.get(certificate=certificate).document)
    assert verify_with_digitalbazaar(document, served, tmp_path)["revoked"] is False

    services.revoke_certificate(officer=officer, certificate_id=certificate.pk, reason="forged documents")
    result = verify_with_digitalbazaar(document, served, tmp_path)

    print("digitalbazaar verifier after revoking:", result)
    assert result["revoked"] is True


def test_a_changed_field_fails_the_proof_there(served, ready_enrolment, officer, fast_rendering, tmp_path):
    certificate = services.issue_certificate(officer=officer, enrolment_id=ready_enrolment.pk)
    document = json.loads(Credential.objects.get(certificate=certificate).document)
    document["credentialSubject"]["identifier"][1]["identityHash"] = "李*"

    result = verify_with_digitalbazaar(document, served, tmp_path)

    assert result["verified"] is False
    assert "signature" in result["error"].lower()
