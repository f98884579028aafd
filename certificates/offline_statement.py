"""The signed statement in a certificate's QR code, which /verify/offline/ checks with no network
(docs/spec.md §12).

The QR code still opens the verify page (certificates.qr); after the URL's "#", which a browser never
sends to the server, it carries the public facts signed with the office's Ed25519 key
(certificates.office_keys): a COSE_Sign1 message (RFC 9052) with EdDSA, whose payload is a CWT
claims set (RFC 8392) with the application's own short text keys, in unpadded base64url.

COSE rather than a JWS because it is about a third smaller (binary CBOR, the 64 signature bytes
encoded once), and every byte makes the printed QR code denser: with a 30-character base URL the
code grows from version 5 to version 13 (69 × 69 modules in 27 mm), which zbarimg still reads from a
150 dpi scan and a phone from a hand's length. The browser decodes the CBOR with a small pinned
library (@levischuck/tiny-cbor) and checks the signature with WebCrypto's Ed25519 (@noble/ed25519
where the browser has none).

    protected header   {1 (alg): -8 (EdDSA), 4 (kid): the office key id, as bytes}
    payload claims     n: number, h: masked name (as the verify page masks it), t: track
                       (occupation direction, as printed), l: level (1-5), d: issue date
                       (YYYY-MM-DD), x: valid until (YYYY-MM-DD) or null

No `exp`/`iat`: a certificate's statement does not expire with time (a validity period is a fact of
the certificate, `x`, which the offline page compares with today's date), and the signing time would
only make the code larger. Revocation is not in the statement: it needs the status list, online.
"""

import base64
import binascii
from functools import lru_cache

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cwt import COSE, COSEKey
from cwt.cose_key_interface import COSEKeyInterface

from certification.identity import mask_name

from . import office_keys

ALG_EDDSA = -8
HEADER_ALG, HEADER_KID = 1, 4


class InvalidStatement(ValueError):
    """Not a statement the office signed: malformed, signed by an unknown key, or altered."""


def claims_of(certificate) -> dict:
    until = certificate.valid_until
    return {
        "n": certificate.number,
        "h": mask_name(certificate.holder_name),
        "t": certificate.direction,
        "l": certificate.level,
        "d": certificate.issue_date.isoformat(),
        "x": until.isoformat() if until else None,
    }


def sign(certificate) -> str:
    """The statement of a certificate's public facts, signed with the office's current key."""
    kid, private_key = office_keys.current_key()
    message = COSE.new().encode_and_sign(
        cbor2.dumps(claims_of(certificate)),
        _signing_key(kid, private_key),
        protected={HEADER_ALG: ALG_EDDSA, HEADER_KID: kid.encode()},
    )
    return base64.urlsafe_b64encode(message).rstrip(b"=").decode()


@lru_cache(maxsize=4)
def _signing_key(kid: str, private_key: Ed25519PrivateKey) -> COSEKeyInterface:
    """A key as cwt's COSEKey, made once per loaded key (office_keys keeps the loaded key object):
    parsing it back from PEM took half of a statement's ~0.2 ms."""
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return COSEKey.from_pem(pem, kid=kid)


def read(statement: str) -> dict:
    """The claims of a statement signed by one of the office's published keys (earlier ones too),
    with its key id as "kid"; InvalidStatement otherwise."""
    statement = statement.strip().rsplit("#", 1)[-1]
    try:
        message = base64.urlsafe_b64decode(statement + "=" * (-len(statement) % 4))
        protected = cbor2.loads(cbor2.loads(message).value[0])
        kid = protected[HEADER_KID].decode()
    except (ValueError, binascii.Error, AttributeError, IndexError, KeyError, TypeError, cbor2.CBORDecodeError):
        raise InvalidStatement("not a signed statement")
    public_key = office_keys.published_keys().get(kid)
    if public_key is None or protected.get(HEADER_ALG) != ALG_EDDSA:
        raise InvalidStatement(f"not signed by a key of the office ({kid[:40]})")
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        payload = COSE.new().decode(message, COSEKey.from_pem(pem, kid=kid))
    except Exception:  # cwt raises VerifyError, DecodeError or ValueError, wrapped variously
        raise InvalidStatement("the signature does not match")
    return {**cbor2.loads(payload), "kid": kid}


def public_key_set() -> dict:
    """Every key the office has signed with, current and earlier, as a JWK Set (RFC 7517, OKP
    keys as RFC 8037 writes Ed25519 keys)."""
    keys = []
    for kid, public_key in sorted(office_keys.published_keys().items()):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        keys.append({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"})
    return {"keys": keys}
