"""`manage.py create_signing_key`: the office's signing key and a self-signed certificate (docs/spec.md §6)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates import numbering, office_keys, signing


class Command(BaseCommand):
    help = (
        "Create the certification office's signing key (EC P-256) with a self-signed certificate, and its "
        "credential key (Ed25519), in the "
        "CERT_SIGNING_KEY directory. An existing key is kept unless --replace is given; a replaced "
        "certificate moves to trusted/ so that certificates it signed still verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", help="Where to write (default: settings.CERT_SIGNING_KEY).")
        parser.add_argument("--common-name", help="The certificate's subject (default: the issuer's name).")
        parser.add_argument("--days", type=int, default=3650, help="Validity in days (default 3650).")
        parser.add_argument("--replace", action="store_true", help="Replace an existing key.")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing, successfully, when a key exists (for set-up scripts).",
        )

    def handle(self, *args, directory=None, common_name=None, days=3650, replace=False, if_missing=False, **options):
        target = Path(directory) if directory else signing.key_directory()
        exists = (target / signing.KEY_FILE).exists() or (target / signing.CERT_FILE).exists()
        if exists and if_missing:
            if not office_keys.has_credential_key(target):
                kid = office_keys.create_credential_key(directory=target)
                self.stdout.write(f"Credential key {kid} written to {target}.")
            self.stdout.write(f"Signing key present in {target}.")
            return
        if exists and not replace:
            raise CommandError(f"A signing key already exists in {target}; use --replace to make a new one.")
        if days < 1:
            raise CommandError("--days must be at least 1.")
        issuer = numbering.configured_issuer()
        cert_path = signing.create_signing_key(
            directory=target, common_name=common_name or issuer.name, organisation=issuer.name, days=days
        )
        kid = office_keys.create_credential_key(directory=target)
        self.stdout.write(
            self.style.SUCCESS(
                f"Signing key and certificate written to {target} ({cert_path.name}); credential key {kid}."
            )
        )
