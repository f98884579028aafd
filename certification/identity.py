"""Identity numbers and names: normalising, checking and masking (docs/spec.md §3, §6)."""

import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: weights of the first 17 digits and the check character for each remainder mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# ASCII only: str.isdigit() also accepts "²" or full-width digits, which int() cannot always read.
_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


def normalise_id_number(raw: str) -> str:
    """Half-width, no spaces, upper case: the form we store and match on."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(text.split()).upper()


def resident_id_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARACTERS[total % 11]


def validate_resident_id(number: str) -> None:
    """Raise ValidationError unless `number` is a well-formed 18-character resident ID.

    Expects the normalised form (normalise_id_number): half-width digits and an upper-case X.
    """
    if not _RESIDENT_ID.fullmatch(number or ""):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    if resident_id_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("This resident ID number fails its checksum: please check each digit."), code="id_checksum"
        )
    if birth_date_of_resident_id(number) is None:
        raise ValidationError(
            _("Characters 7 to 14 of a resident ID number are the birth date; this one is not a real date."),
            code="id_birth_date",
        )


def birth_date_of_resident_id(number: str) -> date | None:
    """The birth date written in positions 7–14 (YYYYMMDD), or None when it is not a plausible date."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if date(1900, 1, 1) <= born <= _today() else None


@dataclass
class _TodayCache:
    since: float = 0.0
    until: float = 0.0
    today: date = date.min


_today_cache = _TodayCache()


def _today() -> date:
    """Today's local date, worked out at most once a minute (an import checks thousands of IDs).
    The clock may also move backwards (a test travelling in time): that too is worked out again."""
    now = time.time()
    if not _today_cache.since <= now < _today_cache.until:
        _today_cache.since, _today_cache.until, _today_cache.today = now, now + 60, timezone.localdate()
    return _today_cache.today


def mask_id_number(number: str) -> str:
    """Keep the first and last few characters (`330***********1234`)."""
    keep_start, keep_end = settings.MASK_ID_KEEP_START, settings.MASK_ID_KEEP_END
    if len(number) <= keep_start + keep_end:
        return "*" * len(number)
    return number[:keep_start] + "*" * (len(number) - keep_start - keep_end) + number[-keep_end:]


def id_number_last_four(number: str) -> str:
    """Only the last four characters (`****1234`): what an assessor reviewing the candidate sees."""
    number = number or ""
    return "*" * 4 + number[-4:] if len(number) > 4 else "*" * len(number)


def mask_name(name: str) -> str:
    """Keep the first character, and the last one from three characters on.

    `张*` for two characters, `张*明` for three, `欧**娜` for four: compound surnames (欧阳) are not
    detected, so no masked name ever shows more than two characters. A one-character name is kept
    as it is. Latin names (with a space) keep each word's initial.
    """
    name = (name or "").strip()
    if not name:
        return ""
    if " " in name:
        parts = name.split()
        return " ".join(part[0] + "*" * (len(part) - 1) for part in parts)
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
