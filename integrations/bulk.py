"""Employer bulk verification (docs/spec.md §11): up to BULK_VERIFY_MAX_NUMBERS certificate numbers,
each optionally with the holder's full name, from an xlsx or CSV file or a JSON list, answered with
each certificate's status and the public's masked facts (certificates.verification.public_facts).

Whatever the size, the lookup is one query and the verification log one multi-row insert. A file is read
safely (exchange.reading: size and zip checks, openpyxl's read-only reader, formulas never
evaluated), and refused as a whole, with nothing looked up or logged, when it is too large, holds
too many numbers, or is not a spreadsheet.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.db import connections, router
from django.db.models.expressions import RawSQL
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from certificates import numbering, selectors, verification
from certificates.models import Certificate, CertificateStatus, VerificationChannel
from core import ratelimit
from core.errors import InvalidInput, LifecycleError, MoveForbidden
from core.roles import is_employer, is_officer
from core.spreadsheets import SafeSheet, new_workbook
from exchange import reading
from exchange.errors import TOO_LARGE, WRONG_TYPE, FileRefused

UNKNOWN, NAME_MISMATCH = "unknown", "name_mismatch"
PUBLIC_STATUSES = (CertificateStatus.VALID, CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RateLimited(LifecycleError):
    http_status = 429


@dataclass(frozen=True)
class Entry:
    row: int  # the line or row of the file, or the position in a JSON list (from 1)
    number: str
    name: str = ""


def max_numbers() -> int:
    return settings.BULK_VERIFY_MAX_NUMBERS


def status_labels() -> dict[str, str]:
    return {
        **{status: str(CertificateStatus(status).label) for status in PUBLIC_STATUSES},
        UNKNOWN: _("unknown"),
        NAME_MISMATCH: _("name does not match"),
    }


# Who, and how often -------------------------------------------------------------------------------


def check_allowed(user) -> None:
    """Employers and the office only; BULK_VERIFY_RATE_LIMIT calls per account and hour."""
    if not (is_employer(user) or is_officer(user)):
        raise MoveForbidden(_("Only employer accounts and the certification office verify in bulk."))
    if not ratelimit.hit(f"integrations-bulk-verify:{user.pk}", settings.BULK_VERIFY_RATE_LIMIT, 3600):
        raise RateLimited(
            _("This account has made %(limit)s bulk verifications in the last hour: please wait and try again.")
            % {"limit": settings.BULK_VERIFY_RATE_LIMIT}
        )


# Reading ------------------------------------------------------------------------------------------


def _too_many() -> FileRefused:
    return FileRefused(
        _("One verification may check at most %(limit)s certificate numbers: split the list.")
        % {"limit": f"{max_numbers():,}"},
        TOO_LARGE,
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _entries(rows) -> list[Entry]:
    """Entries from (row number, [cells]) pairs: the first column the number, the second the name.
    Blank rows are skipped; a first row whose number cell holds no digit is the header."""
    entries: list[Entry] = []
    for position, (row, cells) in enumerate(rows):
        number = _text(cells[0]) if cells else ""
        name = _text(cells[1]) if len(cells) > 1 else ""
        if not number and not name:
            continue
        if position == 0 and not any(ch.isdigit() for ch in number):
            continue  # headers: 证书编号, 姓名
        if len(entries) >= max_numbers():
            raise _too_many()
        entries.append(Entry(row=row, number=number, name=name))
    if not entries:
        raise InvalidInput(_("The file holds no certificate number."))
    return entries


def read_upload(upload) -> list[Entry]:
    """The entries of an uploaded xlsx or CSV (UTF-8 with or without BOM, or GB18030 as Chinese
    Excel saves it); FileRefused saying why the file cannot be read."""
    size = reading.size_of(upload)
    if size > settings.BULK_VERIFY_MAX_FILE_BYTES:
        raise FileRefused(
            _("This file is %(size)s; a bulk verification file may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.BULK_VERIFY_MAX_FILE_BYTES)},
            TOO_LARGE,
        )
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(reading.ZIP_MAGIC) or head.startswith(reading.OLE_MAGIC):
        return _entries(_xlsx_rows(upload))
    return _entries(_csv_rows(upload.read()))


def _xlsx_rows(upload):
    book = reading.open_workbook(upload)
    try:
        if not book.sheets:
            raise FileRefused(_("The workbook has no sheet with data."))
        _title, part = book.sheets[0]
        for row_number, cells in reading.SheetStream(book, part):
            values = []
            for column in (1, 2):
                cell = cells.get(column)
                if cell is not None and cell.data_type == "f":
                    raise FileRefused(
                        _("Row %(row)s holds a formula; formulas are never read. Paste the values instead.")
                        % {"row": row_number}
                    )
                values.append(cell.value if cell is not None else None)
            yield row_number, values
    finally:
        book.close()


def _csv_rows(content: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("This file is neither an xlsx workbook nor a CSV text file."), WRONG_TYPE)
    if "\x00" in text:
        raise FileRefused(_("This file is neither an xlsx workbook nor a CSV text file."), WRONG_TYPE)
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for line, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            yield line, cells[:2]
    except csv.Error:
        raise FileRefused(_("This CSV file is damaged: save it again and upload the new file.")) from None


def entries_from_json(data) -> list[Entry]:
    """Entries from the API's JSON: a list of numbers, or of {"number": ..., "name": ...}, either
    bare or as {"certificates": [...]}."""
    if isinstance(data, dict):
        data = data.get("certificates")
    if not isinstance(data, list) or not data:
        raise InvalidInput(_("Send a non-empty list of certificate numbers."))
    if len(data) > max_numbers():
        raise _too_many()
    entries = []
    for position, item in enumerate(data, start=1):
        if isinstance(item, str):
            number, name = item, ""
        elif isinstance(item, dict) and isinstance(item.get("number"), str):
            number, name = item["number"], item.get("name") or ""
        else:
            raise InvalidInput(_("Item %(n)s is neither a number nor {number, name}.") % {"n": position})
        if not isinstance(name, str):
            raise InvalidInput(_("Item %(n)s: the name must be text.") % {"n": position})
        entries.append(Entry(row=position, number=number.strip()[:64], name=name.strip()[:64]))
    return entries


# Looking up ---------------------------------------------------------------------------------------


def _same_name(given: str, printed: str) -> bool:
    def plain(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split()).casefold()

    return plain(given) == plain(printed)


def verify(*, user, entries: list[Entry], request=None) -> list[dict]:
    """Each entry's status and, unless the name did not match, the public's facts; every lookup
    logged. One query to look up, one multi-row insert to log (a few on SQLite)."""
    if not (is_employer(user) or is_officer(user)):
        raise MoveForbidden(_("Only employer accounts and the certification office verify in bulk."))
    numbers = [numbering.normalise_number(entry.number)[:22] for entry in entries]
    found = _public_certificates(set(numbers))
    labels = status_labels()
    results, lookups = [], []
    for entry, number in zip(entries, numbers):
        certificate = found.get(number)
        result: dict = {"row": entry.row, "number": number, "name": entry.name}
        if certificate is None:
            result["status"] = UNKNOWN
        elif entry.name and not _same_name(entry.name, certificate.holder_name):
            result["status"] = NAME_MISMATCH
        else:
            facts = verification.public_facts(certificate)  # type: ignore[arg-type]
            facts.pop("number"), facts.pop("status_label")
            result.update(facts)
        result["status_label"] = labels[result["status"]]
        results.append(result)
        lookups.append((number, certificate.pk if certificate is not None else None))
    verification.log_many(channel=VerificationChannel.BULK, lookups=lookups, request=request)
    return results


def _public_certificates(numbers: set[str]) -> dict[str, SimpleNamespace]:
    """The issued certificates among these numbers, with what public_facts reads, in one query.
    Plain rows, not model instances: a thousand Certificate objects cost more than the query."""
    fields = (*selectors.PUBLIC_FIELDS, "pk", "superseded_by_number", "supersedes_number")
    certificates = selectors.public_certificates().order_by()
    if connections[router.db_for_read(Certificate)].vendor == "postgresql":
        # A semi-join on the unnested array: PostgreSQL then probes the number's index once per
        # number (12 ms for 1,000 on the load data); `number = ANY(array)` made it scan the table
        # (110 ms), its estimate for a long array being poor.
        certificates = certificates.filter(number__in=RawSQL("SELECT unnest(%s::varchar[])", [sorted(numbers)]))
    else:
        certificates = certificates.filter(number__any_of=numbers)
    return {row["number"]: SimpleNamespace(**row) for row in certificates.values(*fields)}


# Writing ------------------------------------------------------------------------------------------


def workbook(results: list[dict]) -> bytes:
    """The results as an xlsx (core.spreadsheets: no cell is ever a formula)."""
    book = new_workbook()
    sheet = SafeSheet(
        book,
        str(_("Verification")),
        [
            _("Row"),
            _("Certificate number"),
            _("Name given"),
            _("Status"),
            _("Holder (masked)"),
            _("ID number (masked)"),
            _("Occupation"),
            _("Direction"),
            _("Level"),
            _("Issue date"),
            _("Issuer"),
            _("Revoked on"),
            _("Superseded by"),
        ],
        text_columns=(1, 5),
        widths=[6, 26, 12, 14, 12, 22, 16, 16, 14, 12, 30, 12, 26],
    )
    for r in results:
        sheet.append(
            [
                r["row"],
                r["number"],
                r["name"],
                r["status_label"],
                r.get("holder", ""),
                r.get("id_number", ""),
                r.get("occupation", ""),
                r.get("direction", ""),
                r.get("level_label", ""),
                r.get("issue_date", ""),
                r.get("issuer", ""),
                r.get("revoked_on") or "",
                r.get("superseded_by") or "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
