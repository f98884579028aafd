"""Row numbers and merged ranges far beyond the row limit (issue 10): refused before any work is
done, and before any transaction (on SQLite, the database's write lock) is opened."""

import io
import time

import pytest
from django.db import connection, transaction
from django.utils.translation import override

from exchange import reading, reports, services
from exchange.errors import FileRefused

from .conftest import corpus_file, enrolment_row, snapshot, workbook_bytes

BEYOND = ["enrolments_merge_beyond_limit.xlsx", "enrolments_row_beyond_limit.xlsx"]


@pytest.fixture
def transactions_opened(monkeypatch):
    """How many times a transaction (or savepoint) was opened."""
    opened = []
    original = transaction.Atomic.__enter__

    def counting(self):
        opened.append(self)
        return original(self)

    monkeypatch.setattr(transaction.Atomic, "__enter__", counting)
    return opened


@pytest.mark.parametrize("name", BEYOND)
def test_a_reference_beyond_the_row_limit_is_refused_at_once_without_a_transaction(
    inst1_staff, pm_batch, name, transactions_opened
):
    started = time.monotonic()
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=corpus_file(name))
    assert summary.refusal_status == 413
    assert "an upload may use rows 1 to 50,002" in summary.refusal
    assert time.monotonic() - started < 2
    assert transactions_opened == []


@pytest.mark.parametrize("name", BEYOND)
def test_importing_a_file_with_a_reference_beyond_the_limit_writes_nothing_and_opens_no_transaction(
    inst1_staff, pm_batch, name, transactions_opened
):
    before = snapshot()
    summary = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=corpus_file(name))
    assert summary.refusal_status == 413 and not summary.written
    assert transactions_opened == []
    assert snapshot() == before


def test_the_error_report_of_a_row_beyond_the_limit_is_refused_not_padded(inst1_staff, pm_batch):
    out = io.BytesIO()
    started = time.monotonic()
    with pytest.raises(FileRefused) as refused:
        reports.write_error_report(
            staff=inst1_staff, kind="enrolments", fileobj=corpus_file("enrolments_row_beyond_limit.xlsx"), out=out
        )
    assert refused.value.http_status == 413
    assert time.monotonic() - started < 2
    assert out.getvalue() == b""


@pytest.mark.django_db(transaction=True)
def test_no_row_is_parsed_while_a_transaction_holds_the_database(inst1_staff, pm_batch, monkeypatch):
    parsed_inside = []
    original = reading._CellReader.row

    def recording(self, row):
        parsed_inside.append(connection.in_atomic_block)
        return original(self, row)

    monkeypatch.setattr(reading._CellReader, "row", recording)
    rows = [enrolment_row(), enrolment_row()]
    summary = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=workbook_bytes("enrolments", rows))
    assert summary.written and summary.counts["create"] == 2
    assert parsed_inside and not any(parsed_inside)
