"""exchange.reading.SheetStream reads every cell exactly as openpyxl's own worksheet parser does."""

import io
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from django.test import override_settings
from openpyxl import Workbook
from openpyxl.styles import NamedStyle
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.formula import ArrayFormula

from exchange import reading
from exchange.cells import Cell
from exchange.errors import FileRefused

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def openpyxl_rows(book: reading.Book, part: str) -> tuple[list, list]:
    """What openpyxl's WorkSheetParser reads, in SheetStream's shape (an array formula as its text,
    where openpyxl gives an object: the import only shows it in a message)."""
    with warnings.catch_warnings(), book.archive.open(part) as source:
        warnings.simplefilter("ignore")
        parser = WorkSheetParser(
            source,
            book.shared_strings,
            data_only=False,
            epoch=book.epoch,
            date_formats=book.date_formats,
            timedelta_formats=book.timedelta_formats,
        )
        rows = [
            (
                number,
                {
                    c["column"]: Cell(_text_of(c["value"]), c["data_type"], book.epoch)
                    for c in row
                    if c["value"] is not None
                },
            )
            for number, row in parser.parse()
        ]
        merged = [str(m.ref) for m in parser.merged_cells.mergeCell] if parser.merged_cells is not None else []
    return rows, merged


def _text_of(value):
    return value.text if isinstance(value, ArrayFormula) else value


def both_readings(content: bytes) -> tuple[tuple, tuple]:
    book = reading.open_workbook(io.BytesIO(content))
    try:
        _title, part = reading.data_sheet(book)
        stream = reading.SheetStream(book, part)
        ours = (list(stream), stream.merged_ranges)
        theirs = openpyxl_rows(book, part)
    finally:
        book.close()
    return ours, theirs


def readable_corpus_files() -> list[Path]:
    files = []
    for path in sorted(CORPUS.glob("*.xlsx")):
        if path.name == "enrolments_merge_beyond_limit.xlsx":
            continue  # merged beyond Excel's 1,048,576 rows: openpyxl cannot read it, our stream never gets to
        try:
            reading.open_workbook(io.BytesIO(path.read_bytes())).close()
        except FileRefused:
            continue
        files.append(path)
    return files


# Limit lifted: the stream also refuses rows beyond it, and the files reaching row 20,000,000 are compared too.
@override_settings(EXCHANGE_MAX_ROWS=1_000_000_000)
@pytest.mark.parametrize("path", readable_corpus_files(), ids=lambda path: path.name)
def test_it_reads_each_corpus_file_as_openpyxl_does(path):
    ours, theirs = both_readings(path.read_bytes())
    assert ours == theirs


SHARED_STRINGS = (
    f'<sst xmlns="{NS}" count="2" uniqueCount="2"><si><t>共享</t></si><si><r><t>富</t></r><r><t>文本</t></r></si></sst>'
)
SHARED_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def with_sheet_xml(sheet_data: str, *, merge: str = "", date1904: bool = False) -> bytes:
    """A workbook saved by openpyxl with a date style as style 1 and Excel's shared strings added
    (openpyxl itself writes strings inline), its sheet's XML replaced."""
    workbook = Workbook()
    sheet = workbook.active
    sheet["B1"] = datetime(2024, 3, 5)
    sheet["B1"].style = NamedStyle(name="a date", number_format="yyyy-mm-dd")
    if date1904:
        workbook.epoch = datetime(1904, 1, 1)
    saved = io.BytesIO()
    workbook.save(saved)
    source = zipfile.ZipFile(io.BytesIO(saved.getvalue()))
    date_style = 1
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = (
                    f'<worksheet xmlns="{NS}"><sheetData>{sheet_data.replace("DATE", str(date_style))}'
                    f"</sheetData>{merge}</worksheet>"
                ).encode()
            if item.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", SHARED_STRINGS_TYPE.encode() + b"</Types>")
            target.writestr(item, content)
        target.writestr("xl/sharedStrings.xml", SHARED_STRINGS)
    return output.getvalue()


SHEETS = {
    "shared and inline strings": '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="F1" t="s"><v>1</v></c><c r="B1" t="inlineStr"><is><t>内联</t></is></c>'
    '<c r="C1" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r><rPh sb="0" eb="1"><t>ふ</t></rPh></is></c>'
    '<c r="D1" t="inlineStr"><is><t/></is></c><c r="E1" t="str"><v>公式文本</v></c></row>',
    "numbers, booleans and errors": '<row r="2"><c r="A2"><v>42</v></c><c r="B2"><v>3.5</v></c><c r="C2"><v>1E3</v></c>'
    '<c r="D2" t="b"><v>1</v></c><c r="E2" t="e"><v>#N/A</v></c><c r="F2"><v></v></c></row>',
    "dates by style, ISO and out of range": '<row r="3"><c r="A3" s="DATE"><v>45356</v></c><c r="B3" s="DATE"><v>45356.5</v></c>'
    '<c r="C3" t="d"><v>2024-03-05T00:00:00</v></c><c r="D3" s="DATE"><v>99999999</v></c></row>',
    "formulas, shared and array": '<row r="4"><c r="A4"><f>1+1</f><v>2</v></c><c r="B4"><f t="shared" ref="B4:B6" si="0">A4*2</f><v>4</v></c>'
    '<c r="C4" t="str"><f t="array" ref="C4">SUM(A4:B4)</f><v>6</v></c></row>'
    '<row r="5"><c r="B5"><f t="shared" si="0"/><v>0</v></c></row>'
    '<row r="6"><c r="B6"><f t="shared" si="0"/><v>0</v></c></row>',
    "rows and cells without numbers": '<row><c><v>1</v></c><c><v>2</v></c><c r="E1"><v>5</v></c><c><v>6</v></c></row>'
    '<row><c t="inlineStr"><is><t>next</t></is></c></row><row r="9.0"><c r="A9"><v>9</v></c></row>',
}


@pytest.mark.parametrize("sheet_data", SHEETS.values(), ids=SHEETS.keys())
def test_it_reads_every_kind_of_cell_as_openpyxl_does(sheet_data):
    ours, theirs = both_readings(with_sheet_xml(sheet_data))
    assert ours == theirs
    assert ours[0], "the sheet has rows"


def test_it_reads_dates_of_a_1904_workbook_as_openpyxl_does():
    ours, theirs = both_readings(with_sheet_xml('<row r="1"><c r="A1" s="DATE"><v>1</v></c></row>', date1904=True))
    assert ours == theirs
    assert ours[0][0][1][1].value == datetime(1904, 1, 2)


def test_it_gives_the_merged_ranges_after_the_last_row():
    content = with_sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row>',
        merge='<mergeCells count="2"><mergeCell ref="A3:B3"/><mergeCell ref="C5:C9"/></mergeCells>',
    )
    ours, theirs = both_readings(content)
    assert ours == theirs
    assert ours[1] == ["A3:B3", "C5:C9"]


def test_it_refuses_a_sheet_whose_xml_is_broken():
    with pytest.raises(FileRefused):
        both_readings(with_sheet_xml('<row r="1"><c r="A1"><v>1</v></row>'))


def test_it_does_not_expand_entities_declared_in_the_sheet():
    content = with_sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol;</t></is></c></row>')
    book = reading.open_workbook(io.BytesIO(_with_doctype(content)))
    try:
        _title, part = reading.data_sheet(book)
        rows = list(reading.SheetStream(book, part))
    finally:
        book.close()
    assert rows == [(1, {1: Cell("", "s", book.epoch)})]


def _with_doctype(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol "' + b"lol" * 1000 + b'">]>' + data
            target.writestr(item, data)
    return output.getvalue()
