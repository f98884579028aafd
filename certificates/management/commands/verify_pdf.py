"""`manage.py verify_pdf FILE`: is this certificate file genuine? (docs/spec.md §8)

Checks the office's signature offline and the file's SHA-256 against the registry, prints the
status and exits 0 for a valid certificate, 1 for a genuine one that is expired, revoked or superseded,
2 for an altered file and 3 for an unknown one.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from certificates import verification
from certificates.models import VerificationChannel

EXIT_CODES = {
    verification.VALID: 0,
    verification.EXPIRED: 1,
    verification.SUPERSEDED: 1,
    verification.REVOKED: 1,
    verification.ALTERED: 2,
    verification.UNKNOWN: 3,
}


class Command(BaseCommand):
    help = (
        "Check a certificate PDF: valid, expired, superseded, revoked, altered or unknown (exit code 0, 1, 1, 1, 2, 3)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The PDF to check.")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        verdict = verification.check_pdf(path.read_bytes())
        verification.log(
            channel=VerificationChannel.PDF,
            query=path.name,
            certificate=verdict.certificate,
            found=verdict.certificate is not None,
        )
        line = verdict.status
        if verdict.certificate is not None:
            line += f" {verdict.certificate.number}"
            if verdict.status == verification.REVOKED and verdict.certificate.revoked_at:
                line += f" (revoked on {timezone.localdate(verdict.certificate.revoked_at).isoformat()})"
            if verdict.status == verification.EXPIRED:
                line += f" (valid until {verdict.certificate.valid_until.isoformat()})"
            superseded_by = getattr(verdict.certificate, "superseded_by", None)
            if verdict.status == verification.SUPERSEDED and superseded_by is not None:
                line += f" (superseded by {superseded_by.number})"
        self.stdout.write(line)
        self.stdout.write(verdict.detail)
        code = EXIT_CODES[verdict.status]
        if code:
            raise SystemExit(code)
