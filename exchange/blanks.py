"""Blank templates for institutions to fill in (docs/spec.md §7, §8 `xlsx_template`).

A data sheet with Chinese headers and the English key row, the ID and phone columns formatted as
Text (so Excel never turns an ID number into 3.30106E+17), drop-down lists for the choice columns
(fed from a hidden list sheet: Excel limits inline lists to 255 characters), an instructions sheet
with an example row. The batch list is the institution's own batches.
"""

from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from certification.identity import resident_id_check_character
from certification.models import Institution, Module, Track
from core import spreadsheets as writing

from . import limits
from .columns import EDUCATION_WORDS, GENDER_WORDS, ID_TYPE_WORDS, Kind
from .reading import INSTRUCTIONS_SHEET, LISTS_SHEET

HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")
KEY_FONT = Font(color="808080", italic=True, size=9)
TEXT_FORMAT = "@"
# Cells formatted as Text ahead of time: Excel applies a column's format to typed cells too, but
# LibreOffice and WPS look at the cell.
PREFORMATTED_ROWS = 1000

_EXAMPLE_ID = "330106199003051" + "23"
EXAMPLE_ID = _EXAMPLE_ID + resident_id_check_character(_EXAMPLE_ID)


def lists_for(institution: Institution | None) -> dict[str, list[str]]:
    modules = list(dict.fromkeys(Module.objects.order_by("track__code", "position").values_list("name_zh", flat=True)))
    batches = []
    if institution is not None:
        batches = list(institution.batches.order_by("-start_date", "name").values_list("name", flat=True))
    return {
        "id_types": list(ID_TYPE_WORDS.values()),
        "genders": list(GENDER_WORDS.values()),
        "educations": list(EDUCATION_WORDS.values()),
        "tracks": list(Track.objects.filter(is_active=True).values_list("name_zh", flat=True)),
        "modules": modules,
        "batches": batches,
    }


def example_row(kind: Kind, lists: dict[str, list[str]]) -> dict[str, object]:
    batch = lists["batches"][0] if lists["batches"] else "2025春季制版班"
    return {
        "name": "张晓明",
        "id_type": "居民身份证",
        "id_number": EXAMPLE_ID,
        "gender": "男",
        "birth_date": date(1990, 3, 5),
        "ethnicity": "汉族",
        "education": "高中/中专",
        "phone": "13800000000",
        "employer": "杭州某服饰有限公司",
        "years_in_trade": 8,
        "address": "杭州市西湖区文三路100号",
        "batch": batch,
        "track": "服装制版",
        "module": "版样制作",
        "hours": 60,
        "score": 85,
        "theory_score": 78,
        "practical_score": 82,
        "exam_date": date(2025, 6, 20),
    }


def write_template(kind: Kind, out, *, institution: Institution | None = None) -> None:
    """Write the blank template of `kind` to `out` (a path or a binary file)."""
    lists = lists_for(institution)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.sheet
    _write_data_sheet(sheet, kind)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), kind, lists)
    list_sheet = workbook.create_sheet(LISTS_SHEET)
    ranges = _write_lists(list_sheet, lists)
    list_sheet.sheet_state = "hidden"
    _add_validations(sheet, kind, ranges)
    workbook.save(out)


def _cell(sheet, row: int, column: int, value):
    """A cell of the template: text goes through the safe writer's neutraliser, so that a name an
    officer typed (a track, a module, a batch starting with =) is never written as a formula."""
    return sheet.cell(row=row, column=column, value=writing.neutralised(value) if isinstance(value, str) else value)


def _write_data_sheet(sheet, kind: Kind) -> None:
    for number, column in enumerate(kind.columns, start=1):
        header = _cell(sheet, 1, number, column.template_header)
        header.font = Font(bold=True)
        header.fill = HEADER_FILL
        header.alignment = Alignment(horizontal="center")
        key = _cell(sheet, 2, number, column.key)
        key.font = KEY_FONT
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = column.width
        if column.as_text:
            for row in range(3, 3 + PREFORMATTED_ROWS):
                sheet.cell(row=row, column=number).number_format = TEXT_FORMAT
        if column.key in ("birth_date", "exam_date"):
            for row in range(3, 3 + PREFORMATTED_ROWS):
                sheet.cell(row=row, column=number).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A3"


def _write_instructions(sheet, kind: Kind, lists: dict[str, list[str]]) -> None:
    lines = [
        _("How to fill in the %(kind)s template") % {"kind": kind.title},
        _("Type one row per line on the sheet “%(sheet)s”, from row 3. Keep rows 1 and 2 (headers and keys).")
        % {"sheet": kind.sheet},
        _("Columns marked * are required. Choose listed values from the drop-down lists."),
        _("ID numbers are text: type them in full. A number stored as a number loses digits and is rejected."),
        _("Dates: 2024-03-05, 2024/3/5 or 2024年3月5日. No formulas, no merged cells, one sheet of data."),
        _("At most %(rows)s rows per file. Uploading the same file again changes nothing.")
        % {"rows": f"{limits.max_rows():,}"},
    ]
    for number, line in enumerate(lines, start=1):
        _cell(sheet, number, 1, line).font = Font(bold=number == 1, size=13 if number == 1 else 11)
    top = len(lines) + 2
    for offset, title in enumerate([_("Column"), _("Key"), _("Required"), _("Notes")]):
        _cell(sheet, top, offset + 1, title).font = Font(bold=True)
    for index, column in enumerate(kind.columns, start=1):
        _cell(sheet, top + index, 1, column.header)
        _cell(sheet, top + index, 2, column.key)
        _cell(sheet, top + index, 3, _("yes") if column.required else "")
        _cell(sheet, top + index, 4, str(column.hint) if column.hint else "")
    example_top = top + len(kind.columns) + 2
    _cell(sheet, example_top, 1, _("Example row")).font = Font(bold=True)
    example = example_row(kind, lists)
    for number, column in enumerate(kind.columns, start=1):
        _cell(sheet, example_top + 1, number, column.header).font = Font(bold=True)
        cell = _cell(sheet, example_top + 2, number, example.get(column.key))
        if column.as_text:
            cell.number_format = TEXT_FORMAT
        elif column.key in ("birth_date", "exam_date"):
            cell.number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["D"].width = 48


def _write_lists(sheet, lists: dict[str, list[str]]) -> dict[str, str]:
    ranges = {}
    for number, (name, values) in enumerate(lists.items(), start=1):
        _cell(sheet, 1, number, name)
        for row, value in enumerate(values, start=2):
            _cell(sheet, row, number, value).number_format = TEXT_FORMAT
        if values:
            letter = get_column_letter(number)
            ranges[name] = f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _add_validations(sheet, kind: Kind, ranges: dict[str, str]) -> None:
    last_row = limits.max_rows() + 2
    for number, column in enumerate(kind.columns, start=1):
        if not column.choices or column.choices not in ranges:
            continue
        validation = DataValidation(
            type="list",
            formula1=ranges[column.choices],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=column.header,
            error=_("Choose a value from the list."),
        )
        letter = get_column_letter(number)
        validation.add(f"{letter}3:{letter}{last_row}")
        sheet.add_data_validation(validation)
