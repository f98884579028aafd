"""The canonical form behind every credential's proof (certificates.data_integrity) is the one pyld gives
when run plainly: in a fresh process, with a document loader that does not mark the contexts static,
so pyld resolves them again in each call, and with no proof configuration remembered. Our faster path
(contexts kept resolved for the process, configurations' hashes remembered) must give the same bytes."""

import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import base58

from certificates import data_integrity, office_keys, status_lists
from certificates.models import Credential

PLAIN_PYLD = """
import json, sys
from pathlib import Path
from pyld import jsonld

contexts_dir, bundled = Path(sys.argv[1]), json.loads(sys.argv[2])

def loader(url, options=None):
    return {"contextUrl": None, "documentUrl": url,
            "document": json.loads((contexts_dir / bundled[url]).read_text(encoding="utf-8"))}

options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
print(json.dumps([jsonld.normalize(document, options) for document in json.load(sys.stdin)]))
"""


def plain_pyld(documents: list[dict]) -> list[str]:
    """The N-Quads pyld gives for each document in a process of its own, no cache warmed."""
    finished = subprocess.run(
        [sys.executable, "-c", PLAIN_PYLD, str(data_integrity.CONTEXTS_DIR), json.dumps(data_integrity.BUNDLED)],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(finished.stdout)


def _unsecured(document: dict) -> dict:
    return {name: value for name, value in document.items() if name != "proof"}


def _proof_config(document: dict) -> dict:
    config = {name: value for name, value in document["proof"].items() if name != "proofValue"}
    return {"@context": document["@context"], **config}


def test_credentials_status_lists_and_their_proof_configurations_canonicalise_as_plain_pyld_does(
    issued, inst2_certificate
):
    credentials = [json.loads(credential.document) for credential in Credential.objects.order_by("pk")]
    status_list = json.loads(status_lists.signed_document(1, [3, 70_000]))
    signed = [*credentials, status_list]
    documents = [_unsecured(document) for document in signed] + [_proof_config(document) for document in signed]

    expected = plain_pyld(documents)

    # Twice: the second time every context comes from pyld's kept resolution.
    assert [data_integrity.canonical(document) for document in documents] == expected
    assert [data_integrity.canonical(document) for document in documents] == expected
    assert len(credentials) == 2 and all(expected)


def test_every_proof_signs_the_plain_canonical_forms_even_when_a_configuration_repeats(issued):
    """Signatures in the same second share their configuration (its hash is remembered); signatures
    in another second, by another method or for another purpose do not."""
    credential = _unsecured(json.loads(Credential.objects.get(certificate=issued).document))
    kid, key = office_keys.current_key()
    method = office_keys.verification_method(kid)
    second = datetime(2026, 11, 25, 8, 30, 15, tzinfo=UTC)
    variants = [
        (credential, method, second, "assertionMethod"),
        ({**credential, "name": "另一张证书"}, method, second.replace(microsecond=400_000), "assertionMethod"),
        (credential, method, second + timedelta(seconds=1), "assertionMethod"),
        (credential, method + "-old", second, "assertionMethod"),
        (credential, method, second, "authentication"),
    ]
    signed = [
        data_integrity.sign(document, key=key, verification_method=vm, created=created, purpose=purpose)
        for document, vm, created, purpose in variants
    ]

    expected = plain_pyld(
        [_unsecured(document) for document in signed] + [_proof_config(document) for document in signed]
    )

    documents_nquads, configs_nquads = expected[: len(signed)], expected[len(signed) :]
    assert configs_nquads[0] == configs_nquads[1] and len(set(configs_nquads)) == 4
    for document, document_nquads, config_nquads in zip(signed, documents_nquads, configs_nquads, strict=True):
        hash_data = hashlib.sha256(config_nquads.encode()).digest() + hashlib.sha256(document_nquads.encode()).digest()
        signature = base58.b58decode(document["proof"]["proofValue"][1:])
        key.public_key().verify(signature, hash_data)  # raises InvalidSignature otherwise
        assert data_integrity.verify(document, public_key=key.public_key())
