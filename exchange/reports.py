"""The error report: the uploaded rows, in their rows and columns, bad cells highlighted and the
reasons in one more column (docs/spec.md §7). Fixed and uploaded again, the reason column is ignored.

Two passes over the file: the first runs the preview (nothing written) and keeps each row's
problems, the second streams the rows into a write-only workbook. Row and column numbers stay
those of the upload, so "C5" in a reason is C5 in the report.
"""

from collections import defaultdict

from openpyxl.styles import Font, PatternFill

from certification.models import User
from core import spreadsheets as writing

from . import reading, services
from .columns import KINDS, REASON_HEADER, REASON_KEY
from .errors import FileRefused
from .handlers import Options
from .summary import Problem

BAD_FILL = PatternFill("solid", fgColor="F8C9C4")
REASON_FONT = Font(color="9C0006")


def write_error_report(*, staff: User, kind: str, fileobj, out, options: Options | None = None) -> int:
    """Write the report to `out`; the number of problems found."""
    problems: dict[int, list[Problem]] = defaultdict(list)
    summary = services.preview(
        staff=staff,
        kind=kind,
        fileobj=fileobj,
        options=options,
        on_problem=lambda problem: problems[problem.row].append(problem),
    )
    if summary.refusal:
        raise FileRefused(summary.refusal, summary.refusal_status)
    fileobj.seek(0)
    book = reading.open_workbook(fileobj)
    try:
        report = writing.new_workbook()
        sheet = report.create_sheet(title=KINDS[kind].sheet)
        _title, part = reading.data_sheet(book)
        _copy_rows(sheet, reading.SheetStream(book, part), problems, KINDS[kind])
        report.save(out)
    finally:
        book.close()
    return summary.problem_count


def _copy_rows(sheet, stream, problems: dict[int, list[Problem]], kind) -> None:
    widest_problem = max((p.column or 0 for row in problems.values() for p in row), default=0)
    # ID numbers and phones stay text when the report is edited, as in the template.
    text_headers = {name for c in kind.columns if c.as_text for name in (c.header, c.template_header, c.key)}
    reason_column, text_columns = None, set()
    written = 0
    for index, (number, cells) in enumerate(stream):
        while written + 1 < number:
            sheet.append([])
            written += 1
        if reason_column is None:  # the header row: the reasons go right of every header and bad cell
            reason_column = max(max(cells, default=0), widest_problem) + 1
            text_columns = {n for n, cell in cells.items() if str(cell.value).strip() in text_headers}
        is_key_row = index == 1 and any(getattr(c, "value", None) == "id_number" for c in cells.values())
        role = "header" if index == 0 else "keys" if is_key_row else "data"
        sheet.append(_row(sheet, cells, problems.get(number, []), reason_column, role, text_columns))
        written = number


def _row(sheet, cells: dict, row_problems: list[Problem], reason_column: int, role: str, text_columns: set) -> list:
    bad_columns = {p.column for p in row_problems if p.column}
    values = []
    for column in range(1, reason_column):
        source = cells.get(column)
        value = source.value if source is not None else None
        fill = BAD_FILL if column in bad_columns else None
        as_text = role == "data" and column in text_columns and isinstance(value, str)
        values.append(
            writing.cell(sheet, value, as_text=as_text, fill=fill, font=writing.BOLD if role == "header" else None)
        )
    if role == "header":
        values.append(writing.cell(sheet, REASON_HEADER, font=writing.BOLD))
    elif role == "keys":
        values.append(writing.cell(sheet, REASON_KEY))
    elif row_problems:
        reason = "; ".join(str(problem) for problem in row_problems)
        values.append(writing.cell(sheet, reason, fill=BAD_FILL, font=REASON_FONT))
    return values
