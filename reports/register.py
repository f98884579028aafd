"""The provincial register export (docs/spec.md §10): the people certified in a period, one row per
certificate, in the skill-assessment register's layout, as xlsx or CSV (UTF-8 with a BOM, so that
Excel reads the Chinese).

The columns and their order are the setting REGISTER_EXPORT_COLUMNS: a list of column keys (COLUMNS
below), each optionally with the heading the province's template uses, e.g.
`[["name", "姓名"], ["id_number", "公民身份号码"], "certificate_number"]`. A setting rather than a
table the office edits: a province's register template is a fixed document that changes rarely and
together with the people who send the file, and a column list that is part of the deployment's
configuration is reviewed, versioned and the same on every web process; a click cannot break a
half-written month's export. The system check `reports.E001` refuses an unknown key at start-up.

Every row is checked complete before anything is written: a certificate without, say, a theory
score comes back as a list of the rows and what they lack, and no file is made. The rows are read
in chunks (memory does not grow with the period); the CSV streams to the client as it is written,
the xlsx is written row by row (openpyxl write-only) to a spooled temporary file.
"""

import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import translation

from certificates.models import Certificate, CertificateStatus
from certification.models import AssessmentAttempt, AttemptOutcome, Education, Gender
from core.spreadsheets import SafeSheet, neutralised, new_workbook


@dataclass(frozen=True)
class Column:
    heading: str  # the register's default heading (Chinese: the province's document)
    field: str  # the value's name in the query's values()
    as_text: bool = False


# Every column the export can write, in SPEC §10's default order.
COLUMNS: dict[str, Column] = {
    "seq": Column("序号", ""),
    "name": Column("姓名", "holder_name"),
    "gender": Column("性别", "enrolment__trainee__gender"),
    "id_type": Column("证件类型", "holder_id_type"),
    "id_number": Column("证件号码", "enrolment__trainee__id_number", as_text=True),
    "birth_date": Column("出生日期", "enrolment__trainee__birth_date"),
    "education": Column("文化程度", "enrolment__trainee__education"),
    "occupation": Column("职业（工种）", "occupation"),
    "direction": Column("职业方向", "direction"),
    "level": Column("技能等级", "level_label"),
    "theory_score": Column("理论知识成绩", "theory_score"),
    "practical_score": Column("操作技能成绩", "practical_score"),
    "exam_date": Column("考核日期", "exam_date"),
    "certificate_number": Column("证书编号", "number", as_text=True),
    "issue_date": Column("发证日期", "issue_date"),
    "assessment_body": Column("评价机构", "issuer_name"),
    "training_institution": Column("培训机构", "institution_name"),
    "certificate_status": Column("证书状态", "status"),
}
DEFAULT_LAYOUT = list(COLUMNS)
CHUNK = 2000
# How many incomplete rows the message lists (it says how many more there are).
SHOWN_INCOMPLETE = 50


def layout() -> list[tuple[str, str]]:
    """(key, heading) of each column, in the configured order (the default when not configured)."""
    configured = settings.REGISTER_EXPORT_COLUMNS or DEFAULT_LAYOUT
    columns = []
    for entry in configured:
        key, heading = (entry, "") if isinstance(entry, str) else (entry[0], entry[1] if len(entry) > 1 else "")
        columns.append((key, heading or COLUMNS[key].heading))
    return columns


def layout_problems(configured) -> list[str]:
    """What is wrong with a configured column list (for the system check); [] when it is usable."""
    if not configured:
        return []
    problems = []
    if not isinstance(configured, (list, tuple)):
        return ["REGISTER_EXPORT_COLUMNS must be a list of column keys or [key, heading] pairs."]
    for entry in configured:
        key = entry if isinstance(entry, str) else entry[0] if isinstance(entry, (list, tuple)) and entry else None
        if key not in COLUMNS:
            problems.append(f"REGISTER_EXPORT_COLUMNS: unknown column {entry!r}; known: {', '.join(COLUMNS)}.")
    return problems


@dataclass(frozen=True)
class Selection:
    date_from: date | None = None
    date_to: date | None = None
    track_id: int | None = None
    institution_id: int | None = None


def certificates(selection: Selection) -> QuerySet:
    """The certificates issued in the period (whatever became of them since: the status column
    says), with the passed attempt's scores and exam date, oldest first."""
    passed = AssessmentAttempt.objects.filter(enrolment_id=OuterRef("enrolment_id"), outcome=AttemptOutcome.PASSED)
    passed = passed.order_by("-number")
    found = Certificate.objects.exclude(status=CertificateStatus.PENDING)
    if selection.date_from is not None:
        found = found.filter(issue_date__gte=selection.date_from)
    if selection.date_to is not None:
        found = found.filter(issue_date__lte=selection.date_to)
    if selection.track_id is not None:
        found = found.filter(enrolment__track_id=selection.track_id)
    if selection.institution_id is not None:
        found = found.filter(enrolment__batch__institution_id=selection.institution_id)
    return found.annotate(
        theory_score=Subquery(passed.values("theory_score")[:1]),
        practical_score=Subquery(passed.values("practical_score")[:1]),
        exam_date=Subquery(passed.values("exam_date")[:1]),
    ).order_by("issue_date", "number")


def _records(selection: Selection) -> Iterator[dict]:
    fields = sorted({column.field for column in COLUMNS.values() if column.field})
    yield from certificates(selection).values(*fields).iterator(chunk_size=CHUNK)


_LABELS = {
    "enrolment__trainee__gender": dict(Gender.choices),
    "enrolment__trainee__education": dict(Education.choices),
    "status": dict(CertificateStatus.choices),
}


def _cells(record: dict, sequence: int, keys: list[str]) -> list:
    cells = []
    for key in keys:
        column = COLUMNS[key]
        if key == "seq":
            cells.append(sequence)
            continue
        value = record[column.field]
        if column.field in _LABELS and value:
            value = str(_LABELS[column.field].get(value, value))
        cells.append(value)
    return cells


@dataclass(frozen=True)
class Incomplete:
    row: int
    number: str
    missing: list[str]  # headings


def incomplete_rows(selection: Selection) -> tuple[list[Incomplete], int]:
    """The first SHOWN_INCOMPLETE incomplete rows (row = 序号) and how many there are in all."""
    columns = layout()
    shown, count = [], 0
    for sequence, record in enumerate(_records(selection), start=1):
        row = _cells(record, sequence, [key for key, _heading in columns])
        missing = [heading for (_key, heading), value in zip(columns, row, strict=True) if value in (None, "")]
        if missing:
            count += 1
            if len(shown) < SHOWN_INCOMPLETE:
                shown.append(Incomplete(sequence, record["number"], missing))
    return shown, count


def rows(selection: Selection) -> Iterator[list]:
    keys = [key for key, _heading in layout()]
    with translation.override("zh-hans"):
        for sequence, record in enumerate(_records(selection), start=1):
            yield _cells(record, sequence, keys)


def xlsx_file(selection: Selection) -> tempfile.SpooledTemporaryFile:
    columns = layout()
    text_columns = [i for i, (key, _heading) in enumerate(columns) if COLUMNS[key].as_text]
    workbook = new_workbook()
    sheet = SafeSheet(
        workbook, "职业技能等级认定人员名册", [heading for _key, heading in columns], text_columns=text_columns
    )
    for row in rows(selection):
        sheet.append(row)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(selection: Selection) -> Iterator[bytes]:
    """The CSV, a line at a time: a BOM, the headings, the rows. Text is neutralised as in the xlsx
    (a cell that starts like a formula gets an apostrophe): Excel opens CSV files too."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    yield writer.writerow([neutralised(heading) for _key, heading in layout()]).encode()
    for row in rows(selection):
        yield writer.writerow(["" if v is None else neutralised(str(v)) for v in row]).encode()
