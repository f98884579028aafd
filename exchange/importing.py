"""Running every row of an upload through the services, streaming, and summing up what happened.

Two steps. `prepared` reads the whole file, outside any transaction: every cell is read and
checked and the rows wait in a temporary file, a chunk at a time. `Run.apply` then works inside the
caller's transaction (exchange.services decides to commit or roll back): what a chunk refers to is
looked up in a few queries, each row is planned, and the planned rows are written together by the
handler, through services that refuse a row without writing anything for it, so that the others go
on. Only a chunk of rows is ever in memory, never the whole sheet.
"""

import gc
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain

from django.utils.translation import gettext as _

from certification.models import User

from . import archives, limits, reading
from .cells import CellError, is_blank, shown
from .columns import Kind
from .errors import TOO_LARGE, FileRefused
from .handlers import HANDLERS, Options, Plan
from .layout import Layout, read_layout
from .reference_books import RowRejected
from .summary import REJECTED, UNCHANGED, Problem, Summary

CHUNK_ROWS = 1000

ProblemListener = Callable[[Problem], None]
# (steps done, steps in all): a step is a row read or a row planned and written, so a file of n rows
# has 2n steps; while reading, n is the sheet's declared size (exact once the last row is read), and
# steps in all is 0 when the sheet declares none (openpyxl's write-only files, some exporters).
ProgressListener = Callable[[int, int], None]


def described(values: dict) -> tuple[str, str]:
    """(who, what) of a row for the preview's list: the name and the last four characters of the ID
    number as the staff typed them, and the batch or module the row is about."""
    id_number = str(values.get("id_number") or "")
    who = " ".join(part for part in (str(values.get("name") or ""), f"…{id_number[-4:]}" if id_number else "") if part)
    what = str(values.get("batch") or values.get("module") or "")
    return who, what


@dataclass
class RowReading:
    number: int
    cells: dict  # column number → Cell while the row is read, → the cell's value once it is kept
    values: dict = field(default_factory=dict)
    problems: list[tuple[int | None, str]] = field(default_factory=list)


@contextmanager
def prepared(
    *,
    staff: User,
    kind: Kind,
    fileobj,
    options: Options | None = None,
    on_problem: ProblemListener | None = None,
    on_progress: ProgressListener | None = None,
) -> Iterator["Run"]:
    """The upload read and checked, row by row, without writing anything: `run.summary.refusal` says
    why the file is refused as a whole; else `run.apply()`, inside the caller's transaction, plans and
    writes the rows.

    Everything that reads the file happens here, before the caller opens its transaction (on SQLite
    every transaction takes the database's write lock at once): the rows read wait in a temporary
    file, a chunk at a time, so that memory does not grow with the file either.
    """
    run = Run(staff, kind, options or Options(), Summary(kind=kind.name), on_problem)
    run.on_progress = on_progress
    try:
        try:
            book = reading.open_workbook(fileobj)
            try:
                with _existing_objects_frozen():
                    run.read(book)
            finally:
                book.close()
        except FileRefused as refusal:
            run.refuse(refusal)
        yield run
    finally:
        run.spool.close()


@contextmanager
def _existing_objects_frozen():
    """While the rows stream, the cyclic garbage collector looks only at what the import made.

    Reading 10,000 rows makes hundreds of thousands of short-lived objects; each time they push a
    full collection, Python otherwise walks every object of the process too (Django, the app, the
    loaded modules), which cost about a sixth of the import's time. Objects that existed before are
    only set aside (gc.freeze), not leaked: they go back to the collector at the end. A process
    that froze its objects itself (a task worker, see certificates.tasks) is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Run:
    """One upload's rows: read (and checked cell by cell) by `read`, then planned and written by `apply`."""

    def __init__(self, staff, kind, options, summary, on_problem):
        self.kind = kind
        self.options = options
        self.summary = summary
        self.on_problem = on_problem
        self.staff = staff
        self.layout: Layout | None = None
        self.seen: dict[tuple, int] = {}  # row key → first row with it
        self.outcomes: dict[int, str] = {}
        self.empty_spans: list[list[int]] = []  # [first, last] runs of empty rows
        self.last_row = 0
        self.last_data_row = 0
        # Translated once per run: a file of 50,000 bad rows would otherwise translate them 50,000 times.
        self.required = {column.key: _("%(column)s is required.") % {"column": column.label} for column in kind.columns}
        self.no_header = _("This cell has a value but its column has no header: are the columns shifted?")
        self.spool = tempfile.TemporaryFile()
        self.chunks = 0
        self.merged_ranges: list[tuple[str, int, int, int]] = []  # (range, first column, first row, last row)
        self.on_progress: ProgressListener | None = None
        self.data_rows = 0

    def progress(self, done: int, rows: int) -> None:
        """`done` steps of a file of `rows` rows (2 steps a row: read, then planned and written)."""
        if self.on_progress:
            self.on_progress(done, max(2 * rows, done) if rows else 0)

    def refuse(self, refusal: FileRefused) -> None:
        self.summary.refusal, self.summary.refusal_status = refusal.message, refusal.http_status

    def read(self, book: reading.Book) -> None:
        _title, part = reading.data_sheet(book)
        reading.check_declared_rows(book, part)
        declared = max(reading.declared_rows(book, part) - limits.HEADER_ROWS, 0)
        stream = reading.SheetStream(book, part)
        rows = iter(stream)
        self.layout, pending = read_layout(self.kind, rows)
        # Worked out once, not for each of up to 50,000 rows.
        self.columns_in_order = self.layout.in_template_order()
        self.known_columns = set(self.layout.columns) | self.layout.ignored
        max_rows = limits.max_rows()
        data_rows, chunk = 0, []
        self.last_row = self.layout.header_rows[-1][0]
        for number, cells in chain(pending, rows):
            if number > self.last_row + 1:  # rows absent from the file are empty too
                self.note_empty(self.last_row + 1, number - 1)
            self.last_row = number
            if all(is_blank(cell.value) for cell in cells.values()):
                self.note_empty(number, number)
                continue
            data_rows += 1
            if data_rows > max_rows:
                raise FileRefused(
                    _(
                        "The file has more than %(limit)s rows; one upload may have at most %(limit)s. Split it into several files."
                    )
                    % {"limit": f"{max_rows:,}"},
                    TOO_LARGE,
                )
            self.last_data_row = number
            chunk.append(self.read_row(number, cells))
            if len(chunk) == CHUNK_ROWS:
                self.keep(chunk)
                chunk = []
                self.progress(data_rows, declared)
        self.keep(chunk)
        self.data_rows = data_rows
        self.progress(data_rows, data_rows)
        if data_rows == 0:
            raise FileRefused(_("The file has headers but no rows of data."))
        self.check_merged(stream.merged_ranges)

    def keep(self, chunk: list[RowReading]) -> None:
        if chunk:
            for row in chunk:  # only a bad cell's value is shown from here on
                row.cells = {number: cell.value for number, cell in row.cells.items()}
            pickle.dump(chunk, self.spool, protocol=pickle.HIGHEST_PROTOCOL)
            self.chunks += 1

    def apply(self) -> Summary:
        """Plan and write the rows read, chunk by chunk; the summary (with a refusal when merged
        cells undo rows already written: the caller then rolls back)."""
        if self.summary.refusal:
            return self.summary
        # Made here, inside the transaction: a handler reads the catalogue and batches it plans with.
        self.handler = HANDLERS[self.kind.name](staff=self.staff, options=self.options)
        try:
            with _existing_objects_frozen():
                self.spool.seek(0)
                for _chunk in range(self.chunks):
                    self.apply_chunk(pickle.load(self.spool))  # written by this run, a moment ago
                    self.progress(self.data_rows + len(self.outcomes), self.data_rows)
                self.reject_merged()
                self.warn_about_empty_rows()
        except FileRefused as refusal:
            self.refuse(refusal)
        return self.summary

    def read_row(self, number: int, cells: dict) -> RowReading:
        row = RowReading(number, cells)
        # In the template's order, whatever the sheet's: the ID number is read knowing the ID type.
        for column_number, column in self.columns_in_order:
            cell = cells.get(column_number)
            try:
                value = column.read(cell, row.values) if cell is not None else None
            except CellError as error:
                row.problems.append((column_number, error.message))
                continue
            if column.required and is_blank(value):
                row.problems.append((column_number, self.required[column.key]))
            row.values[column.key] = value
        for column_number in sorted(cells.keys() - self.known_columns):
            if not is_blank(cells[column_number].value):
                row.problems.append((column_number, self.no_header))
        return row

    def apply_chunk(self, chunk: list[RowReading]) -> None:
        """Plan every row of the chunk, write the planned ones together, then count each row in order.

        A row that refers to a trainee an earlier, still unwritten row creates or changes first has
        what is planned so far written before it is planned, so that it sees that row's effect.
        """
        readable = [row for row in chunk if not row.problems and row.number not in self.options.skip_rows]
        if readable:
            self.handler.prefetch([row.values for row in readable])
        planned: list[tuple[RowReading, Plan | None, list]] = []  # (row, plan to write, its problems)
        pending: set[tuple] = set()  # trainee keys of the plans still to be written
        for row in chunk:
            if row.number in self.options.skip_rows or row.problems:
                planned.append((row, None, row.problems))
                continue
            if pending and self.handler.trainee_key(row.values) in pending:
                self.settle(planned)
                planned, pending = [], set()
            plan, problems = self.plan(row)
            planned.append((row, plan, problems))
            if plan is not None and plan.outcome != UNCHANGED:
                pending.add(plan.trainee_key)
        self.settle(planned)

    def plan(self, row: RowReading) -> tuple[Plan | None, list]:
        try:
            plan = self.handler.plan(row.values)
        except RowRejected as rejection:
            return None, [(self.column_of(rejection.key), rejection.message)]
        first = self.seen.setdefault(plan.key, row.number)
        if first != row.number:
            return None, [
                (
                    None,
                    _("Row %(row)s already has the same %(identity)s: each may appear once.")
                    % {"row": first, "identity": self.kind.identity},
                )
            ]
        return plan, []

    def settle(self, planned: list[tuple[RowReading, Plan | None, list]]) -> None:
        """Write the planned rows (a service's refusal rejects its row, with nothing written for it),
        then count every row in the file's order."""
        to_write = [plan for _row, plan, _problems in planned if plan is not None and plan.outcome != UNCHANGED]
        refusals = dict(zip(map(id, to_write), self.handler.write_many(to_write), strict=True)) if to_write else {}
        for row, plan, problems in planned:
            refusal = refusals.get(id(plan)) if plan is not None else None
            if refusal is not None:
                self.handler.forget(plan)
                problems = [(self.column_of(refusal.key), refusal.message)]
            if row.number in self.options.skip_rows:
                self.count(row.number, REJECTED, row)
            elif problems:
                self.reject(row, problems)
            else:
                self.count(row.number, plan.outcome, row)

    def column_of(self, key: str | None) -> int | None:
        return self.layout.column_of(key) if key else None

    def reject(self, row: RowReading, problems: Iterable[tuple[int | None, str]]) -> None:
        for column_number, message in problems:
            self.add_problem(
                row.number, column_number, row.cells.get(column_number) if column_number else None, message
            )
        self.count(row.number, REJECTED, row)

    def add_problem(self, row_number: int, column_number: int | None, value, message: str) -> None:
        column = self.layout.columns.get(column_number) if column_number else None
        problem = Problem(
            row=row_number,
            column=column_number,
            header=column.header if column else "",
            value=shown(value) if not is_blank(value) else "",
            message=str(message),
        )
        self.summary.add_problem(problem)
        if self.on_problem:
            self.on_problem(problem)

    def count(self, row_number: int, outcome: str, row: RowReading | None = None) -> None:
        self.outcomes[row_number] = outcome
        self.summary.counts[outcome] += 1
        if outcome == REJECTED:
            self.summary.rejected_rows.append(row_number)
        if row is not None:
            self.summary.list_row(row_number, outcome, *described(row.values))

    def check_merged(self, merged_ranges: list[str]) -> None:
        """Merged cells are known only after the last row: a range over the headers or beyond the
        row limit refuses the file; the others' rows are rejected by `reject_merged`."""
        for merged in merged_ranges:
            try:
                min_col, min_row, max_row = reading.merged_rows(merged)
            except ValueError:
                raise archives.damaged() from None
            if min_row <= self.layout.header_rows[-1][0]:
                raise FileRefused(self.merged_message(merged))
            self.merged_ranges.append((merged, min_col, min_row, max_row))

    @staticmethod
    def merged_message(merged: str) -> str:
        return _("Cells %(range)s are merged: unmerge them and fill in each cell.") % {"range": merged}

    def reject_merged(self) -> None:
        for merged, min_col, min_row, max_row in self.merged_ranges:
            message = self.merged_message(merged)
            for row_number in range(min_row, max_row + 1):
                outcome = self.outcomes.get(row_number)
                if outcome is None or row_number in self.options.skip_rows:
                    continue
                self.add_problem(row_number, min_col, None, message)
                if outcome != REJECTED:
                    if self.options.valid_rows_only and outcome != UNCHANGED:
                        # Already written, and only this run's valid rows are kept: undo it all.
                        raise FileRefused(message)
                    self.summary.counts[outcome] -= 1
                    self.count(row_number, REJECTED)
                    self.summary.relist_as_rejected(row_number)

    def note_empty(self, first: int, last: int) -> None:
        if self.empty_spans and self.empty_spans[-1][1] == first - 1:
            self.empty_spans[-1][1] = last
        else:
            self.empty_spans.append([first, last])

    def warn_about_empty_rows(self, limit: int = 20) -> None:
        """Empty rows between data rows may be a sign of rows lost in copying: say where they were."""
        inside = [span for span in self.empty_spans if span[1] < self.last_data_row]
        if inside:
            spans = [str(a) if a == b else f"{a}–{b}" for a, b in inside[:limit]] + (
                ["…"] if len(inside) > limit else []
            )
            self.summary.warnings.append(_("Empty rows were skipped: %(rows)s.") % {"rows": ", ".join(spans)})
