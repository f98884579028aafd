"""Opening an uploaded workbook safely and streaming its rows (docs/spec.md §7).

The file is judged by its bytes, never its name: a CSV, an old .xls, a password-protected or
macro-enabled workbook, an OpenDocument file or a zip bomb is refused with a message saying what it
is and what to do. Then openpyxl's read-only reader opens it (shared strings, styles, sheet list),
and the data sheet is streamed row by row, cells read as openpyxl reads them, so that only one row
is in memory at a time, rows are never padded to a width an attacker chose, and a sheet is never
read past the row limit.
"""

import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from xml.etree.ElementTree import ParseError

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from lxml import etree
from openpyxl.formula.translate import Translator
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from . import archives, limits
from .cells import Cell
from .errors import TOO_LARGE, WRONG_TYPE, FileRefused

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # Office 97–2003 files and encrypted Office files
INSTRUCTIONS_SHEET = "说明"
LISTS_SHEET = "选项"
# Read whole by openpyxl when the workbook opens; the worksheets themselves are streamed.
WHOLE_PARTS = {"xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"}
# What openpyxl may raise on a malformed file: all of it means "damaged", none of it a 500.
READ_ERRORS = (
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    OSError,
    EOFError,
    zipfile.BadZipFile,
    zlib.error,
    ParseError,
)


def too_large(size: int) -> FileRefused:
    return FileRefused(
        _("This file is %(size)s; one upload may be at most %(limit)s. Split it into smaller files.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limits.max_file_bytes())},
        TOO_LARGE,
    )


def size_of(fileobj) -> int:
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


@dataclass
class Book:
    """What is needed to stream a workbook's sheets: openpyxl's read-only reader, minus the worksheet
    objects (whose constructor scans a sheet without a declared size to its very end)."""

    archive: zipfile.ZipFile
    shared_strings: list
    epoch: datetime
    date_formats: set
    timedelta_formats: set
    sheets: list[tuple[str, str]]  # (title, part inside the archive)

    def close(self) -> None:
        self.archive.close()


def open_workbook(fileobj) -> Book:
    """The workbook, read as openpyxl's read-only mode does, or FileRefused saying why it cannot be."""
    size = size_of(fileobj)
    if size > limits.max_file_bytes():
        raise too_large(size)
    head = fileobj.read(4096)
    fileobj.seek(0)
    if head.startswith(OLE_MAGIC):
        raise _office_97_or_encrypted(fileobj)
    if not head.startswith(ZIP_MAGIC):
        raise _not_a_workbook(head)
    with archives.open_zip(fileobj) as archive:
        archives.check_sizes(archive, max_members=limits.get("EXCHANGE_MAX_ARCHIVE_MEMBERS"), whole_parts=WHOLE_PARTS)
        _check_parts(archive)
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops; we only read values
            reader = ExcelReader(fileobj, read_only=True, keep_vba=False, data_only=False, keep_links=False)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheets = [
                (sheet.name, rel.target)
                for sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "worksheet" in rel.Type
            ]
    except READ_ERRORS:
        raise archives.damaged() from None
    workbook = reader.wb
    return Book(
        reader.archive,
        reader.shared_strings,
        workbook.epoch,
        set(workbook._date_formats),
        set(workbook._timedelta_formats),
        sheets,
    )


def _check_parts(archive: zipfile.ZipFile) -> None:
    names = set(archive.namelist())
    if "mimetype" in names and "xl/workbook.xml" not in names:
        raise FileRefused(
            _("This is an OpenDocument spreadsheet (.ods): save it as an Excel workbook (.xlsx) and upload it again."),
            WRONG_TYPE,
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(_("This file is not an Excel workbook (.xlsx)."), WRONG_TYPE)
    try:
        content_types = archive.read("[Content_Types].xml")
    except READ_ERRORS:
        raise archives.damaged() from None
    if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types:
        raise FileRefused(
            _(
                "This workbook contains macros (.xlsm): save it as an Excel workbook (.xlsx) without macros and upload it again."
            ),
            WRONG_TYPE,
        )


def _office_97_or_encrypted(fileobj) -> FileRefused:
    # An encrypted .xlsx is an OLE container with an "EncryptedPackage" stream; the directory
    # names are UTF-16. Good enough to tell the two apart without an OLE library.
    content = fileobj.read()
    fileobj.seek(0)
    if "EncryptedPackage".encode("utf-16-le") in content:
        return FileRefused(
            _(
                "This workbook is protected by a password: remove the password in Excel (File → Info → Protect Workbook) and upload it again."
            ),
            WRONG_TYPE,
        )
    return FileRefused(
        _("This is an old Excel 97–2003 file (.xls): open it in Excel and save it as an Excel workbook (.xlsx)."),
        WRONG_TYPE,
    )


def _not_a_workbook(head: bytes) -> FileRefused:
    if _is_text(head):
        return FileRefused(
            _(
                "This is a CSV or text file, not an Excel workbook: open it in Excel and save it as an Excel workbook (.xlsx)."
            ),
            WRONG_TYPE,
        )
    return FileRefused(_("This file is not an Excel workbook (.xlsx)."), WRONG_TYPE)


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:
                continue
            text = head[: error.start].decode(encoding)  # a character cut at the end of the sample
        return all(ch.isprintable() or ch in "\r\n\t\ufeff" for ch in text)
    return False


def data_sheet(book: Book) -> tuple[str, str]:
    """(title, part) of the first worksheet that is not the template's instructions or lists."""
    for title, part in book.sheets:
        if title not in (INSTRUCTIONS_SHEET, LISTS_SHEET):
            return title, part
    raise FileRefused(_("The workbook has no sheet with data."))


def declared_rows(book: Book, part: str) -> int:
    """The last row of the used range Excel writes at the top of a sheet; 0 when there is none.
    Reads only up to the sheet's data, never into it."""
    try:
        with book.archive.open(part) as source:
            for _event, element in iterparse(source, events=("start",)):
                if element.tag == DIMENSION_TAG:
                    boundaries = SheetDimension.from_tree(element).boundaries
                    return boundaries[3] if boundaries else 0
                if element.tag == DATA_TAG:
                    return 0
    except READ_ERRORS:
        raise archives.damaged() from None
    return 0


def check_declared_rows(book: Book, part: str, header_rows: int = limits.HEADER_ROWS) -> None:
    """A sheet that declares far more rows than the limit is refused before a single row is read.
    The streaming count stays the real guard (the declaration may be absent or wrong)."""
    declared = declared_rows(book, part)
    if declared - header_rows > limits.max_rows():
        raise FileRefused(
            _(
                "The sheet reaches down to row %(rows)s; one upload may have at most %(limit)s rows. "
                "Split it into several files (and delete empty rows at the bottom)."
            )
            % {"rows": f"{declared:,}", "limit": f"{limits.max_rows():,}"},
            TOO_LARGE,
        )


def _rows_allowed() -> dict[str, str]:
    return {"last": f"{limits.last_row():,}", "limit": f"{limits.max_rows():,}"}


def check_row_number(number: int) -> None:
    if number > limits.last_row():
        raise FileRefused(
            _(
                "The sheet has a row numbered %(row)s; an upload may use rows 1 to %(last)s "
                "(%(limit)s rows under the two header rows). Delete the empty rows above it, or split the file."
            )
            % {"row": f"{number:,}", **_rows_allowed()},
            TOO_LARGE,
        )


def merged_rows(ref: str) -> tuple[int, int, int]:
    """(first column, first row, last row) of a merged range within the rows an upload may use;
    FileRefused for a range reaching beyond them (or a whole column), ValueError for a malformed one."""
    min_col, min_row, _max_col, max_row = range_boundaries(ref)
    if min_row is None or max_row is None or max_row > limits.last_row():
        raise FileRefused(
            _(
                "Cells %(range)s are merged down to row %(row)s; an upload may use rows 1 to %(last)s "
                "(%(limit)s rows under the two header rows). Unmerge them and split the file."
            )
            % {"range": ref, "row": f"{max_row:,}" if max_row else "∞", **_rows_allowed()},
            TOO_LARGE,
        )
    return min_col or 1, min_row, max_row


class SheetStream:
    """Rows of one worksheet as {column number: Cell}, skipping empty cells, one row at a time.

    After the last row, `merged_ranges` holds the sheet's merged cells (Excel writes them after
    the data, so they are known only at the end).

    The cells are read as openpyxl's worksheet parser reads them (same values and data types; a
    test compares the two on every file of the corpus), but with lxml and only what an import needs:
    no styles, dimensions or other sheet parts are built, which makes reading a sheet three to four
    times faster. The XML parser resolves no entities and fetches nothing.
    """

    def __init__(self, book: Book, part: str):
        self.book = book
        self.part = part
        self.merged_ranges: list[str] = []

    def __iter__(self) -> Iterator[tuple[int, dict[int, Cell]]]:
        reader = _CellReader(self.book)
        row_number = 0
        try:
            with self.book.archive.open(self.part) as source:
                rows = etree.iterparse(
                    source,
                    events=("end",),
                    tag=(_ROW, _MERGE_CELL),
                    resolve_entities=False,
                    no_network=True,
                    load_dtd=False,
                    huge_tree=False,
                )
                for _event, element in rows:
                    if element.tag == _MERGE_CELL:
                        if element.get("ref"):
                            self.merged_ranges.append(element.get("ref"))
                        continue
                    row_number = _row_number(element.get("r"), row_number)
                    check_row_number(row_number)  # never read (or report) rows past the limit
                    yield row_number, reader.row(element)
                    # Only the row being read is kept in memory, not the rows before it.
                    element.clear()
                    while element.getprevious() is not None:
                        del element.getparent()[0]
        except (*READ_ERRORS, etree.LxmlError):
            raise archives.damaged() from None


_NS = f"{{{SHEET_MAIN_NS}}}"
_ROW, _CELL, _VALUE, _FORMULA = f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}f"
_INLINE, _TEXT, _RUN, _MERGE_CELL = f"{_NS}is", f"{_NS}t", f"{_NS}r", f"{_NS}mergeCell"
_ABSENT = object()


def _row_number(attribute: str | None, previous: int) -> int:
    """A row's number: its r attribute (openpyxl accepts "5.0" too), else the one after the previous."""
    if not attribute:
        return previous + 1
    try:
        return int(attribute)
    except ValueError:
        number = float(attribute)
        if not number.is_integer():
            raise
        return int(number)


@lru_cache(maxsize=4096)
def _column_of(coordinate: str) -> int:
    return column_index_from_string(coordinate.rstrip("0123456789"))


class _CellReader:
    """One row's cells as openpyxl's WorkSheetParser.parse_cell reads them (with data_only=False)."""

    def __init__(self, book: Book):
        self.shared_strings = book.shared_strings
        self.epoch = book.epoch
        self.date_formats = book.date_formats
        self.timedelta_formats = book.timedelta_formats
        self.shared_formulae: dict[str, Translator] = {}

    def row(self, element) -> dict[int, Cell]:
        cells, column, epoch = {}, 0, self.epoch
        for cell in element:
            coordinate = cell.get("r")
            column = _column_of(coordinate) if coordinate else column + 1
            # The common cells (a shared or inline string, a plain number) straight away; value() for the rest.
            if len(cell) == 1:
                data_type, child = cell.get("t"), cell[0]
                if child.tag == _VALUE and child.text:
                    if data_type == "s":
                        cells[column] = Cell(self.shared_strings[int(child.text)], "s", epoch)
                        continue
                    if (
                        data_type is None
                        and not cell.get("s")
                        and "." not in child.text
                        and "E" not in child.text
                        and "e" not in child.text
                    ):
                        cells[column] = Cell(int(child.text), "n", epoch)
                        continue
                elif data_type == "inlineStr" and child.tag == _INLINE and len(child) == 1 and child[0].tag == _TEXT:
                    cells[column] = Cell(child[0].text or "", "s", epoch)
                    continue
            value, data_type = self.value(cell, coordinate)
            if value is not None:
                cells[column] = Cell(value, data_type, epoch)
        return cells

    def value(self, cell, coordinate: str | None) -> tuple[object, str]:
        data_type = cell.get("t", "n")
        value, formula, inline = _ABSENT, None, None
        for child in cell:  # once over the children: cheaper than a find() for each kind
            tag = child.tag
            if tag == _VALUE:
                if value is _ABSENT:
                    value = child.text
            elif tag == _FORMULA:
                formula = child if formula is None else formula
            elif tag == _INLINE:
                inline = child if inline is None else inline
        if formula is not None:
            return self.formula(formula, coordinate), "f"
        if data_type == "inlineStr":
            return (_inline_text(inline), "s") if inline is not None else (None, data_type)
        if value is _ABSENT or not value:
            return None, data_type
        if data_type == "n":
            number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
            style = cell.get("s")
            if not style or int(style) not in self.date_formats:
                return number, "n"
            try:
                return from_excel(number, self.epoch, timedelta=int(style) in self.timedelta_formats), "d"
            except (OverflowError, ValueError):
                return "#VALUE!", "e"  # a date cell whose serial no date has
        if data_type == "s":
            return self.shared_strings[int(value)], "s"
        if data_type == "b":
            return bool(int(value)), "b"
        if data_type == "str":
            return value, "s"
        if data_type == "d":
            return from_ISO8601(value), "d"
        return value, data_type

    def formula(self, formula, coordinate: str | None) -> str:
        text = "=" + (formula.text or "")
        if formula.get("t") == "shared":
            index = formula.get("si")
            if index in self.shared_formulae:
                return self.shared_formulae[index].translate_formula(coordinate)
            if text != "=":
                self.shared_formulae[index] = Translator(text, coordinate)
        return text


def _inline_text(inline) -> str:
    """An inline string's text without its formatting (and without phonetic guides), as openpyxl's Text.content."""
    if len(inline) == 1 and inline[0].tag == _TEXT:
        return inline[0].text or ""  # what nearly every inline string is
    parts = []
    for child in inline:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            text = child.find(_TEXT)
            if text is not None and text.text is not None:
                parts.append(text.text)
    return "".join(parts)
