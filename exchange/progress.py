"""A background run's progress: written by the task as the rows go, read by the import pages (§7, §14).

A step is a row read, then a row planned and written: a file of n rows has 2n steps. The first half
runs outside any transaction and goes straight to the run's ImportProgress row. The second half runs
inside the check's or the import's transaction, which nobody else sees until it ends, so its
progress is written from outside that transaction:

- PostgreSQL: through a second connection of the worker's own, into the ImportProgress row. The
  import's transaction locks the session's row (against a second confirmation), never this one, so
  the bar moves while the import is still open.
- SQLite: one writer at a time, and the run's own transaction is that writer: nothing else can be
  written to the database until it commits. The steps go to a small file (EXCHANGE_PROGRESS_DIR),
  which the pages read while the run goes on. A SQLite deployment is one machine, its worker and its
  web server share that directory. The file is removed once the run's final count is in the database.
"""

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection, connections
from django.utils import timezone

from .models import ImportProgress, ImportSession

PROGRESS_EVERY = 0.5  # seconds between two progress writes


@dataclass(frozen=True)
class Seen:
    """A run's progress as the pages show it."""

    done: int
    total: int
    at: datetime | None  # when it last moved

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


def seen(session: ImportSession) -> Seen:
    """The progress of a run: its row, or the fresher count its transaction left beside the database."""
    try:
        row = session.progress  # lists fetch it with select_related
    except ImportProgress.DoesNotExist:
        row = None  # an upload checked in the request, or a run not started yet
    stored = Seen(row.rows_done, row.rows_total, row.updated_at) if row else Seen(0, 0, None)
    if session.is_running and not _has_side_connection():
        aside = _read_aside(session.pk)
        if aside is not None and (stored.at is None or aside.at is None or aside.at > stored.at):
            return aside
    return stored


def restart(session_id: int) -> None:
    """A run (check or import) begins: nothing done yet."""
    _store(session_id, 0, 0)
    _remove_aside(session_id)


def finish(session_id: int, steps: int) -> None:
    """A run has ended with every step done; its count is in the database from now on."""
    _store(session_id, steps, steps)
    _remove_aside(session_id)


def _store(session_id: int, done: int, total: int) -> None:
    ImportProgress.objects.update_or_create(
        session_id=session_id, defaults={"rows_done": done, "rows_total": total, "updated_at": timezone.now()}
    )


def _has_side_connection() -> bool:
    return connection.vendor == "postgresql"


class Progress:
    """The task's listener: writes a run's progress at most every PROGRESS_EVERY seconds."""

    def __init__(self, session_id: int, *, steps: int = 0):
        self.session_id = session_id
        # Known before reading when the upload was checked already: its file may declare no size.
        self.steps = steps
        self.last = 0.0
        self.side = None  # a second connection, PostgreSQL only
        self.blocked = False

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        total = total or self.steps
        if not connection.in_atomic_block:
            ImportProgress.objects.filter(session_id=self.session_id).update(
                rows_done=done, rows_total=total, updated_at=timezone.now()
            )
        elif _has_side_connection():
            self._write_through_side_connection(done, total)
        else:
            _write_aside(self.session_id, done, total)

    def _write_through_side_connection(self, done: int, total: int) -> None:
        if self.blocked:
            return
        if self.side is None:
            self.side = connections.create_connection("default")
            with self.side.cursor() as cursor:
                # Nothing should hold the progress row; if anything ever does, the import must not wait for it.
                cursor.execute("SET lock_timeout = '100ms'")
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportProgress._meta.db_table} SET rows_done = %s, rows_total = %s, updated_at = %s "
                    "WHERE session_id = %s",
                    [done, total, timezone.now(), self.session_id],
                )
        except OperationalError:
            self.blocked = True  # the bar waits for the commit rather than the import for the bar

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


# The file beside a SQLite database ------------------------------------------------------------------


def _aside_path(session_id: int) -> Path:
    return Path(settings.EXCHANGE_PROGRESS_DIR) / f"{session_id}.json"


def _write_aside(session_id: int, done: int, total: int) -> None:
    path = _aside_path(session_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps({"done": done, "total": total, "at": timezone.now().isoformat()}))
    os.replace(partial, path)  # a reader sees the old count or the new one, never half a file


def _read_aside(session_id: int) -> Seen | None:
    try:
        data = json.loads(_aside_path(session_id).read_text())
        return Seen(int(data["done"]), int(data["total"]), datetime.fromisoformat(data["at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remove_aside(session_id: int) -> None:
    if not _has_side_connection():
        _aside_path(session_id).unlink(missing_ok=True)
