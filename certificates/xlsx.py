"""Certificate registers as Excel workbooks (docs/spec.md §7: exports never write a cell Excel would run).

The cells come from the shared Excel writer (core.spreadsheets): openpyxl write-only mode, so a
register of any size streams through constant memory, and text that starts like a formula gets a
leading apostrophe.
"""

import tempfile
from datetime import datetime

from django.utils import timezone

from core.spreadsheets import BOLD, cell, new_workbook


def _excel_value(value):
    # Excel has no time zones: an aware time is written as the office's local time.
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def workbook_file(*, title: str, headers: list[tuple[str, str]], rows) -> tempfile.SpooledTemporaryFile:
    """An .xlsx with one sheet: a Chinese header row, an English key row, then the rows."""
    workbook = new_workbook()
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([cell(sheet, zh, font=BOLD) for zh, _key in headers])
    sheet.append([cell(sheet, key, font=BOLD) for _zh, key in headers])
    for row in rows:
        sheet.append([cell(sheet, _excel_value(value)) for value in row])
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
