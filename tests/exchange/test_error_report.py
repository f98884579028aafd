"""The error report: the upload's rows where they were, bad cells highlighted, a reason column."""

import io

import openpyxl
from django.utils.translation import override

from exchange import services
from exchange.columns import REASON_HEADER, REASON_KEY

from ..data import make_corpus as corpus
from .conftest import corpus_file, enrolment_row, workbook_bytes

RED = "00F8C9C4"


def report_of(client, staff, upload):
    session = services.start_import(staff=staff, kind="enrolments", upload=upload)
    client.force_login(staff)
    response = client.get(f"/exchange/imports/{session.pk}/errors.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active, session


def test_bad_cells_are_highlighted_with_the_reason_beside_them(client, inst1_staff, world):
    rows = [
        enrolment_row(name="好"),
        enrolment_row(id_number=corpus.BAD_CHECKSUM_ID, name="坏", phone='=HYPERLINK("x")'),
    ]
    sheet, _ = report_of(client, inst1_staff, workbook_bytes("enrolments", rows))
    reason_column = 14  # right of the 13 template columns
    assert sheet.cell(1, reason_column).value == REASON_HEADER
    assert sheet.cell(2, reason_column).value == REASON_KEY
    assert sheet.cell(3, reason_column).value is None
    assert sheet.cell(4, 3).value == corpus.BAD_CHECKSUM_ID and sheet.cell(4, 3).fill.fgColor.rgb == RED
    assert sheet.cell(4, 3).number_format == "@"
    assert sheet.cell(4, 1).fill.fgColor.rgb != RED
    reason = sheet.cell(4, reason_column).value
    assert "C4 证件号码: This resident ID number fails its checksum: please check each digit." in reason
    assert "H4 手机号码: This cell holds a formula" in reason
    # The formula comes back as text, never as a formula.
    assert sheet.cell(4, 8).value == '\'=HYPERLINK("x")' and sheet.cell(4, 8).data_type == "s"


def test_rows_keep_their_numbers_across_empty_rows_and_shifted_cells(client, inst1_staff, world):
    sheet, _ = report_of(client, inst1_staff, corpus_file("enrolments_shifted_columns.xlsx"))
    assert sheet.cell(4, 14).value == "服装制版" and sheet.cell(4, 14).fill.fgColor.rgb == RED
    assert sheet.cell(1, 15).value == REASON_HEADER
    assert "N4: This cell has a value but its column has no header" in sheet.cell(4, 15).value


def test_merged_cells_found_at_the_end_are_in_the_report(client, inst1_staff, world):
    sheet, _ = report_of(client, inst1_staff, corpus_file("enrolments_merged_cells.xlsx"))
    assert "Cells L3:L4 are merged" in sheet.cell(3, 14).value
    assert "Cells L3:L4 are merged" in sheet.cell(4, 14).value


def test_a_corrected_report_can_be_uploaded_again(client, inst1_staff, world):
    rows = [enrolment_row(name="好"), enrolment_row(id_number=corpus.BAD_CHECKSUM_ID, name="坏")]
    sheet, _ = report_of(client, inst1_staff, workbook_bytes("enrolments", rows))
    sheet.cell(4, 3).value = corpus.NEW_IDS[5]
    fixed = io.BytesIO()
    sheet.parent.save(fixed)
    fixed.seek(0)
    fixed.name = "fixed.xlsx"
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=fixed)
    assert summary.is_clean and summary.counts["create"] == 2
