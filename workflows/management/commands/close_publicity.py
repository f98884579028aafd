"""`manage.py close_publicity`: move candidates whose public notice has ended to ready_to_issue.

Safe to run any number of times (by hand, from cron, or beside the hourly task that does the same).
"""

from django.core.management.base import BaseCommand

from workflows.publicity.services import close_due_publicity


class Command(BaseCommand):
    help = "Move every candidate whose public notice period has ended, with no open objection, to ready to issue."

    def handle(self, *args, **options):
        moved = close_due_publicity()
        self.stdout.write(f"{moved} candidate(s) moved to ready to issue.")
