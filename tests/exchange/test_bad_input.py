"""Every bad file of the corpus (tests/data/corpus, made by tests/data/make_corpus.py): a clear
message, a 4xx and an untouched database, through the upload page and through the service."""

import zipfile

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.translation import override

from exchange import services
from exchange.models import ImportSession

from ..data import make_corpus as corpus
from .conftest import CORPUS, corpus_file, snapshot

TEMPLATE_COLUMNS = (
    "姓名、证件类型、证件号码、性别、出生日期、民族、文化程度、手机号码、工作单位、从业年限、通讯地址、培训班次、方向"
)

# File → (HTTP status, the message refusing the whole file).
REFUSED = {
    "enrolments_wrong_headers.xlsx": (
        400,
        f"Column A: “名字” is not a column of the Enrolments template. Its columns are: {TEMPLATE_COLUMNS}.",
    ),
    "enrolments_missing_headers.xlsx": (
        400,
        f"Row 1 must hold the column headers of the Enrolments template ({TEMPLATE_COLUMNS}): "
        "download the template and copy your data into it.",
    ),
    "enrolments_missing_column.xlsx": (400, "Required columns are missing: 证件号码 (id_number)."),
    "enrolments_no_rows.xlsx": (400, "The file has headers but no rows of data."),
    "enrolments_as_completions.xlsx": (
        400,
        "This is the Module completions template: upload it as Module completions, not as Enrolments.",
    ),
    "enrolments_macros.xlsm": (
        415,
        "This workbook contains macros (.xlsm): save it as an Excel workbook (.xlsx) without macros and upload it again.",
    ),
    "enrolments_csv_renamed.xlsx": (
        415,
        "This is a CSV or text file, not an Excel workbook: open it in Excel and save it as an Excel workbook (.xlsx).",
    ),
    "enrolments_xls_renamed.xlsx": (
        415,
        "This is an old Excel 97–2003 file (.xls): open it in Excel and save it as an Excel workbook (.xlsx).",
    ),
    "enrolments_password.xlsx": (
        415,
        "This workbook is protected by a password: remove the password in Excel (File → Info → Protect Workbook) "
        "and upload it again.",
    ),
    "enrolments_not_a_workbook.xlsx": (415, "This file is not an Excel workbook (.xlsx)."),
    "enrolments_ods_renamed.xlsx": (
        415,
        "This is an OpenDocument spreadsheet (.ods): save it as an Excel workbook (.xlsx) and upload it again.",
    ),
    "enrolments_damaged.xlsx": (400, "This file is damaged or incomplete: save it again and upload the new file."),
    # An XML entity bomb ("billion laughs"): expat refuses the amplification, the file reads as damaged.
    "enrolments_xml_bomb.xlsx": (400, "This file is damaged or incomplete: save it again and upload the new file."),
    # Issue 10: 2 KB files whose references would make the import or the error report walk millions of rows.
    "enrolments_merge_beyond_limit.xlsx": (
        413,
        "Cells A4:A900000000 are merged down to row 900,000,000; an upload may use rows 1 to 50,002 "
        "(50,000 rows under the two header rows). Unmerge them and split the file.",
    ),
    "enrolments_row_beyond_limit.xlsx": (
        413,
        "The sheet has a row numbered 20,000,000; an upload may use rows 1 to 50,002 "
        "(50,000 rows under the two header rows). Delete the empty rows above it, or split the file.",
    ),
}

# File → (kind, the rejected cells: location → message). The preview answers 400.
REJECTED = {
    "enrolments_shifted_columns.xlsx": (
        "enrolments",
        {
            "N4": "This cell has a value but its column has no header: are the columns shifted?",
            "A4": "Name is required.",
        },
    ),
    "enrolments_merged_cells.xlsx": (
        "enrolments",
        {"L3": "Cells L3:L4 are merged: unmerge them and fill in each cell.", "L4": "Training batch is required."},
    ),
    "enrolments_formulas.xlsx": (
        "enrolments",
        {"H3": 'This cell holds a formula (="138"&"00000000"): replace it with its value (Paste Special → Values).'},
    ),
    "enrolments_dates_unreadable.xlsx": (
        "enrolments",
        {
            "E3": "“05/03/1990” is not a date: write dates as 2024-03-05.",
            "E4": "“1990-02-30” is not a date: write dates as 2024-03-05.",
        },
    ),
    "enrolments_id_as_number.xlsx": (
        "enrolments",
        {
            "C3": "The ID number is stored as a number (330106199003051000), so Excel has kept only 15 digits and "
            "dropped leading zeros: format the column as Text and type the number again."
        },
    ),
    "enrolments_bad_checksum.xlsx": (
        "enrolments",
        {"C3": "This resident ID number fails its checksum: please check each digit."},
    ),
    "enrolments_duplicates_in_file.xlsx": (
        "enrolments",
        {"row 4": "Row 3 already has the same ID number and batch: each may appear once."},
    ),
    "enrolments_duplicates_in_db.xlsx": (
        "enrolments",
        {
            "C3": "This ID number is already registered by another institution; the certification office can move the record.",
            "L4": "周杰 already has an active enrolment in this track.",
        },
    ),
    "enrolments_other_institution_batch.xlsx": (
        "enrolments",
        {"L3": "There is no batch “宁波制版班” at your institution: use a batch name from the template's list."},
    ),
    "completions_unknown_module.xlsx": (
        "completions",
        {
            "E3": "“立体裁剪” is not a module of Pattern-making: use one of Sample patterns、3D garment modelling、Fabric science."
        },
    ),
    "completions_hours_out_of_range.xlsx": (
        "completions",
        {
            "F3": "Hours must be between 0 and 2000; this cell has 2500.",
            "F4": "Hours must be between 0 and 2000; this cell has -5.",
            "G5": "Module score must be between 0 and 100; this cell has 101.",
        },
    ),
    "results_scores_out_of_range.xlsx": (
        "results",
        {
            "E3": "Theory score must be between 0 and 100; this cell has 105.",
            "F4": "Practical score has at most 1 decimal place(s); this cell has 82.25.",
        },
    ),
}


def upload(client, user, name, kind="enrolments", content=None):
    client.force_login(user)
    return client.post(f"/exchange/{kind}/upload/", {"file": content or corpus_file(name)}, HTTP_ACCEPT_LANGUAGE="en")


def test_the_corpus_is_complete():
    """Every case above is a file, and the script makes every file of the corpus."""
    files = {path.name for path in CORPUS.iterdir()}
    assert set(REFUSED) | set(REJECTED) <= files
    assert set(corpus.corpus_files()) == files


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refused_file_gets_its_message_a_4xx_and_changes_nothing(client, world, inst1_staff, name):
    status, message = REFUSED[name]
    before = snapshot()
    response = upload(client, inst1_staff, name)
    assert response.status_code == status
    assert escape(message) in response.content.decode()
    assert snapshot() == before
    assert not ImportSession.objects.exists()
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=corpus_file(name))
    assert (summary.refusal_status, summary.refusal) == (status, message)


@pytest.mark.parametrize("name", [n for n in sorted(REJECTED) if REJECTED[n][0] != "completions"])
def test_a_file_with_bad_rows_shows_each_bad_cell_a_400_and_changes_nothing(client, trained_world, inst1_staff, name):
    kind, expected = REJECTED[name]
    _check_rejections(client, inst1_staff, name, kind, expected)


# Module completions are recorded while enrolled, before training is complete.
@pytest.mark.parametrize("name", [n for n in sorted(REJECTED) if REJECTED[n][0] == "completions"])
def test_a_completions_file_with_bad_rows_shows_each_bad_cell(client, world, inst1_staff, name):
    kind, expected = REJECTED[name]
    _check_rejections(client, inst1_staff, name, kind, expected)


def _check_rejections(client, staff, name, kind, expected):
    before = snapshot()
    response = upload(client, staff, name, kind)
    assert response.status_code == 400
    page = response.content.decode()
    for message in expected.values():
        assert escape(message) in page
    assert snapshot() == before
    with override("en"):
        summary = services.preview(staff=staff, kind=kind, fileobj=corpus_file(name))
    found = {(p.cell or f"row {p.row}", p.message) for p in summary.problems}
    assert set(expected.items()) <= found


def test_a_zip_bomb_is_refused_unopened(client, world, inst1_staff):
    with zipfile.ZipFile(CORPUS / "enrolments_zip_bomb.xlsx") as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    message = (
        f"This file unpacks to {filesizeformat(unpacked)}, far more than its own size suggests "
        "(a “zip bomb”): it was refused."
    )
    before = snapshot()
    with override("en"):
        response = upload(client, inst1_staff, "enrolments_zip_bomb.xlsx")
        assert response.status_code == 413
        assert escape(message) in response.content.decode()
        summary = services.preview(
            staff=inst1_staff, kind="enrolments", fileobj=corpus_file("enrolments_zip_bomb.xlsx")
        )
    assert summary.refusal == message
    assert snapshot() == before


def test_messages_are_translatable_and_shown_in_chinese_pages(client, world, inst1_staff):
    """The Chinese catalogue comes later: until then a Chinese page shows the English source text."""
    client.force_login(inst1_staff)
    response = client.post(
        "/exchange/enrolments/upload/",
        {"file": corpus_file("enrolments_csv_renamed.xlsx")},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 415
    assert 'lang="zh-hans"' in response.content.decode()
