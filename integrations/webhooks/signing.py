"""The signature every webhook carries (the README shows the receiver's side).

    X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

with the timestamp (Unix seconds) in X-Webhook-Timestamp: a receiver recomputes it over the raw
body, compares in constant time and refuses a timestamp older than a few minutes (a replay).
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
EVENT_HEADER = "X-Webhook-Event"
ID_HEADER = "X-Webhook-Id"


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (used by the tests, and a model for the README's example)."""
    try:
        expected = signature(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, header)
