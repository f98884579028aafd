"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC Data Integrity EdDSA
Cryptosuites v1.0, §3.3), over JSON-LD canonicalised by pyld, signed with `cryptography`.

Canonicalisation reads only the contexts bundled in certificates/contexts/: the document loader
refuses every other URL, so signing and verifying never touch the network, and a credential can
only use terms those contexts define (pyld drops an undefined term silently, which would leave it
unsigned: tests/certificates/test_credentials.py checks that every field survives expansion).

Cost, a credential being issued (~4 ms, after ~9 when every call resolved the contexts again):
- the loader marks the bundled contexts "static", pyld's own signal (as in jsonld.js) that a context
  never changes: pyld then keeps it resolved and processed for the life of the process, shared by
  every normalisation, where without the tag it parsed, canonicalised (as a cache key) and processed
  the Open Badges context again in each call, about half of the time of a credential's canonical form;
- the proof configuration's hash is remembered for its exact JSON: credentials signed in the same
  second with the same key have the same configuration, so a run of issuing computes it about once a
  second instead of once a credential.
tests/certificates/test_canonical_form.py compares both with pyld run plainly, in a fresh process.
"""

import hashlib
import json
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
BUNDLED = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    OPEN_BADGES_V3: "ob-v3p0-3.0.3.jsonld",
    DID_V1: "did-v1.jsonld",
}
CRYPTOSUITE = "eddsa-rdfc-2022"


class ContextNotBundled(Exception):
    pass


@cache
def bundled_context(url: str) -> dict:
    if url not in BUNDLED:
        raise ContextNotBundled(f"{url} is not bundled in {CONTEXTS_DIR}; nothing is fetched at run time.")
    return json.loads((CONTEXTS_DIR / BUNDLED[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options=None) -> dict:
    # "tag": "static": see the module's docstring; only bundled contexts are ever returned, so only
    # they are kept (an unknown URL raises, and nothing is cached for it).
    return {"contextUrl": None, "documentUrl": url, "document": bundled_context(url), "tag": "static"}


def canonical(document: dict) -> str:
    """RDFC-1.0 (URDNA2015) N-Quads of a JSON-LD document."""
    return jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader}
    )


def _hash_data(document: dict, proof_config: dict) -> bytes:
    """proofConfigHash ‖ transformedDocumentHash (§3.3.4): what the key signs."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    config = {"@context": document["@context"], **proof_config}
    return _config_hash(json.dumps(config)) + hashlib.sha256(canonical(unsecured).encode()).digest()


@lru_cache(maxsize=32)
def _config_hash(config_json: str) -> bytes:
    """The hash of a proof configuration's canonical form, by its exact JSON text (a pure function
    of it: the contexts are bundled and fixed)."""
    return hashlib.sha256(canonical(json.loads(config_json)).encode()).digest()


def sign(
    document: dict, *, key: Ed25519PrivateKey, verification_method: str, created: datetime, purpose="assertionMethod"
) -> dict:
    """The document with a DataIntegrityProof added (a new dict; the argument is left alone)."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
    }
    signature = key.sign(_hash_data(document, proof))
    return {**document, "proof": {**proof, "proofValue": "z" + base58.b58encode(signature).decode()}}


def verify(document: dict, *, public_key: Ed25519PublicKey) -> bool:
    """Whether the document's proof is a valid eddsa-rdfc-2022 signature by this key."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    config = {name: item for name, item in proof.items() if name != "proofValue"}
    try:
        public_key.verify(base58.b58decode(value[1:]), _hash_data(document, config))
    except (InvalidSignature, ValueError):
        return False
    return True
