"""`manage.py restore DIR [--include-keys]`: bring a backup back into an empty database and storage,
after checking every file against the manifest (backups/archive.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backups import archive, sealing


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an EMPTY database (DATABASE_URL, never migrated) and "
        "an empty storage (MEDIA_ROOT or the bucket). Every file's SHA-256 is checked first. --include-keys "
        "also writes the signing keys into an empty CERT_SIGNING_KEY directory (passphrase from "
        "BACKUP_PASSPHRASE_FILE, BACKUP_PASSPHRASE or a prompt)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The backup's directory.")
        parser.add_argument("--include-keys", action="store_true", help="Also restore the signing keys.")
        parser.add_argument("--pg-bin", default="", help="Directory of pg_restore (default: the server's version).")
        parser.add_argument(
            "--jobs", type=int, default=1, help="PostgreSQL: parallel restore jobs (default 1: one transaction)."
        )

    def handle(self, *args, directory: str, include_keys: bool, pg_bin: str, jobs: int, **options):
        try:
            report = archive.restore(
                Path(directory),
                include_keys=include_keys,
                passphrase_reader=lambda: sealing.read_passphrase(confirm=False),
                pg_bin=pg_bin,
                jobs=jobs,
            )
        except (archive.BackupError, sealing.PassphraseError) as error:
            raise CommandError(str(error)) from None
        counts = report.manifest["counts"]
        timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in report.seconds.items())
        self.stdout.write(
            f"Restored {counts['certificates']} certificates, {counts['enrolments']} enrolments and "
            f"{report.manifest['media']['files']} files; the counts match the manifest ({timings})."
        )
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write("Next: `manage.py migrate` if this release is newer than the backup's.")
