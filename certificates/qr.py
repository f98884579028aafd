"""The QR code on a certificate: a verify URL that carries a signed token (docs/spec.md §6), and after
its "#" the signed statement that /verify/offline/ checks with no network (certificates.offline_statement).

The token is an HMAC of the number, cut to 128 bits so that the QR code stays small enough to scan
from a framed print. Whoever holds the printed certificate holds the token, and the token page shows
a little more (the photo) than the public page of the number alone.

Settings: PUBLIC_BASE_URL, where the public reaches the site (printed and encoded in the QR);
CERT_QR_SECRET, the HMAC key, SECRET_KEY by default. Changing the key invalidates every printed
QR code's token, so a deployment sets CERT_QR_SECRET once and keeps it.
"""

import base64
import io

import segno
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from PIL import Image

_SALT = "certificates.qr"
TOKEN_LENGTH = 22  # 16 bytes in unpadded base64url
QR_MASK = 2
SCALE = 4  # pixels a module
PALETTE = [0xFF, 0xFF, 0xFF, 0x1F, 0x24, 0x33]  # light: white; dark: #1f2433, the certificate's ink


def _secret() -> str:
    return settings.CERT_QR_SECRET or settings.SECRET_KEY


def token_for(number: str) -> str:
    digest = salted_hmac(_SALT, number, secret=_secret(), algorithm="sha256").digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_matches(number: str, token: str) -> bool:
    return len(token or "") == TOKEN_LENGTH and constant_time_compare(token_for(number), token)


def base_url() -> str:
    """PUBLIC_BASE_URL; never guessed, because a certificate keeps its URL for ever."""
    url = settings.PUBLIC_BASE_URL.strip().rstrip("/")
    if not url:
        raise ImproperlyConfigured(
            "PUBLIC_BASE_URL is not set: certificates cannot print where to verify them. "
            "Set it to the address where the public reaches this site."
        )
    return url


def verify_site() -> str:
    """Where to verify, as printed on the certificate."""
    return base_url() + reverse("certificates:verify_query")


def scan_url(number: str) -> str:
    """The URL in the QR code."""
    return base_url() + reverse("certificates:verify_qr", args=[number, token_for(number)])


def content(certificate) -> str:
    """What the certificate's QR code encodes: the verify URL, which an ordinary camera opens, then
    "#" and the signed statement, which the browser keeps to itself (a fragment is never sent).
    Certificates issued before the statement existed have none: their code is the URL alone."""
    if certificate.offline_statement:
        return f"{certificate.verify_url}#{certificate.offline_statement}"
    return certificate.verify_url


def image(content: str) -> str:
    """The QR code as a PNG data URI, four pixels a module: the stylesheet sizes it and asks for no
    smoothing (image-rendering: pixelated, which WeasyPrint writes as /Interpolate false), so every
    module prints as a sharp square. One pixel a module did not decode from a 150 dpi scan of the
    page (a viewer's nearest-neighbour scaling makes modules of uneven width); four does.

    A bitmap, not SVG: with the signed statement the code has 69 × 69 modules (version 13), and
    WeasyPrint drew it as a vector path in ~50 ms a certificate, where the image costs ~15 ms.
    The mask is fixed: choosing the "best" of the eight, by scoring each, took 4 ms of the ~5 a code
    cost, and every mask decodes (the score only avoids patterns that could trouble poor readers;
    the certificate's code is printed large and clean, and the tests decode it with zbarimg).

    segno encodes; Pillow writes the PNG (a two-colour palette image, as segno's own writer made,
    so WeasyPrint handles the same kind of image), because segno's writer is pure Python: ~2 ms a
    code, where Pillow takes ~0.5 (tests/certificates/test_qr.py checks the pixels are the same).
    """
    code = segno.make(content, error="m", micro=False, mask=QR_MASK)
    size = len(code.matrix)
    # The matrix holds 1 for a dark module and 0 for a light one: the palette's indexes.
    modules = Image.frombytes("P", (size, size), b"".join(bytes(row) for row in code.matrix))
    modules.putpalette(PALETTE)
    png = io.BytesIO()
    modules.resize((size * SCALE, size * SCALE), Image.Resampling.NEAREST).save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
