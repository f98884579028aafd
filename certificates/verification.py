"""Verification: what the public sees of a certificate, the PDF check, and the log (docs/spec.md §6).

The public sees a certificate's status and masked facts by its number; the QR token adds the photo.
A PDF is checked offline: the office's signature, then the SHA-256 against the registry.
"""

import functools
import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils.reader import PdfFileReader

from certification.identity import mask_name
from core import ratelimit

from . import numbering, selectors, signing
from .models import Certificate, CertificateStatus, VerificationLog
from .models.certificates import expired

# Verdicts on a PDF file, strongest first. `superseded` is genuine but replaced by a correction.
VALID, EXPIRED, SUPERSEDED, REVOKED, ALTERED, UNKNOWN = (
    "valid",
    "expired",
    "superseded",
    "revoked",
    "altered",
    "unknown",
)


def public_status(certificate: Certificate, today=None) -> str:
    """The status the public is told, one rule for the verify page, its JSON, the PDF check and the
    API: the certificate's own, except that a valid one past its validity period is "expired"."""
    # The field, not Certificate.is_expired: bulk verification passes plain rows.
    if certificate.status == CertificateStatus.VALID and expired(certificate.valid_until, today):
        return EXPIRED
    return certificate.status


def status_label(status: str) -> str:
    return str(_("expired")) if status == EXPIRED else str(CertificateStatus(status).label)


def public_facts(certificate: Certificate) -> dict:
    """Everything the public may know of a certificate: masked name and ID, no photo. The
    certificate comes from selectors.public_certificates (with the numbers it links to)."""
    status = public_status(certificate)
    return {
        "number": certificate.number,
        "status": status,
        "status_label": status_label(status),
        "holder": mask_name(certificate.holder_name),
        "id_type": certificate.holder_id_type,
        "id_number": certificate.holder_id_number_masked,
        "occupation": certificate.occupation,
        "direction": certificate.direction,
        "title": certificate.title,
        "level": certificate.level,
        "level_label": certificate.level_label,
        "issue_date": certificate.issue_date.isoformat(),
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
        "issuer": certificate.issuer_name,
        "revoked_on": timezone.localdate(certificate.revoked_at).isoformat() if certificate.revoked_at else None,
        "superseded_on": timezone.localdate(certificate.superseded_at).isoformat()
        if certificate.superseded_at
        else None,
        "superseded_by": certificate.superseded_by_number,  # type: ignore[attr-defined]
        "supersedes": certificate.supersedes_number,  # type: ignore[attr-defined]
    }


def rate_limit_allows(request, *, scope: str) -> bool:
    """Fixed window per client address: CERT_VERIFY_RATE_LIMIT lookups a minute (and a stricter
    CERT_VERIFY_QUERY_RATE_LIMIT for name + ID queries)."""
    setting = {"lookup": "CERT_VERIFY_RATE_LIMIT", "query": "CERT_VERIFY_QUERY_RATE_LIMIT"}[scope]
    limit = getattr(settings, setting)
    return ratelimit.hit(f"certificates-verify-{scope}:{ratelimit.client_ip(request)}", limit, 60)


def log(
    *, channel: str, query: str = "", certificate: Certificate | None = None, found: bool = False, request=None
) -> None:
    """One row in the verification log: a single INSERT, in autocommit (no transaction of its own).

    Written on every public lookup, so the statement is made once per process and database from
    the model's fields and only run afterwards, like the lookup's (selectors.public_certificate).
    """
    values = _log_values(channel=channel, query=query, certificate=certificate, found=found, request=request)
    alias = _log_alias()
    connection = connections[alias]
    params = [VerificationLog._meta.get_field(name).get_db_prep_save(values[name], connection) for name in _LOG_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_log_statement(alias, connection.vendor), params)


def _log_values(*, channel: str, query: str, certificate: Certificate | None, found: bool, request) -> dict:
    return {
        "channel": channel,
        "query": query[:64],
        "certificate": certificate.pk if certificate is not None else None,
        "found": found,
        "ip_address": ratelimit.client_ip(request)[:45] if request is not None else "",
        "user_agent": (request.headers.get("User-Agent", "") if request is not None else "")[:200],
        "created_at": timezone.now(),
    }


def looked_up(number: str, *, channel: str, request) -> Certificate | None:
    """The issued certificate a public lookup finds by its (normalised) number, the lookup logged.

    On PostgreSQL the lookup and its log row are one statement on the log's connection (a SELECT in a
    WITH beside the INSERT): one round trip to the server per lookup instead of two, on the busiest
    pages of the site. Elsewhere the lookup, then `log`.
    """
    alias = _log_alias()
    connection = connections[alias]
    if connection.vendor != "postgresql":
        certificate = selectors.public_certificate(number)
        log(channel=channel, query=number, certificate=certificate, found=certificate is not None, request=request)
        return certificate
    sql, lookup_params = _lookup_and_log_statement(alias)
    values = _log_values(channel=channel, query=number, certificate=None, found=False, request=request)
    log_params = [
        VerificationLog._meta.get_field(name).get_db_prep_save(values[name], connection)
        for name in _LOG_FIELDS
        if name not in ("certificate", "found")  # the statement takes both from what it found
    ]
    params = [number[:22] if p is selectors.LOOKUP_NUMBER else p for p in lookup_params] + log_params
    found = list(Certificate.objects.db_manager(alias).raw(sql, params))
    if not found:
        return None
    certificate = found[0]
    certificate._state.db = router.db_for_read(Certificate)  # read on the log's connection, but an ordinary row
    return certificate


@functools.cache
def _lookup_and_log_statement(alias: str) -> tuple[str, tuple]:
    lookup_sql, lookup_params = selectors.public_lookup_statement(alias, "postgresql")
    quote = connections[alias].ops.quote_name
    into = _log_statement(alias, "postgresql").rsplit(" VALUES ", 1)[0]
    pk = quote(Certificate._meta.pk.column)
    # The INSERT's columns are _LOG_FIELDS in order: channel, query, certificate, found, address, agent, time.
    sql = (
        f"WITH found AS ({lookup_sql}), "
        f"logged AS ({into} SELECT %s, %s, (SELECT {pk} FROM found), EXISTS (SELECT 1 FROM found), %s, %s, %s) "
        "SELECT * FROM found"
    )
    return sql, lookup_params


def record_check(certificate: Certificate, channel: str, *, request=None, query: str = "") -> None:
    """Count one check of a certificate in its holder's log (and the office's counts): for the
    channels that find a certificate by other means than a lookup here, such as the credential and
    its status (channel VerificationChannel.CREDENTIAL) or a bulk check (BULK). The holder sees when
    and through which channel, never the address or the agent, which the log keeps for the office."""
    log(channel=channel, query=query or certificate.number, certificate=certificate, found=True, request=request)


def log_many(*, channel: str, lookups: list[tuple[str, int | None]], request=None) -> None:
    """One row per (query, certificate id or None) in the verification log, in one statement on
    PostgreSQL (the columns as arrays, unnested: psycopg scans a query's text for each placeholder,
    which for a thousand rows of seven costs more than the insert) and in as few multi-row INSERTs as
    SQLite takes parameters for elsewhere. For employers' bulk verification."""
    if not lookups:
        return
    alias = _log_alias()
    connection = connections[alias]
    ip_address = ratelimit.client_ip(request)[:45] if request is not None else ""
    user_agent = (request.headers.get("User-Agent", "") if request is not None else "")[:200]
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    queries = [query[:64] for query, _id in lookups]
    ids = [certificate_id for _query, certificate_id in lookups]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_log_unnest_statement(alias), [channel, ip_address, user_agent, created_at, queries, ids])
            return
        per_statement = max(1, (connection.features.max_query_params or 65535) // len(_LOG_FIELDS))
        for start in range(0, len(lookups), per_statement):
            params: list = []
            for query, certificate_id in zip(
                queries[start : start + per_statement], ids[start : start + per_statement]
            ):
                params += [
                    channel,
                    query,
                    certificate_id,
                    certificate_id is not None,
                    ip_address,
                    user_agent,
                    created_at,
                ]
            rows = len(params) // len(_LOG_FIELDS)
            cursor.execute(_log_many_statement(alias, connection.vendor, rows), params)


@functools.lru_cache(maxsize=16)
def _log_many_statement(alias: str, vendor: str, rows: int) -> str:
    row = f"({', '.join(['%s'] * len(_LOG_FIELDS))})"
    return _log_statement(alias, vendor).rsplit(" VALUES ", 1)[0] + " VALUES " + ", ".join([row] * rows)


@functools.cache
def _log_unnest_statement(alias: str) -> str:
    into = _log_statement(alias, "postgresql").rsplit(" VALUES ", 1)[0]
    return (
        f"{into} SELECT %s, q.query, q.certificate, q.certificate IS NOT NULL, %s, %s, %s "
        "FROM unnest(%s::text[], %s::bigint[]) AS q(query, certificate)"
    )


def _log_alias() -> str:
    """The connection that commits without waiting for the disk, when the settings define it."""
    return LOG_ALIAS if LOG_ALIAS in connections.settings else router.db_for_write(VerificationLog)


@functools.cache
def _log_statement(alias: str, vendor: str) -> str:
    quote = connections[alias].ops.quote_name
    columns = [VerificationLog._meta.get_field(name).column for name in _LOG_FIELDS]
    return (
        f"INSERT INTO {quote(VerificationLog._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


# The connection that commits without waiting for the disk, when the settings define it (config/settings.py).
LOG_ALIAS = "verification_log"
_LOG_FIELDS = ("channel", "query", "certificate", "found", "ip_address", "user_agent", "created_at")


@dataclass(frozen=True)
class PdfVerdict:
    status: str
    certificate: Certificate | None
    detail: str


def check_pdf(content: bytes) -> PdfVerdict:
    """valid / expired / superseded / revoked for a file the office issued, unchanged; altered for a changed
    copy of one; unknown for anything else (not signed by the office, or not in the registry)."""
    digest = hashlib.sha256(content).hexdigest()
    registered = Certificate.objects.filter(sha256=digest).select_related("superseded_by").first()
    signature = signing.check_signature(content)
    if registered is not None and signature.genuine:
        status = {CertificateStatus.REVOKED: REVOKED, CertificateStatus.SUPERSEDED: SUPERSEDED}.get(
            registered.status, public_status(registered)
        )
        return PdfVerdict(status, registered, str(_("The office's signature and the registry's hash both match.")))
    claimed = registered or _claimed_certificate(content)
    if signature.signed and not (signature.intact and signature.whole_file):
        return PdfVerdict(ALTERED, claimed, str(_("The file was changed after the office signed it.")))
    if claimed is not None:
        return PdfVerdict(
            ALTERED, claimed, str(_("The file carries a registered number but is not the file the office issued."))
        )
    if signature.genuine:
        return PdfVerdict(UNKNOWN, None, str(_("Signed by the office, but not in this registry.")))
    return PdfVerdict(UNKNOWN, None, str(_("Not a certificate issued by the office: it carries no signature of ours.")))


def _claimed_certificate(content: bytes) -> Certificate | None:
    """The registered certificate whose number the file names in its metadata, if any."""
    try:
        info = PdfFileReader(io.BytesIO(content), strict=False).trailer_view["/Info"].get_object()
        keywords = str(info.get("/Keywords", ""))
    except Exception:
        return None
    parsed = numbering.parse_number(keywords)
    return Certificate.objects.filter(number=str(parsed)).first() if parsed else None
