"""The database part of a backup: PostgreSQL through pg_dump / pg_restore, SQLite through its backup API.

Both copy one consistent moment: pg_dump reads the snapshot of a REPEATABLE READ transaction in which
the manifest's counts are read too (pg_export_snapshot), and SQLite's backup runs inside the read
transaction that counts. A backup restores only into the same kind of database.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction

POSTGRES_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"


class DatabaseError(Exception):
    """The database cannot be backed up or restored as asked; the message says why."""


def vendor() -> str:
    return connection.vendor


def file_name(kind: str) -> str:
    return {"postgresql": POSTGRES_FILE, "sqlite": SQLITE_FILE}[kind]


def dump(
    path: Path, *, read_counts: Callable[[], dict], read_sqlite_counts: Callable[[Path], dict], pg_bin: str = ""
) -> dict:
    """Write the database to `path`; returns the counts of what was written (read in the same snapshot)."""
    if connection.vendor == "postgresql":
        return _pg_dump(path, read_counts, pg_bin)
    if connection.vendor == "sqlite":
        # The backup API copies one consistent moment (restarting if a writer interferes); the counts
        # are then read from the copy itself, so they describe exactly what was copied.
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return read_sqlite_counts(path)
    raise DatabaseError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")


def is_empty() -> bool:
    """No table at all: a database just created, never migrated."""
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(path: Path, *, kind: str, pg_bin: str = "", jobs: int = 1) -> None:
    if kind != connection.vendor:
        raise DatabaseError(
            f"This backup is of a {kind} database and the configured one (DATABASE_URL) is {connection.vendor}: "
            "restore into the same kind of database."
        )
    if not is_empty():
        raise DatabaseError(
            f"The database {connection.settings_dict['NAME']} is not empty. Restore only into an empty database: "
            "create a new one (createdb, or a new SQLite file) and do not migrate it first."
        )
    if kind == "postgresql":
        _pg_restore(path, pg_bin, jobs)
    else:
        connection.close()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()


# PostgreSQL ---------------------------------------------------------------------------------------


def _pg_environment() -> dict:
    settings = connection.settings_dict
    environment = {**os.environ, "PGDATABASE": settings["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            environment[variable] = str(settings[key])
    if sslmode := (settings.get("OPTIONS") or {}).get("sslmode"):
        environment["PGSSLMODE"] = sslmode
    return environment


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def pg_tool(name: str, pg_bin: str = "") -> str:
    """The pg_dump / pg_restore for this server: from `pg_bin`, else Debian's directory of the
    server's major version, else the one on PATH if it is at least that version (pg_dump refuses a
    newer server, and a dump restores only with a pg_restore at least as new)."""
    major = server_major()
    candidates = [Path(pg_bin) / name] if pg_bin else [Path(f"/usr/lib/postgresql/{major}/bin/{name}")]
    if not pg_bin and (on_path := shutil.which(name)):
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and _major_of(candidate) >= major:
            return str(candidate)
    raise DatabaseError(
        f"No {name} of version {major} or later found (the server is PostgreSQL {major}): install "
        f"postgresql-client-{major} or pass --pg-bin with the directory holding it."
    )


def _major_of(tool: Path) -> int:
    output = subprocess.run([str(tool), "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(found.group(1)) if found else 0


@contextmanager
def _exported_snapshot():
    """A REPEATABLE READ transaction whose snapshot pg_dump can share (pg_dump --snapshot)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


def _pg_dump(path: Path, read_counts: Callable[[], dict], pg_bin: str) -> dict:
    tool = pg_tool("pg_dump", pg_bin)
    with _exported_snapshot() as snapshot:
        counts = read_counts()
        result = subprocess.run(
            [tool, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", f"--file={path}"],
            env=_pg_environment(),
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise DatabaseError(f"pg_dump failed: {result.stderr.strip()[-2000:]}")
    return counts


def _pg_restore(path: Path, pg_bin: str, jobs: int) -> None:
    tool = pg_tool("pg_restore", pg_bin)
    environment = _pg_environment()
    # One transaction (all or nothing) unless restoring in parallel, which needs several connections.
    mode = [f"--jobs={jobs}"] if jobs > 1 else ["--single-transaction"]
    connection.close()  # pg_restore's connection does the work; ours would only hold a session open
    result = subprocess.run(
        [
            tool,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *mode,
            f"--dbname={environment['PGDATABASE']}",
            str(path),
        ],
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise DatabaseError(f"pg_restore failed: {result.stderr.strip()[-2000:]}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # pg_restore brings no planner statistics; the lists need them
