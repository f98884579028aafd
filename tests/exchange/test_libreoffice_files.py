"""Files saved by LibreOffice Calc (tests/data/libreoffice/, made by make_libreoffice_files.py from the
app's own template): LibreOffice's shared strings, styles, date formats and data validations import
as Excel's do."""

import io
import zipfile

import pytest
from django.utils.translation import override

from certification.models import Enrolment, EnrolmentStatus, Trainee
from exchange import services
from exchange.handlers import Options

from ..data.libreoffice import make_libreoffice_files as libreoffice
from .conftest import named_batch, snapshot

BAD_CHECKSUM_CELL = f"C{libreoffice.BAD_ROWS['checksum']}"
OTHER_BATCH_CELL = f"L{libreoffice.BAD_ROWS['batch']}"


def libreoffice_file(name: str) -> io.BytesIO:
    content = io.BytesIO((libreoffice.HERE / name).read_bytes())
    content.name = name
    return content


@pytest.fixture
def libreoffice_batch(inst1):
    return named_batch(inst1, libreoffice.LIBREOFFICE_BATCH, "PM", capacity=60)


@pytest.mark.parametrize("name", libreoffice.FILES)
def test_the_files_are_libreoffices_own(name):
    with zipfile.ZipFile(libreoffice.HERE / name) as archive:
        application = archive.read("docProps/app.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
        names = set(archive.namelist())
    assert "<Application>LibreOffice/" in application
    assert "xl/sharedStrings.xml" in names
    assert "<dataValidations" in sheet and 't="s"' in sheet
    # LibreOffice rewrites the template's date format (openpyxl wrote yyyy-mm-dd) with escaped separators.
    assert 'formatCode="yyyy\\-mm\\-dd"' in styles


def test_the_valid_file_creates_50_trainees_and_enrolments(inst1_staff, libreoffice_batch):
    with override("en"):
        summary = services.import_rows(
            staff=inst1_staff, kind="enrolments", fileobj=libreoffice_file(libreoffice.VALID_FILE)
        )

    assert summary.counts == {"create": 50, "update": 0, "unchanged": 0, "rejected": 0}, summary.problems[:3]
    assert summary.written
    enrolments = Enrolment.objects.filter(batch=libreoffice_batch)
    assert enrolments.count() == 50
    assert set(enrolments.values_list("status", flat=True)) == {EnrolmentStatus.DRAFT}
    recorded = {t.id_number: t for t in Trainee.objects.filter(institution=inst1_staff.institution)}
    for person in libreoffice.people():
        trainee = recorded[person["id_number"]]
        assert (trainee.name, trainee.birth_date, trainee.phone, trainee.ethnicity or "汉族") == (
            person["name"],
            person["birth_date"],
            person["phone"],
            person["ethnicity"] or "汉族",
        ), person
        assert trainee.gender == ("F" if person["gender"] == "女" else "M")


def test_dates_typed_as_text_and_a_full_width_phone_are_read(inst1_staff, libreoffice_batch):
    people = libreoffice.people()
    as_text = [p for p in people if isinstance(p["birth_cell"], str)]
    full_width = next(p for p in people if p["file_row"] == libreoffice.FULL_WIDTH_PHONE_ROW)
    services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=libreoffice_file(libreoffice.VALID_FILE))

    assert len(as_text) == 10 and "年" in as_text[0]["birth_cell"]
    for person in as_text:
        assert Trainee.objects.get(id_number=person["id_number"]).birth_date == person["birth_date"]
    assert full_width["phone_cell"] != full_width["phone"]
    assert Trainee.objects.get(id_number=full_width["id_number"]).phone == full_width["phone"]


def test_the_preview_rejects_exactly_the_two_bad_rows(inst1_staff, libreoffice_batch):
    before = snapshot()
    with override("en"):
        summary = services.preview(
            staff=inst1_staff, kind="enrolments", fileobj=libreoffice_file(libreoffice.TWO_BAD_ROWS_FILE)
        )

    assert summary.counts == {"create": 48, "update": 0, "unchanged": 0, "rejected": 2}
    assert sorted(summary.rejected_rows) == sorted(libreoffice.BAD_ROWS.values())
    assert {(p.cell, p.value, p.message) for p in summary.problems} == {
        (
            BAD_CHECKSUM_CELL,
            libreoffice.bad_checksum_id(),
            "This resident ID number fails its checksum: please check each digit.",
        ),
        (
            OTHER_BATCH_CELL,
            libreoffice.OTHER_BATCH,
            f"There is no batch “{libreoffice.OTHER_BATCH}” at your institution: use a batch name from the template's list.",
        ),
    }
    assert snapshot() == before


def test_the_two_bad_rows_file_imports_nothing_unless_asked_for_the_valid_rows(inst1_staff, libreoffice_batch):
    upload = libreoffice_file(libreoffice.TWO_BAD_ROWS_FILE)
    refused = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=upload)
    assert not refused.written and not Enrolment.objects.exists()

    upload.seek(0)
    summary = services.import_rows(
        staff=inst1_staff, kind="enrolments", fileobj=upload, options=Options(valid_rows_only=True)
    )
    assert summary.written and Enrolment.objects.filter(batch=libreoffice_batch).count() == 48


def test_the_error_report_of_the_libreoffice_file_marks_its_two_bad_cells(client, inst1_staff, libreoffice_batch):
    import openpyxl

    session = services.start_import(
        staff=inst1_staff, kind="enrolments", upload=libreoffice_file(libreoffice.TWO_BAD_ROWS_FILE)
    )
    client.force_login(inst1_staff)
    response = client.get(f"/exchange/imports/{session.pk}/errors.xlsx", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    red = "00F8C9C4"
    marked = {cell.coordinate for row in sheet.iter_rows(max_col=13) for cell in row if cell.fill.fgColor.rgb == red}
    assert marked == {BAD_CHECKSUM_CELL, OTHER_BATCH_CELL}
    reasons = {row[0].row for row in sheet.iter_rows(min_row=3, min_col=14, max_col=14) if row[0].value}
    assert reasons == {libreoffice.BAD_ROWS["checksum"], libreoffice.BAD_ROWS["batch"]}
    # The other rows are copied as LibreOffice saved them: names from its shared strings, real dates.
    people = libreoffice.people()
    assert sheet.cell(3, 1).value == people[0]["name"]
    assert sheet.max_row == 2 + len(people)
