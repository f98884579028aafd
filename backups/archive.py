"""`manage.py backup DIR` and `manage.py restore DIR` (docs/spec.md §14): what a backup holds and how
it comes back.

    DIR/manifest.json      what is inside: the SHA-256 and size of every file, the counts (certificates
                           by status, the last serial of each issuer and year, enrolments), timings
    DIR/database.dump      PostgreSQL (pg_dump, custom format)  — or DIR/database.sqlite3 for SQLite
    DIR/media/…            every file of the default storage, under its storage name
    DIR/keys.sealed        only with --include-keys: the signing-key directory, encrypted (sealing.py)

The database is copied first, then the files: certificate PDFs and photos are never deleted or
changed once stored, so every file the database refers to is in the copy (files stored after the
database's moment come along too and are simply unreferenced).

A restore reads the manifest, checks every file's hash and size (and that nothing is missing or
extra) before it touches anything, refuses a database or storage that is not empty, then brings the
database back, the files, the keys if asked, and compares the counts with the manifest.
"""

import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage, storages
from django.db.models import Count
from django.utils import timezone

from certificates import signing
from certificates.models import Certificate, CertificateSerial
from certification.models import Enrolment

from . import database, files, sealing

FORMAT = "fashion-cert-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
KEYS = "keys.sealed"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass
class Report:
    manifest: dict
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def counts() -> dict:
    """What the backup must bring back: certificates by status, each series' last serial, enrolments."""
    return _counts(
        Certificate.objects.order_by().values_list("status").annotate(n=Count("pk")),
        CertificateSerial.objects.order_by("issuer_code", "year").values_list("issuer_code", "year", "last_serial"),
        Enrolment.objects.count(),
    )


def counts_in_sqlite_file(path: Path) -> dict:
    """The same counts, read from a copied SQLite file."""
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        certificates, serials = Certificate._meta.db_table, CertificateSerial._meta.db_table
        return _counts(
            database.execute(f"SELECT status, COUNT(*) FROM {certificates} GROUP BY status").fetchall(),
            database.execute(
                f"SELECT issuer_code, year, last_serial FROM {serials} ORDER BY issuer_code, year"
            ).fetchall(),
            database.execute(f"SELECT COUNT(*) FROM {Enrolment._meta.db_table}").fetchone()[0],
        )
    finally:
        database.close()


def _counts(by_status, serials, enrolments: int) -> dict:
    by_status = dict(by_status)
    return {
        "certificates": sum(by_status.values()),
        "certificates_by_status": dict(sorted(by_status.items())),
        "last_serials": [{"issuer_code": issuer, "year": year, "last_serial": last} for issuer, year, last in serials],
        "enrolments": enrolments,
    }


def _start_directory(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new directory for each backup.")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)  # personal data inside: the owner only


def backup(directory: Path, *, include_keys: bool, passphrase: str = "", pg_bin: str = "") -> Report:
    _start_directory(directory)
    report = Report(manifest={})
    listed: dict[str, dict] = {}
    kind = database.vendor()

    started = time.perf_counter()
    database_file = database.file_name(kind)
    snapshot_counts = database.dump(
        directory / database_file, read_counts=counts, read_sqlite_counts=counts_in_sqlite_file, pg_bin=pg_bin
    )
    os.chmod(directory / database_file, 0o600)
    digest, size = files.sha256_of(directory / database_file)
    listed[database_file] = {"sha256": digest, "size": size}
    report.seconds["database"] = time.perf_counter() - started

    started = time.perf_counter()
    media_bytes = 0
    for name in files.stored_names(default_storage):
        digest, size = files.copy_out(default_storage, name, directory / MEDIA / name)
        listed[f"{MEDIA}/{name}"] = {"sha256": digest, "size": size}
        media_bytes += size
    report.seconds["files"] = time.perf_counter() - started

    if include_keys:
        started = time.perf_counter()
        key_dir = signing.key_directory()
        if not signing.has_signing_key():
            raise BackupError(f"No signing key in {key_dir} to include.")
        (directory / KEYS).write_bytes(sealing.seal(files.pack_keys(key_dir), passphrase))
        os.chmod(directory / KEYS, 0o600)
        digest, size = files.sha256_of(directory / KEYS)
        listed[KEYS] = {"sha256": digest, "size": size}
        report.seconds["keys"] = time.perf_counter() - started

    report.manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": kind, "file": database_file},
        "counts": snapshot_counts,
        "media": {"files": len(listed) - 1 - int(include_keys), "bytes": media_bytes},
        "keys": "included (sealed with a passphrase)" if include_keys else "not included",
        "storage": type(storages["default"]).__name__,
        "seconds": {step: round(value, 1) for step, value in report.seconds.items()},
        "files": listed,
    }
    (directory / MANIFEST).write_text(json.dumps(report.manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return report


# Restoring -----------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict:
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{directory} has no {MANIFEST}: it is not a backup made by `manage.py backup`.") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{directory / MANIFEST} is damaged (not JSON).") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{directory} is not a backup this version can restore (format {manifest.get('format')!r}).")
    return manifest


def check_files(directory: Path, manifest: dict) -> None:
    """Every listed file present with its hash and size, and nothing else: before anything is touched."""
    listed = manifest["files"]
    problems = []
    for name, expected in listed.items():
        path = directory / files.safe_relative(name)
        if not path.is_file():
            problems.append(f"missing: {name}")
            continue
        digest, size = files.sha256_of(path)
        if digest != expected["sha256"] or size != expected["size"]:
            problems.append(f"changed: {name}")
    present = {str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file()}
    problems += [f"not in the manifest: {name}" for name in sorted(present - set(listed) - {MANIFEST})]
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise BackupError(f"The backup does not match its manifest, nothing was restored: {shown}")


def restore(directory: Path, *, include_keys: bool, passphrase_reader=None, pg_bin: str = "", jobs: int = 1) -> Report:
    manifest = read_manifest(directory)
    report = Report(manifest=manifest)

    started = time.perf_counter()
    check_files(directory, manifest)
    report.seconds["check"] = time.perf_counter() - started

    key_data = None
    if include_keys:
        if KEYS not in manifest["files"]:
            raise BackupError("This backup holds no signing keys (it was made without --include-keys).")
        if signing.key_directory().exists() and any(signing.key_directory().iterdir()):
            raise BackupError(
                f"{signing.key_directory()} (CERT_SIGNING_KEY) is not empty: restore keys only into an empty one."
            )
        # Opened before anything is written, so that a wrong passphrase stops the restore at once.
        key_data = sealing.unseal((directory / KEYS).read_bytes(), passphrase_reader())
    if next(files.stored_names(default_storage), None) is not None:
        raise BackupError("The file storage (MEDIA_ROOT or the bucket) is not empty: restore only into an empty one.")

    started = time.perf_counter()
    kind = manifest["database"]["vendor"]
    try:
        database.restore(directory / manifest["database"]["file"], kind=kind, pg_bin=pg_bin, jobs=jobs)
    except database.DatabaseError as error:
        raise BackupError(str(error)) from None
    report.seconds["database"] = time.perf_counter() - started

    started = time.perf_counter()
    prefix = f"{MEDIA}/"
    for name in manifest["files"]:
        if name.startswith(prefix):
            files.copy_in(default_storage, name[len(prefix) :], directory / files.safe_relative(name))
    report.seconds["files"] = time.perf_counter() - started

    if key_data is not None:
        written = files.unpack_keys(key_data, signing.key_directory())
        report.notes.append(f"{len(written)} key files written to {signing.key_directory()}")
    elif not signing.has_signing_key():
        report.notes.append(
            f"No signing key in {signing.key_directory()}: put the office's key there (CERT_SIGNING_KEY) before "
            "issuing; without it signatures cannot be checked offline and nothing can be issued."
        )

    restored = counts()
    if restored != manifest["counts"]:
        raise BackupError(f"Restored, but the counts differ from the manifest: {restored} != {manifest['counts']}")
    return report
