"""`xlsx_template` and `import_xlsx` (docs/spec.md §8): the blank templates, and the import from a shell."""

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from certification.models import Enrolment
from exchange import blanks
from exchange.columns import KINDS

from ..data import make_corpus as corpus
from .conftest import CORPUS, snapshot


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_template_has_headers_keys_lists_text_ids_and_instructions(tmp_path, kind, pm_batch, inst1):
    out = tmp_path / f"{kind}.xlsx"
    call_command("xlsx_template", kind, str(out), "--institution", inst1.org_code)
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == [KINDS[kind].sheet, "说明", "选项"]
    sheet = workbook[KINDS[kind].sheet]
    columns = KINDS[kind].columns
    assert [c.value for c in sheet[1]] == [c.template_header for c in columns]
    assert [c.value for c in sheet[2]] == [c.key for c in columns]
    id_column = next(i for i, c in enumerate(columns, start=1) if c.key == "id_number")
    assert sheet.cell(3, id_column).number_format == "@"
    validated = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    assert "B3" in validated  # the ID type's drop-down list
    assert workbook["选项"].sheet_state == "hidden"
    lists = {cell.value for row in workbook["选项"].iter_rows() for cell in row}
    assert {"居民身份证", "男", "高中/中专", "服装制版", "3D建模", corpus.PM_BATCH} <= lists
    instructions = [cell.value for row in workbook["说明"].iter_rows() for cell in row if cell.value]
    assert blanks.EXAMPLE_ID in instructions


def test_the_template_without_an_institution_has_no_batch_list(tmp_path, db):
    out = tmp_path / "enrolments.xlsx"
    call_command("xlsx_template", "enrolments", str(out))
    lists = {cell.value for row in openpyxl.load_workbook(out)["选项"].iter_rows() for cell in row}
    assert "居民身份证" in lists and corpus.PM_BATCH not in lists


def test_a_blank_template_filled_in_imports(tmp_path, inst1_staff, pm_batch):
    out = tmp_path / "enrolments.xlsx"
    blanks.write_template(KINDS["enrolments"], out, institution=inst1_staff.institution)
    workbook = openpyxl.load_workbook(out)
    workbook["报名"].append(corpus.person(corpus.NEW_IDS[0]))
    workbook.save(out)
    call_command("import_xlsx", "enrolments", str(out), "--institution", inst1_staff.institution.org_code)
    assert Enrolment.objects.count() == 1


def test_a_dry_run_writes_nothing(capsys, inst1_staff, pm_batch):
    before = snapshot()
    call_command(
        "import_xlsx",
        "enrolments",
        str(CORPUS / "enrolments_valid.xlsx"),
        "--institution",
        inst1_staff.institution.org_code,
        "--dry-run",
        "--language",
        "en",
    )
    output = capsys.readouterr().out
    assert "3 to create" in output and "Dry run: nothing was written." in output
    assert snapshot() == before


def test_rejected_rows_exit_non_zero_with_a_readable_report(capsys, inst1_staff, world):
    before = snapshot()
    with pytest.raises(CommandError, match="1 rows rejected"):
        call_command(
            "import_xlsx",
            "enrolments",
            str(CORPUS / "enrolments_bad_checksum.xlsx"),
            "--institution",
            inst1_staff.institution.org_code,
            "--language",
            "en",
        )
    assert (
        "C3 证件号码: This resident ID number fails its checksum: please check each digit." in capsys.readouterr().out
    )
    assert snapshot() == before


def test_a_refused_file_exits_non_zero_with_its_message(inst1_staff):
    with pytest.raises(CommandError, match=r"This is an old Excel 97–2003 file \(\.xls\)"):
        call_command(
            "import_xlsx",
            "enrolments",
            str(CORPUS / "enrolments_xls_renamed.xlsx"),
            "--institution",
            inst1_staff.institution.org_code,
            "--language",
            "en",
        )


def test_an_unknown_institution_or_file_is_an_error(tmp_path, inst1_staff):
    with pytest.raises(CommandError, match="No institution"):
        call_command(
            "import_xlsx",
            "enrolments",
            str(CORPUS / "enrolments_valid.xlsx"),
            "--institution",
            "NOPE",
            "--language",
            "en",
        )
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "import_xlsx",
            "enrolments",
            str(tmp_path / "missing.xlsx"),
            "--language",
            "en",
            "--institution",
            inst1_staff.institution.org_code,
        )
