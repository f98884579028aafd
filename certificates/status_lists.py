"""Revocation as a W3C Bitstring Status List (docs/spec.md §12).

Every credential has one bit, at a position fixed by its certificate's id: list `id // SIZE + 1`,
index `id % SIZE`, so no counter has to be locked while issuing. A list is published as a signed
`BitstringStatusListCredential` at /credentials/status/<n>; it is kept signed in the database and
signed again only when one of its bits changes: in the transaction that revokes a certificate
(certificates.services.mark_certificate_revoked), with the list's row locked, so two revocations
at once cannot lose one another's bit.
"""

import base64
import gzip
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from . import data_integrity, office_keys, qr
from .models import Certificate, CertificateStatus, Credential, StatusList

# 131,072 bits = 16 KB, the minimum the specification asks for, so that one list hides each
# holder among many others.
SIZE = 131_072
PURPOSE = "revocation"


def position(certificate_id: int) -> tuple[int, int]:
    return certificate_id // SIZE + 1, certificate_id % SIZE


def url(number: int) -> str:
    return qr.base_url() + reverse("certificates:status_list", args=[number])


def encode(indices: list[int]) -> str:
    """The spec's encodedList: the bitstring (index 0 = the first byte's highest bit), GZIP'd, as
    multibase base64url without padding."""
    bits = bytearray(SIZE // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded: str) -> set[int]:
    if not encoded.startswith("u"):
        raise ValueError("Not a multibase base64url string.")
    data = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    return {
        8 * position + bit for position, byte in enumerate(data) if byte for bit in range(8) if byte & (0x80 >> bit)
    }


def revoked_indices(number: int) -> list[int]:
    return list(
        Credential.objects.filter(status_list=number, certificate__status=CertificateStatus.REVOKED)
        .order_by("status_index")
        .values_list("status_index", flat=True)
    )


def signed_document(number: int, indices: list[int]) -> str:
    kid, key = office_keys.current_key()
    now = timezone.now()
    document = {
        "@context": [data_integrity.CREDENTIALS_V2],
        "id": url(number),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": office_keys.issuer_id(),
        "name": f"{settings.CERT_ISSUER['name']} · revocation list {number}",
        "validFrom": now.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "credentialSubject": {
            "id": url(number) + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(indices),
        },
    }
    signed = data_integrity.sign(
        document, key=key, verification_method=office_keys.verification_method(kid), created=now
    )
    return json.dumps(signed, ensure_ascii=False, indent=2)


def refresh(number: int) -> StatusList:
    """The list with its bits as the database has them now, signed again if they changed. Call
    inside a transaction (the row stays locked until it commits)."""
    row = StatusList.objects.select_for_update().filter(number=number).first()
    if row is None:
        try:
            with transaction.atomic():
                indices = revoked_indices(number)
                return StatusList.objects.create(
                    number=number,
                    document=signed_document(number, indices),
                    revoked_indices=indices,
                    signed_at=timezone.now(),
                )
        except IntegrityError:  # created by someone else meanwhile: lock theirs
            row = StatusList.objects.select_for_update().get(number=number)
    indices = revoked_indices(number)
    if indices != row.revoked_indices:
        row.document, row.revoked_indices, row.signed_at = signed_document(number, indices), indices, timezone.now()
        row.save(update_fields=["document", "revoked_indices", "signed_at"])
    return row


def refresh_for(certificate: Certificate) -> None:
    """After a certificate's status changed, inside that transaction: its list, if it has a credential."""
    number = Credential.objects.filter(certificate=certificate).values_list("status_list", flat=True).first()
    if number is not None:
        refresh(number)


def published(number: int) -> str | None:
    """The signed list as served; None for a list no credential uses."""
    row = StatusList.objects.filter(number=number).only("document").first()
    if row is not None:
        return row.document
    if not Credential.objects.filter(status_list=number).exists():
        return None
    with transaction.atomic():
        return refresh(number).document
