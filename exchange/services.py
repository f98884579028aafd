"""Excel imports: preview, import and confirm, each in one transaction (docs/spec.md §7).

The file is read and checked first, outside any transaction (on SQLite every transaction takes the
write lock at once): a file refused as a whole never locks the database, and the transaction only
plans and writes rows already read.

The preview runs every row through the registration services exactly as the import would, then
rolls everything back: what it shows is what confirming does. An import writes nothing unless every
row is valid, or keeps only the valid rows when the user chose so; a refusal of the whole file
(too many rows, merged cells found at the end...) rolls back everything.
"""

import hashlib

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from certification.models import User
from core.errors import MoveForbidden, RuleNotMet, StaleState
from core.guards import require_institution_staff

from . import importing, limits, reading
from .columns import KINDS
from .errors import FileRefused
from .handlers import Options
from .models import ImportSession, ImportStatus
from .summary import PROBLEMS_KEPT, Summary


def preview(
    *, staff: User, kind: str, fileobj, options: Options | None = None, on_problem=None, on_progress=None
) -> Summary:
    """What importing the file would do, row by row; nothing is written."""
    require_institution_staff(staff)
    with importing.prepared(
        staff=staff, kind=KINDS[kind], fileobj=fileobj, options=options, on_problem=on_problem, on_progress=on_progress
    ) as run:
        if run.summary.refusal:
            return run.summary
        with transaction.atomic():
            summary = run.apply()
            transaction.set_rollback(True)
    return summary


def import_rows(*, staff: User, kind: str, fileobj, options: Options | None = None) -> Summary:
    """Import the file: all rows or none, or only the valid rows with `options.valid_rows_only`."""
    require_institution_staff(staff)
    options = options or Options()
    with importing.prepared(staff=staff, kind=KINDS[kind], fileobj=fileobj, options=options) as run:
        return _apply(run, options)


def _apply(run: importing.Run, options: Options) -> Summary:
    if run.summary.refusal:
        return run.summary
    with transaction.atomic():
        summary = run.apply()
        acceptable = not summary.refusal and (summary.rejected == 0 or options.valid_rows_only)
        summary.written = acceptable and summary.changes > 0
        if not summary.written:
            transaction.set_rollback(True)
    return summary


def start_import(*, staff: User, kind: str, upload, submit: bool = False) -> ImportSession:
    """Preview an uploaded file and keep it for confirmation; FileRefused when it is refused as a whole."""
    require_institution_staff(staff)
    if kind not in KINDS:
        raise FileRefused(_("Unknown kind of import."))
    size = reading.size_of(upload)
    if size > limits.max_file_bytes():
        raise reading.too_large(size)
    summary = preview(staff=staff, kind=kind, fileobj=upload, options=Options(submit=submit and kind == "enrolments"))
    if summary.refusal:
        raise FileRefused(summary.refusal, summary.refusal_status)
    digest = _sha256(upload)
    warn_if_imported_before(summary, institution_id=staff.institution_id, kind=kind, digest=digest)
    session = ImportSession(
        institution_id=staff.institution_id,
        uploaded_by=staff,
        kind=kind,
        original_name=(upload.name or "")[:255],
        size=size,
        sha256=digest,
        submit=submit and kind == "enrolments",
        summary=summary.to_json(),
    )
    upload.seek(0)
    session.file.save("upload.xlsx", upload, save=False)
    session.save()
    return session


def warn_if_imported_before(summary: Summary, *, institution_id: int, kind: str, digest: str) -> None:
    earlier = (
        ImportSession.objects.filter(
            institution_id=institution_id, kind=kind, sha256=digest, status=ImportStatus.IMPORTED
        )
        .order_by("-imported_at")
        .first()
    )
    if earlier is not None:
        summary.warnings.append(
            _("This same file was imported on %(date)s: rows already in the database count as unchanged.")
            % {"date": formats.date_format(timezone.localtime(earlier.imported_at), "DATETIME_FORMAT")}
        )


def confirm_import(
    *, staff: User, session_id: int, valid_rows_only: bool = False, on_progress=None, in_background: bool = False
) -> tuple[ImportSession, Summary]:
    """Import a previewed upload. The session's summary becomes the import's; `summary.written`
    says whether anything was written (rows rejected since the preview stop an all-or-nothing import)."""
    require_institution_staff(staff)
    # Checked once to read the file before the lock, and again under it.
    session = importable_session(ImportSession.objects.all(), staff, session_id, valid_rows_only, in_background)
    previewed = session.result
    options = Options(
        submit=session.submit,
        valid_rows_only=valid_rows_only,
        skip_rows=frozenset(previewed.rejected_rows) if valid_rows_only else frozenset(),
    )
    with (
        session.file.open("rb") as fileobj,
        importing.prepared(
            staff=staff, kind=KINDS[session.kind], fileobj=fileobj, options=options, on_progress=on_progress
        ) as run,
        transaction.atomic(),
    ):
        session = importable_session(
            ImportSession.objects.select_for_update(), staff, session_id, valid_rows_only, in_background
        )
        summary = _apply(run, options)
        if valid_rows_only:
            # The rows skipped were rejected by the preview: keep its reasons next to any new ones.
            summary.problems = (previewed.problems + summary.problems)[:PROBLEMS_KEPT]
            summary.problem_count += previewed.problem_count
        # Done when written, when there was nothing to write, or when the valid rows were all there was.
        if not summary.refusal and (summary.written or summary.rejected == 0 or valid_rows_only):
            session.status = ImportStatus.IMPORTED
            session.imported_at = timezone.now()
            session.imported_by = staff
            session.valid_rows_only = valid_rows_only
        session.summary = summary.to_json()
        session.save()
    return session, summary


def importable_session(
    sessions, staff: User, session_id: int, valid_rows_only: bool, in_background: bool = False
) -> ImportSession:
    """The upload, if it may be imported now: previewed (or, for the background task, handed to it)."""
    session = sessions.filter(pk=session_id, institution_id=staff.institution_id).first()
    if session is None:
        raise MoveForbidden(_("This upload is not your institution's."))
    if session.is_imported:
        raise StaleState(_("This file was already imported."))
    if session.status != (ImportStatus.IMPORTING if in_background else ImportStatus.PREVIEWED):
        raise StaleState(_("This file is being checked or imported in the background: follow it on its page."))
    previewed = session.result
    if previewed.rejected and not valid_rows_only:
        raise RuleNotMet(
            _("%(count)s rows were rejected: correct them and upload the file again, or import the valid rows only.")
            % {"count": previewed.rejected}
        )
    return session


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
