"""Set-up checks (`manage.py check`, run by migrate and runserver): what certificates need from
the machine and the settings. Without libharfbuzz-subset0 WeasyPrint subsets the CJK fonts in Python
and one certificate takes 15–20 seconds instead of a fraction of one. A certificate is frozen once
issued, so what it prints (the verify URL, the issuer) is checked before any is numbered."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from . import numbering, signing


@register("certificates")
def check_harfbuzz_subset(app_configs=None, **kwargs):
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0):
        return []
    return [
        Warning(
            "HarfBuzz subsetting (libharfbuzz-subset0, version 4.1 or later) is missing: each certificate "
            "PDF will take 15–20 seconds to render.",
            hint="apt-get install libharfbuzz-subset0 (scripts/setup.sh installs it).",
            id="certificates.W001",
        )
    ]


@register("certificates")
def check_noto_cjk(app_configs=None, **kwargs):
    from . import fonts

    if fonts._font_file(fonts.FACES[0][1]) is not None:
        return []
    return [
        Warning(
            "Noto Serif CJK SC is not installed: certificates would print Chinese text with a fallback font.",
            hint="apt-get install fonts-noto-cjk (scripts/setup.sh installs it).",
            id="certificates.W002",
        )
    ]


@register("certificates")
def check_signing_key(app_configs=None, **kwargs):
    if signing.has_signing_key():
        return []
    return [
        Warning(
            f"No certificate signing key in {signing.key_directory()}: certificates cannot be issued.",
            hint="Run `manage.py create_signing_key` once (or point CERT_SIGNING_KEY at the office's key).",
            id="certificates.W003",
        )
    ]


def _public_base_url_problem(url: str) -> str:
    """Why certificates printing this URL could not be verified by the public ('' when fine)."""
    if not url:
        return "PUBLIC_BASE_URL is not set"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"PUBLIC_BASE_URL {url!r} is not an http(s) address"
    host = parts.hostname.lower()
    if host == "localhost" or host.endswith(".localhost"):
        return f"PUBLIC_BASE_URL {url!r} points at this machine"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return ""
    if address.is_loopback or address.is_unspecified:
        return f"PUBLIC_BASE_URL {url!r} points at this machine"
    return ""


@register("certificates", deploy=True)
def check_public_base_url(app_configs=None, **kwargs):
    problem = _public_base_url_problem(settings.PUBLIC_BASE_URL)
    if not problem:
        return []
    return [
        Error(
            f"{problem}: every certificate prints it and encodes it in its QR code, and an issued "
            "certificate never changes.",
            hint="Set PUBLIC_BASE_URL to the address where the public reaches this site, "
            "e.g. https://cert.example.org.",
            id="certificates.E001",
        )
    ]


@register("certificates")
def check_issuer(app_configs=None, **kwargs):
    try:
        numbering.configured_issuer()
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error),
                hint="Set CERT_ISSUER_TYPE, CERT_ISSUER_FILING_CODE, CERT_ISSUER_PROVINCE, CERT_ISSUER_SERIAL "
                "and CERT_ISSUER_NAME.",
                id="certificates.E002",
            )
        ]
    return []
