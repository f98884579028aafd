"""Certificate registers as Excel workbooks (SPEC §7: exports never write a cell Excel would run).

A small local helper until the shared Excel exchange (exchange/) offers one: openpyxl in write-only
mode, so a register of any size streams through constant memory, and every text cell that starts
like a formula (= + - @, a tab or a carriage return) gets a leading apostrophe, the way Excel itself
marks "text, not a formula".
"""

import tempfile
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """The value as a cell may safely hold it: text that Excel would read as a formula is prefixed."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def workbook_file(*, title: str, headers: list[tuple[str, str]], rows) -> tempfile.SpooledTemporaryFile:
    """An .xlsx with one sheet: a Chinese header row, an English key row, then the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)

    def header_cells(texts):
        cells = []
        for text in texts:
            cell = WriteOnlyCell(sheet, value=neutralised(text))
            cell.font = bold
            cells.append(cell)
        return cells

    sheet.append(header_cells([zh for zh, _key in headers]))
    sheet.append(header_cells([key for _zh, key in headers]))
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralised(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever it looks like
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
