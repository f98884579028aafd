"""Reading one spreadsheet cell into a Python value, or saying exactly what is wrong with it.

Cells come from openpyxl's streaming parser as (value, data_type): 'n' number, 's' text, 'd' date,
'b' boolean, 'f' formula (value "=..."), 'e' an Excel error. People type what Excel lets them, so
text is normalised (full-width digits and spaces, stray whitespace) and dates are read in the forms
Chinese offices use; what cannot be read unambiguously is refused, never guessed.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from certification.identity import normalise_id_number, validate_resident_id
from certification.models import IdType


class CellError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


class Cell(NamedTuple):
    # A tuple, not a dataclass: a 10,000-row upload makes 130,000 of them.
    value: object
    data_type: str = "s"
    epoch: datetime = WINDOWS_EPOCH


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value, limit: int = 60) -> str:
    """A cell's value as the user would recognise it in a message."""
    if isinstance(value, float):
        text = _number_as_digits(value)
    elif isinstance(value, datetime) and value.time() == datetime.min.time():
        text = value.date().isoformat()
    elif isinstance(value, (date, datetime)):
        text = value.isoformat(sep=" ")
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number_as_digits(value: float) -> str:
    number = Decimal(repr(value))
    return format(number.normalize(), "f") if number == number.to_integral_value() else str(number)


def _usable(cell: Cell):
    """The raw value, unless the cell holds something no importer should read."""
    if cell.data_type == "f":
        raise CellError(
            _("This cell holds a formula (%(formula)s): replace it with its value (Paste Special → Values).")
            % {"formula": shown(cell.value, 40)}
        )
    if cell.data_type == "e":
        raise CellError(_("This cell shows the Excel error %(error)s: correct it.") % {"error": cell.value})
    return cell.value


def normalised_text(value) -> str:
    """Half-width (NFKC: full-width digits, letters and spaces), trimmed, inner whitespace single."""
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def text(cell: Cell, *, max_length: int | None = None) -> str:
    value = _usable(cell)
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed as a number
    if isinstance(value, (datetime, date)):
        raise CellError(_("A date is not expected here; type the text itself."))
    result = normalised_text(value)
    return checked_length(result, max_length) if max_length is not None else result


def checked_length(result: str, max_length: int) -> str:
    if len(result) > max_length:
        raise CellError(
            _("This text has %(length)s characters; at most %(limit)s fit.")
            % {"length": len(result), "limit": max_length}
        )
    return result


_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


def person_name(cell: Cell, *, max_length: int) -> str:
    """A name; spaces typed between Chinese characters to align columns are dropped (王 五 → 王五)."""
    return _CJK_GAP.sub("", text(cell, max_length=max_length))


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


def id_number(cell: Cell, *, id_type: str, max_length: int) -> str:
    """An ID number as text. A number cell has already lost digits or leading zeros: refused, never mended."""
    value = _usable(cell)
    if is_blank(value):
        return ""
    if cell.data_type == "n" or isinstance(value, (int, float)):
        raise _stored_as_number(shown(value))
    number = normalise_id_number(value)
    if _SCIENTIFIC.match(number):
        raise _stored_as_number(number)
    if len(number) > max_length:
        raise CellError(_("An ID number has at most %(limit)s characters.") % {"limit": max_length})
    if id_type == IdType.RESIDENT_ID:
        try:
            validate_resident_id(number)
        except ValidationError as error:
            raise CellError(error.messages[0]) from None
    return number


def _stored_as_number(as_shown: str) -> CellError:
    return CellError(
        _(
            "The ID number is stored as a number (%(number)s), so Excel has kept only 15 digits and dropped "
            "leading zeros: format the column as Text and type the number again."
        )
        % {"number": as_shown}
    )


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?: 0{1,2}:00(?::00)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
# Excel's serial numbers for 1900-01-01 and 9999-12-31.
_FIRST_SERIAL, _LAST_SERIAL = 1, 2958465


def date_value(cell: Cell) -> date | None:
    """A real date cell, an Excel serial number, or text such as 2024-03-05, 2024/3/5, 20240305, 2024年3月5日."""
    value = _usable(cell)
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _not_a_date(value)
    if isinstance(value, (int, float)):
        return _date_from_number(value, cell.epoch)
    text_value = normalised_text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text_value)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                break
    raise _not_a_date(text_value)


def _date_from_number(value: float, epoch: datetime) -> date:
    if float(value).is_integer() and 19000101 <= value <= 21001231:
        # 20240305 typed into a number cell
        return date_value(Cell(str(int(value))))
    if not _FIRST_SERIAL <= value <= _LAST_SERIAL:
        raise _not_a_date(shown(value))
    try:
        return from_excel(value, epoch).date()
    except (OverflowError, ValueError):
        raise _not_a_date(shown(value)) from None


def _not_a_date(value) -> CellError:
    return CellError(_("“%(value)s” is not a date: write dates as 2024-03-05.") % {"value": value})


@dataclass(frozen=True)
class NumberRange:
    low: Decimal
    high: Decimal
    places: int


@cache
def field_range(model, field_name: str) -> NumberRange:
    """The limits the model field itself declares, so that the rule has one home (the model)."""
    field = model._meta.get_field(field_name)
    low = next((v.limit_value for v in field.validators if isinstance(v, MinValueValidator)), Decimal(0))
    high = next((v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)), Decimal(32767))
    return NumberRange(Decimal(low), Decimal(high), getattr(field, "decimal_places", 0) or 0)


def decimal_value(cell: Cell, *, label: "str | Promise", limits: NumberRange) -> Decimal | None:
    value = _usable(cell)
    if is_blank(value):
        return None
    if isinstance(value, (bool, date, datetime)):
        raise _not_a_number(shown(value))
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(normalised_text(value))
    except InvalidOperation:
        raise _not_a_number(shown(value)) from None
    if not number.is_finite():
        raise _not_a_number(shown(value))
    if not limits.low <= number <= limits.high:
        raise CellError(
            _("%(label)s must be between %(low)s and %(high)s; this cell has %(value)s.")
            % {"label": label, "low": limits.low, "high": limits.high, "value": _plain(number)}
        )
    if number != round(number, limits.places):
        if limits.places == 0:
            raise CellError(
                _("%(label)s must be a whole number; this cell has %(value)s.")
                % {"label": label, "value": _plain(number)}
            )
        raise CellError(
            _("%(label)s has at most %(places)s decimal place(s); this cell has %(value)s.")
            % {"label": label, "places": limits.places, "value": _plain(number)}
        )
    return number


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f") if number == number.to_integral_value() else format(number, "f")


def integer_value(cell: Cell, *, label: "str | Promise", limits: NumberRange) -> int | None:
    number = decimal_value(cell, label=label, limits=NumberRange(limits.low, limits.high, 0))
    return None if number is None else int(number)


def _not_a_number(value) -> CellError:
    return CellError(_("“%(value)s” is not a number.") % {"value": value})


def choice(cell: Cell, vocabulary: dict[str, str], shown_choices: list[str]) -> str:
    """The stored value for one of the words in `vocabulary` (compared case- and width-insensitively)."""
    value = _usable(cell)
    if is_blank(value):
        return ""
    word = normalised_text(value).casefold()
    if word in vocabulary:
        return vocabulary[word]
    raise CellError(
        _("“%(value)s” is not one of: %(choices)s.") % {"value": shown(value), "choices": "、".join(shown_choices)}
    )
