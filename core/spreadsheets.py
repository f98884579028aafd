"""Writing workbooks that are safe to open: no cell that Excel would run as a formula (docs/spec.md §7).

Text starting with = + - @, a tab or a carriage return is what spreadsheet programs treat as a
formula (or a DDE call); it gets a leading apostrophe, as OWASP recommends for CSV injection, and
is written as a text cell. ID numbers are always text, formatted as Text.
Workbooks are write-only (streamed to the file), so an export's size does not matter.
"""

from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def neutralised(text: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(sheet, value, *, as_text: bool = False, fill=None, font=None) -> WriteOnlyCell:
    """One cell that is never a formula: text neutralised, dates as dates, numbers as numbers."""
    if value is None:
        result = WriteOnlyCell(sheet, None)
    elif as_text or isinstance(value, str):
        result = WriteOnlyCell(sheet, neutralised(_plain(value)))
        result.data_type = "s"
        if as_text:
            result.number_format = TEXT_FORMAT
    elif isinstance(value, (datetime, date)):
        result = WriteOnlyCell(sheet, value)
        result.number_format = DATE_FORMAT
    elif isinstance(value, (bool, int, float, Decimal)):
        result = WriteOnlyCell(sheet, value)
    else:
        result = WriteOnlyCell(sheet, neutralised(str(value)))
        result.data_type = "s"
    if fill is not None:
        result.fill = fill
    if font is not None:
        result.font = font
    return result


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class SafeSheet:
    """A write-only sheet with a bold header row; `text_columns` (0-based) are always text."""

    def __init__(self, workbook: Workbook, title: str, headers: list[str], *, text_columns=(), widths=None):
        self.sheet = workbook.create_sheet(title=title)
        self.text_columns = set(text_columns)
        for index, width in enumerate(widths or []):
            self.sheet.column_dimensions[_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        self.sheet.append([cell(self.sheet, str(h), font=BOLD, fill=HEADER_FILL) for h in headers])

    def append(self, values) -> None:
        self.sheet.append([cell(self.sheet, v, as_text=i in self.text_columns) for i, v in enumerate(values)])


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


def new_workbook() -> Workbook:
    return Workbook(write_only=True)
