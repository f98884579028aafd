"""Make the Open Badges credential of every issued certificate that has none (docs/spec.md §12).

New certificates get theirs when they are issued; this is for those issued before credentials
existed. Safe to run again: a certificate that has a credential keeps it (credentials are signed
once and never again).
"""

from django.core.management.base import BaseCommand

from certificates import credentials


class Command(BaseCommand):
    help = "Sign an Open Badges 3.0 credential for every issued certificate that has none."

    def handle(self, *args, **options):
        made = credentials.issue_missing()
        self.stdout.write(f"{made} credentials signed.")
