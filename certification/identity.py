"""Identity numbers and names: normalising, checking and masking (SPEC §3, §6)."""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: weights of the first 17 digits and the check character for each remainder mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"


def normalise_id_number(raw: str) -> str:
    """Half-width, no spaces, upper case: the form we store and match on."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(text.split()).upper()


def resident_id_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARACTERS[total % 11]


def validate_resident_id(number: str) -> None:
    """Raise ValidationError unless `number` is a well-formed 18-character resident ID."""
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("A resident ID number has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    if resident_id_check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("This resident ID number fails its checksum: please check each digit."), code="id_checksum"
        )


def mask_id_number(number: str) -> str:
    """Keep the first and last few characters (`330***********1234`)."""
    keep_start, keep_end = settings.MASK_ID_KEEP_START, settings.MASK_ID_KEEP_END
    if len(number) <= keep_start + keep_end:
        return "*" * len(number)
    return number[:keep_start] + "*" * (len(number) - keep_start - keep_end) + number[-keep_end:]


def mask_name(name: str) -> str:
    """Keep the surname: `张*` for two characters, `张*明` for three or more Chinese characters.

    Latin names (with a space) keep the first word's initial and the last word's initial.
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
