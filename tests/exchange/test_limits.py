"""Files over the limits: 1,000,000 rows and 50 MB (made here, too big to commit), and the
configurable limits themselves. Refused with 413, early, and the database untouched."""

import pytest
from django.test import override_settings
from django.utils.html import escape
from django.utils.translation import override

from exchange import reading, services

from ..data import make_corpus as corpus
from .conftest import enrolment_row, snapshot, workbook_bytes

# filesizeformat keeps the number and its unit together with a no-break space.
FIFTY_MB = "This file is 50.0\xa0MB; one upload may be at most 20.0\xa0MB. Split it into smaller files."


@pytest.fixture(scope="module")
def million_rows(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "enrolments_million_rows.xlsx"
    corpus.write_many_rows(path)
    return path


@pytest.fixture(scope="module")
def million_rows_with_dimension(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "enrolments_million_rows_dimension.xlsx"
    corpus.write_many_rows(path, dimension=True)
    return path


@pytest.fixture(scope="module")
def fifty_megabytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "enrolments_50mb.xlsx"
    corpus.write_fifty_megabytes(path)
    return path


@pytest.fixture
def parsed_rows(monkeypatch):
    """How many sheet rows have had their cells read."""
    count = {"rows": 0}
    original = reading._CellReader.row

    def counting(self, row):
        count["rows"] += 1
        return original(self, row)

    monkeypatch.setattr(reading._CellReader, "row", counting)
    return count


def test_a_million_rows_are_refused_at_the_limit_without_reading_the_rest(
    client, inst1_staff, pm_batch, million_rows, parsed_rows, settings
):
    # Checked in the request, not handed to a task worker as a file this size would be: the limit is
    # the reader's, the same on both paths (tests/exchange/test_background_import.py).
    settings.EXCHANGE_BACKGROUND_BYTES = 10**9
    before = snapshot()
    client.force_login(inst1_staff)
    with million_rows.open("rb") as upload:
        response = client.post("/exchange/enrolments/upload/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    message = (
        "The sheet has a row numbered 50,003; an upload may use rows 1 to 50,002 "
        "(50,000 rows under the two header rows). Delete the empty rows above it, or split the file."
    )
    assert escape(message) in response.content.decode()
    # Refused on reaching row 50,003, before its cells are read: the other 949,997 rows are never parsed.
    assert parsed_rows["rows"] == 50_002
    assert snapshot() == before


def test_a_sheet_declaring_a_million_rows_is_refused_before_any_row_is_read(
    inst1_staff, pm_batch, million_rows_with_dimension, parsed_rows
):
    with override("en"), million_rows_with_dimension.open("rb") as upload:
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=upload)
    assert summary.refusal_status == 413
    assert summary.refusal == (
        "The sheet reaches down to row 1,000,002; one upload may have at most 50,000 rows. "
        "Split it into several files (and delete empty rows at the bottom)."
    )
    assert parsed_rows["rows"] == 0


def test_a_50_mb_file_is_refused_before_its_body_is_read(client, inst1_staff, pm_batch, fifty_megabytes, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(reading, "open_workbook", never)
    before = snapshot()
    client.force_login(inst1_staff)
    with fifty_megabytes.open("rb") as upload:
        response = client.post("/exchange/enrolments/upload/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert escape(FIFTY_MB) in response.content.decode()
    assert snapshot() == before


def test_a_50_mb_file_is_refused_by_the_service_too(inst1_staff, pm_batch, fifty_megabytes):
    with override("en"), fifty_megabytes.open("rb") as upload:
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=upload)
    assert (summary.refusal_status, summary.refusal) == (413, FIFTY_MB)


@override_settings(EXCHANGE_MAX_ROWS=2)
def test_the_row_limit_is_a_setting(inst1_staff, pm_batch, tmp_path):
    with override("en"):
        summary = services.preview(
            staff=inst1_staff, kind="enrolments", fileobj=workbook_bytes("enrolments", [enrolment_row()] * 3)
        )
        assert summary.refusal == (
            "The sheet reaches down to row 5; one upload may have at most 2 rows. "
            "Split it into several files (and delete empty rows at the bottom)."
        )
        corpus.write_many_rows(tmp_path / "three.xlsx", rows=3)  # no declared size: row numbers checked first
        with (tmp_path / "three.xlsx").open("rb") as upload:
            summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=upload)
        assert summary.refusal == (
            "The sheet has a row numbered 5; an upload may use rows 1 to 4 "
            "(2 rows under the two header rows). Delete the empty rows above it, or split the file."
        )
        # Without the key row, three rows fit the row numbers: they are counted while streaming.
        without_keys = workbook_bytes("enrolments", [enrolment_row()] * 3, keys=False)
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=without_keys)
    assert (
        summary.refusal == "The file has more than 2 rows; one upload may have at most 2. Split it into several files."
    )


@override_settings(EXCHANGE_MAX_FILE_BYTES=1000)
def test_the_size_limit_is_a_setting(inst1_staff, pm_batch):
    upload = workbook_bytes("enrolments", [enrolment_row()])
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=upload)
    assert summary.refusal_status == 413
    assert summary.refusal.endswith("one upload may be at most 1000\xa0bytes. Split it into smaller files.")
