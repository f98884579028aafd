"""Large uploads are checked and imported by a task worker, not in the request (docs/spec.md §7, §14).

A file of up to 50,000 rows takes tens of seconds to check and as long again to import, longer than a
page request may wait. Above EXCHANGE_BACKGROUND_BYTES (default 128 KiB, about 2,000 rows, which an
idle machine checks in well under a second) the upload is stored at once and its ImportSession
follows the work: queued → checking → previewed (or refused), then importing → imported. The
import page shows each run's progress (polling JSON) and its report; the user may leave and come
back, and a run whose worker died can be started again: checking writes nothing, and an import is
one transaction, so a run that stopped half-way left nothing behind.

Progress is written as the rows go, even from inside the run's transaction (exchange.progress).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import User
from core.errors import InvalidInput, StaleState
from core.guards import require_institution_staff

from . import limits, progress, reading, services
from .columns import KINDS
from .errors import FileRefused
from .handlers import Options
from .models import RUNNING, ImportSession, ImportStatus

__all__ = ["RUNNING"]

# A run whose progress has not moved for this long may be started again from its page.
STALLED_AFTER = timedelta(minutes=5)


def background_bytes() -> int:
    return settings.EXCHANGE_BACKGROUND_BYTES


def belongs_in_background(upload) -> bool:
    return reading.size_of(upload) > background_bytes()


def start_background_import(*, staff: User, kind: str, upload, submit: bool = False) -> ImportSession:
    """Store the upload and queue its check; the page follows the session."""
    require_institution_staff(staff)
    if kind not in KINDS:
        raise FileRefused(_("Unknown kind of import."))
    size = reading.size_of(upload)
    if size > limits.max_file_bytes():
        raise reading.too_large(size)
    session = ImportSession(
        institution_id=staff.institution_id,
        uploaded_by=staff,
        kind=kind,
        status=ImportStatus.QUEUED,
        in_background=True,
        original_name=(upload.name or "")[:255],
        size=size,
        sha256=services._sha256(upload),
        submit=submit and kind == "enrolments",
    )
    upload.seek(0)
    session.file.save("upload.xlsx", upload, save=False)
    session.save()
    progress.restart(session.pk)
    _enqueue_check(session)
    return session


def _enqueue_check(session: ImportSession) -> None:
    from .tasks import check_upload

    transaction.on_commit(lambda: check_upload.enqueue(session_id=session.pk))


def confirm_in_background(*, staff: User, session_id: int, valid_rows_only: bool = False) -> ImportSession:
    """Hand a previewed upload to a task worker for the import itself."""
    from .tasks import import_upload

    require_institution_staff(staff)
    with transaction.atomic():
        session = services.importable_session(
            ImportSession.objects.select_for_update(), staff, session_id, valid_rows_only
        )
        session.status, session.message = ImportStatus.IMPORTING, ""
        session.save(update_fields=["status", "message", "updated_at"])
        progress.restart(session.pk)
        transaction.on_commit(
            lambda: import_upload.enqueue(session_id=session.pk, staff_id=staff.pk, valid_rows_only=valid_rows_only)
        )
    return session


def start_again(*, staff: User, session_id: int, valid_rows_only: bool = False) -> ImportSession:
    """Queue a run again whose worker stopped (failed, or no progress for STALLED_AFTER)."""
    from .tasks import import_upload

    require_institution_staff(staff)
    with transaction.atomic():
        session = (
            ImportSession.objects.select_for_update()
            .filter(pk=session_id, institution_id=staff.institution_id, in_background=True)
            .first()
        )
        if session is None:
            raise InvalidInput(_("There is no such upload."))
        if not (session.status == ImportStatus.FAILED or is_stalled(session)):
            raise StaleState(_("This upload is not stopped: there is nothing to start again."))
        importing = session.status == ImportStatus.IMPORTING or (
            session.status == ImportStatus.FAILED and session.message.startswith("import:")
        )
        session.message = ""
        session.status = ImportStatus.IMPORTING if importing else ImportStatus.QUEUED
        session.save(update_fields=["status", "message", "updated_at"])
        progress.restart(session.pk)
        if importing:
            transaction.on_commit(
                lambda: import_upload.enqueue(
                    session_id=session.pk, staff_id=staff.pk, valid_rows_only=session.valid_rows_only
                )
            )
        else:
            _enqueue_check(session)
    return session


def is_stalled(session: ImportSession, seen: progress.Seen | None = None) -> bool:
    """Running, but neither its status nor its progress has moved for STALLED_AFTER."""
    if not session.is_running:
        return False
    moved = (seen or progress.seen(session)).at
    last = max(session.updated_at, moved) if moved else session.updated_at
    return last < timezone.now() - STALLED_AFTER


# The tasks' work ------------------------------------------------------------------------------------


def check(session_id: int) -> None:
    """Preview a queued upload (nothing is written), keep its summary for confirmation."""
    updated = ImportSession.objects.filter(pk=session_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING, updated_at=timezone.now()
    )
    if not updated:
        return  # checked already (a task queued twice)
    progress.restart(session_id)
    session = ImportSession.objects.select_related("uploaded_by").get(pk=session_id)
    listener = progress.Progress(session_id)
    try:
        with session.file.open("rb") as fileobj:
            summary = services.preview(
                staff=session.uploaded_by,
                kind=session.kind,
                fileobj=fileobj,
                options=Options(submit=session.submit),
                on_progress=listener,
            )
    finally:
        listener.close()
    if not summary.refusal:
        services.warn_if_imported_before(
            summary, institution_id=session.institution_id, kind=session.kind, digest=session.sha256
        )
    session.summary = summary.to_json()
    session.status = ImportStatus.REFUSED if summary.refusal else ImportStatus.PREVIEWED
    session.message = summary.refusal
    session.save()
    progress.finish(session_id, 2 * summary.rows)


def run_import(session_id: int, staff_id: int, valid_rows_only: bool) -> None:
    """Import a previewed upload handed over by confirm_in_background."""
    staff = User.objects.get(pk=staff_id)
    previewed = ImportSession.objects.only("summary").get(pk=session_id).result
    listener = progress.Progress(session_id, steps=2 * previewed.rows)
    try:
        session, summary = services.confirm_import(
            staff=staff,
            session_id=session_id,
            valid_rows_only=valid_rows_only,
            on_progress=listener,
            in_background=True,
        )
    finally:
        listener.close()
    if not session.is_imported:
        # Something changed since the preview (a batch filled up, another upload): nothing was written.
        session.status = ImportStatus.PREVIEWED
        session.message = summary.refusal or _("Nothing was imported: rows were rejected since the preview.")
    session.save()
    progress.finish(session_id, 2 * summary.rows)


def mark_failed(session_id: int, error: Exception, *, importing: bool) -> None:
    # A second task for an upload imported meanwhile stops with "already imported": the upload stays imported.
    ImportSession.objects.filter(pk=session_id).exclude(status=ImportStatus.IMPORTED).update(
        status=ImportStatus.FAILED,
        message=("import: " if importing else "check: ") + f"{type(error).__name__}: {error}"[:500],
        updated_at=timezone.now(),
    )
