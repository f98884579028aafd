"""`manage.py backup DIR [--include-keys]`: the database, every stored file and a manifest with their
hashes; the signing keys only when asked, sealed with a passphrase (backups/archive.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups import archive, sealing
from backups.database import DatabaseError


class Command(BaseCommand):
    help = (
        "Back up the database, the stored files (photos, evidence, certificate PDFs) and a manifest of their "
        "SHA-256 into a new directory. --include-keys adds the signing keys, encrypted with a passphrase read "
        "from BACKUP_PASSPHRASE_FILE, BACKUP_PASSPHRASE or a prompt."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A new (or empty) directory for this backup.")
        parser.add_argument("--include-keys", action="store_true", help="Also the signing keys, encrypted.")
        parser.add_argument("--pg-bin", default="", help="Directory of pg_dump (default: the server's version).")

    def handle(self, *args, directory: str, include_keys: bool, pg_bin: str, **options):
        try:
            passphrase = sealing.read_passphrase(confirm=True) if include_keys else ""
            report = archive.backup(Path(directory), include_keys=include_keys, passphrase=passphrase, pg_bin=pg_bin)
        except (archive.BackupError, DatabaseError, sealing.PassphraseError) as error:
            raise CommandError(str(error)) from None
        manifest = report.manifest
        counts = manifest["counts"]
        serials = ", ".join(f"{s['issuer_code']}/{s['year']}: {s['last_serial']}" for s in counts["last_serials"])
        self.stdout.write(
            f"Backed up to {directory}: {manifest['database']['vendor']} database "
            f"({manifest['files'][manifest['database']['file']]['size'] / 1e6:.1f} MB, {report.seconds['database']:.1f} s), "
            f"{manifest['media']['files']} files ({manifest['media']['bytes'] / 1e6:.1f} MB, {report.seconds['files']:.1f} s), "
            f"keys {manifest['keys']}."
        )
        self.stdout.write(
            f"{counts['certificates']} certificates, {counts['enrolments']} enrolments; last serials: {serials or 'none'}."
        )
