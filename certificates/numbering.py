"""Certificate numbers (docs/spec.md §6, after 人社鉴发〔2019〕2号): 22 characters.

    Y 0001 33 000101 | 26 4 000001
    │ │    │  │        │  │ └ serial: 6 digits, per issuer and year, gap-free, never reused
    │ │    │  │        │  └ level: 1 digit (5 初级 … 1 高级技师)
    │ │    │  │        └ year of issue: 2 digits
    │ │    │  └ provincial registration serial of the issuer: 6 digits
    │ │    └ province: 2 digits (Zhejiang = 33)
    │ └ national filing code: 4 digits (0000 when filed with the province)
    └ issuer type: Y employer, S social training-and-evaluation organisation

Positions 1–13 identify the issuer and come from the CERT_ISSUER setting (CERT_ISSUER_* in the
environment). The serial comes from one
counter row per issuer and year, locked and incremented in the same transaction that creates the
certificate row: a rolled-back issue gives its serial back, a committed one keeps it for ever.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core.errors import RuleNotMet

from .models import CertificateSerial

NUMBER_LENGTH = 22
MAX_SERIAL = 999_999
NUMBER_PATTERN = re.compile(r"^(?P<issuer>[YS]\d{12})(?P<year>\d{2})(?P<level>[1-5])(?P<serial>\d{6})$")


@dataclass(frozen=True)
class Issuer:
    type: str
    filing_code: str
    province: str
    registration_serial: str
    name: str

    @property
    def code(self) -> str:
        """Positions 1–13 of every number this issuer gives out."""
        return f"{self.type}{self.filing_code}{self.province}{self.registration_serial}"


def configured_issuer() -> Issuer:
    """The issuer from settings.CERT_ISSUER (type, filing_code, province, registration_serial, name),
    checked."""
    config = settings.CERT_ISSUER
    try:
        issuer = Issuer(
            type=str(config["type"]).strip(),
            filing_code=str(config["filing_code"]).strip(),
            province=str(config["province"]).strip(),
            registration_serial=str(config["registration_serial"]).strip(),
            name=str(config["name"]).strip(),
        )
    except KeyError as missing:
        raise ImproperlyConfigured(f"CERT_ISSUER has no {missing}.") from None
    if not issuer.name:
        raise ImproperlyConfigured("CERT_ISSUER must give the issuer's name (CERT_ISSUER_NAME).")
    if not re.fullmatch(r"[YS]\d{12}", issuer.code) or len(issuer.filing_code) != 4 or len(issuer.province) != 2:
        raise ImproperlyConfigured(
            "CERT_ISSUER must give type Y or S, a 4-digit filing_code, a 2-digit province and a 6-digit "
            f"registration_serial; they make {issuer.code!r}."
        )
    return issuer


@dataclass(frozen=True)
class CertificateNumber:
    issuer_code: str
    year: int  # four digits
    level: int
    serial: int

    def __str__(self) -> str:
        return f"{self.issuer_code}{self.year % 100:02d}{self.level}{self.serial:06d}"


def format_number(*, issuer_code: str, year: int, level: int, serial: int) -> str:
    if not 1 <= level <= 5:
        raise ValueError(f"level must be 1 to 5, not {level}")
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial must be 1 to {MAX_SERIAL}, not {serial}")
    number = str(CertificateNumber(issuer_code=issuer_code, year=year, level=level, serial=serial))
    assert NUMBER_PATTERN.match(number), number
    return number


def parse_number(text: str) -> CertificateNumber | None:
    """The parts of a well-formed number, or None. The century is taken to be 2000–2099."""
    match = NUMBER_PATTERN.match((text or "").strip().upper())
    if not match:
        return None
    return CertificateNumber(
        issuer_code=match["issuer"],
        year=2000 + int(match["year"]),
        level=int(match["level"]),
        serial=int(match["serial"]),
    )


def normalise_number(text: str) -> str:
    """What people type or scan, in the stored form: no blanks, upper case, at most 22 characters
    kept beyond which nothing could match anyway (so logs stay small). A NUL, which PostgreSQL
    refuses in any text, becomes U+FFFD: no number has it, so the input is simply not found."""
    return "".join((text or "").split()).upper().replace("\x00", "\ufffd")[:64]


def lock_counter(*, issuer_code: str, year: int) -> CertificateSerial:
    """Lock (creating if needed) the issuer's counter for the year, until the transaction ends.

    Callers lock the counter before any enrolment row, so that two issuing transactions always
    take their locks in the same order and cannot deadlock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_counter() must run inside the issuing transaction.")
    # INSERT … ON CONFLICT DO NOTHING: two first issuers of a year cannot both create the row.
    CertificateSerial.objects.bulk_create(
        [CertificateSerial(issuer_code=issuer_code, year=year, last_serial=0)], ignore_conflicts=True
    )
    return CertificateSerial.objects.select_for_update().get(issuer_code=issuer_code, year=year)


def next_serial(counter: CertificateSerial) -> int:
    """The next serial of a counter locked by lock_counter(), counted in the database.

    Incremented by the database rather than in Python: if the caller's savepoint rolls back (an
    issue that fails after this), the increment rolls back with it and no serial is skipped.
    """
    CertificateSerial.objects.filter(pk=counter.pk).update(last_serial=F("last_serial") + 1)
    serial = CertificateSerial.objects.values_list("last_serial", flat=True).get(pk=counter.pk)
    if serial > MAX_SERIAL:
        raise RuleNotMet(
            _("The issuer has used all %(max)s certificate numbers of %(year)s.")
            % {"max": MAX_SERIAL, "year": counter.year}
        )
    return serial


def take_serials(counter: CertificateSerial, count: int) -> range:
    """The next `count` serials of a counter locked by lock_counter(), taken at once (a bulk load
    such as demo's seed_load): the same increment as next_serial, by `count` instead of one."""
    CertificateSerial.objects.filter(pk=counter.pk).update(last_serial=F("last_serial") + count)
    last = CertificateSerial.objects.values_list("last_serial", flat=True).get(pk=counter.pk)
    if last > MAX_SERIAL:
        raise RuleNotMet(
            _("The issuer has used all %(max)s certificate numbers of %(year)s.")
            % {"max": MAX_SERIAL, "year": counter.year}
        )
    return range(last - count + 1, last + 1)
