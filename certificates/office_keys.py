"""The office's Ed25519 key for portable credentials and the QR's signed statement (docs/spec.md §12).

It lives beside the PDF signing key (an EC P-256 key with an X.509 certificate, certificates/signing.py),
in the directory named by settings.CERT_SIGNING_KEY:

    credential-key.pem             the current Ed25519 private key (PKCS#8, readable by the owner only)
    credential-keys/<key id>.pem   every public key the office has used, the current one included:
                                   a key replaced by a newer one stays published, so that what it
                                   signed (credentials, QR statements on printed certificates) still
                                   verifies after a rotation

A key id is "ed25519-" and the first 16 hex digits of the SHA-256 of the raw public key: stable, short
enough for a QR, and the same wherever it is computed.
"""

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from certificates import qr
from certificates.signing import key_directory

PRIVATE_KEY_FILE = "credential-key.pem"
PUBLIC_KEYS_DIR = "credential-keys"


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519-" + hashlib.sha256(raw).hexdigest()[:16]


def has_credential_key(directory: Path | None = None) -> bool:
    return ((directory or key_directory()) / PRIVATE_KEY_FILE).is_file()


def create_credential_key(*, directory: Path) -> str:
    """A new Ed25519 key; the previous one's public key stays under credential-keys/. Returns the
    new key's id."""
    directory.mkdir(parents=True, exist_ok=True)
    public_dir = directory / PUBLIC_KEYS_DIR
    public_dir.mkdir(exist_ok=True)
    key = Ed25519PrivateKey.generate()
    kid = key_id(key.public_key())
    (public_dir / f"{kid}.pem").write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    temporary = directory / (PRIVATE_KEY_FILE + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key_bytes)
    os.replace(temporary, directory / PRIVATE_KEY_FILE)
    _current.cache_clear()
    _published.cache_clear()
    return kid


def _stamp(directory: Path) -> tuple[str, int]:
    """Cache key: a key written by create_credential_key is picked up without a restart."""
    try:
        return str(directory), (directory / PRIVATE_KEY_FILE).stat().st_mtime_ns
    except FileNotFoundError:
        return str(directory), 0


@lru_cache(maxsize=4)
def _current(stamp: tuple[str, int]) -> tuple[str, Ed25519PrivateKey]:
    path = Path(stamp[0]) / PRIVATE_KEY_FILE
    if not path.is_file():
        raise ImproperlyConfigured(
            f"No credential key in {stamp[0]}: run `manage.py create_signing_key` (or set CERT_SIGNING_KEY)."
        )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 key.")
    return key_id(key.public_key()), key


def current_key() -> tuple[str, Ed25519PrivateKey]:
    """(key id, private key) of the office's current credential key."""
    return _current(_stamp(key_directory()))


@lru_cache(maxsize=4)
def _published(stamp: tuple[str, int]) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    public_dir = Path(stamp[0]) / PUBLIC_KEYS_DIR
    for path in sorted(public_dir.glob("*.pem")) if public_dir.is_dir() else []:
        public_key = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(public_key, Ed25519PublicKey):
            keys[key_id(public_key)] = public_key
    return keys


def published_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key the office has signed with, current and earlier, by key id."""
    return _published(_stamp(key_directory()))


# Where the keys are published (docs/spec.md §12): stable URLs under PUBLIC_BASE_URL.


def issuer_id() -> str:
    """The office as the issuer of credentials: its controller document lists every key."""
    return qr.base_url() + reverse("certificates:credential_issuer")


def verification_method(kid: str) -> str:
    """The URL of a key's Multikey document: the `verificationMethod` of a proof made with it."""
    return qr.base_url() + reverse("certificates:credential_key", args=[kid])


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Multikey's publicKeyMultibase: base58btc ("z") of the multicodec header 0xed01 and the raw key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(b"\xed\x01" + raw).decode()
