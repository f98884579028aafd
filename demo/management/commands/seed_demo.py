"""`manage.py seed_demo [--cohort N] [--force]` (docs/spec.md §8): load the demo data; the work is in demo.cohort."""

import time
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from certification.models import Track
from core.middleware import current_request_id
from demo import cohort as demo
from demo import people as demo_people


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Load demo institutions, users and trainees in every state. Users: officer, assessor1, assessor2, "
            "inst1, inst2 and trainee1, password demo-pass-2024. trainee1 is the first demo trainee's account, "
            "renamed (real trainees log in with their ID number). --cohort N also brings the first cohort to N "
            "people ready to issue or certified, in its proportions (885 = 330 PM, 299 CR, 256 NM): the demo "
            "trainees already there (trainee1, CR) count, cohort candidates make the rest. Running it again "
            "creates nothing twice; a larger N tops the cohort up. Runs only with DEBUG on, or with --force."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cohort",
            type=int,
            default=0,
            metavar="N",
            help=_("Also bring the first cohort to N people ready to issue or certified (e.g. 885)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even with DEBUG off (the demo users have a published password)."),
        )

    def handle(self, *args, cohort: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "seed_demo creates users with a published password, so it runs only with DEBUG on. "
                    "Use --force to load the demo data anyway."
                )
            )
        if cohort < 0:
            raise CommandError(_("--cohort takes a number of candidates, 0 or more."))
        started = time.monotonic()
        # Every StateLog row the demo writes says where it came from.
        token = current_request_id.set(f"seed_demo-{uuid.uuid4().hex[:12]}")
        try:
            with commits_without_disk_sync():
                counts = demo.seed(cohort=cohort, progress=self.show_progress)
        finally:
            current_request_id.reset(token)
        self.show_summary(counts, cohort=cohort, seconds=time.monotonic() - started)

    def show_progress(self, stage: str, done: int, total: int) -> None:
        self.stdout.write(_("  %(stage)s: %(done)s/%(total)s") % {"stage": stage, "done": done, "total": total})

    def show_summary(self, counts: dict[str, int], *, cohort: int, seconds: float) -> None:
        self.stdout.write(self.style.SUCCESS(_("Demo data loaded in %(seconds).1f s.") % {"seconds": seconds}))
        self.stdout.write(_("Demo trainees created: %(demo)s.") % {"demo": counts.get("demo_trainees_created", 0)})
        if cohort:
            split = ", ".join(f"{code} {n}" for code, n in demo_people.split_cohort(cohort).items())
            self.stdout.write(
                _(
                    "First cohort of %(cohort)s (%(split)s), ready to issue or certified: %(counted)s demo trainee(s) "
                    "already there count towards it, %(candidates)s cohort candidates make the rest. Cohort "
                    "candidates: %(registered)s registered, %(moved)s moved to ready to issue, %(ready)s already "
                    "there, %(left)s left as they were."
                )
                % {
                    "cohort": cohort,
                    "split": split,
                    "counted": counts.get("demo_counted", 0),
                    "candidates": counts.get("candidates", 0),
                    "registered": counts.get("registered", 0),
                    "moved": counts.get("made_ready", 0),
                    "ready": counts.get("already_ready", 0),
                    "left": counts.get("left_as_is", 0),
                }
            )
        table = demo.enrolment_counts()
        for track in Track.objects.filter(code__in=table):
            by_status = table[track.code]
            parts = ", ".join(f"{status} {by_status[status]}" for status in sorted(by_status))
            self.stdout.write(f"  {track.code} {track.name_zh}: {sum(by_status.values())} ({parts})")
        self.stdout.write(
            _("Log in as officer, assessor1, assessor2, inst1, inst2 or trainee1 with password %(password)s.")
            % {"password": demo_people.PASSWORD}
        )


@contextmanager
def commits_without_disk_sync():
    """Demo data need not survive a power cut, so commits skip the wait for the disk.

    The cohort is about two transactions a candidate (each one whole, as docs/spec.md §4 wants), and on
    SQLite every commit waits for several disk syncs: ~10 ms each here, often more on a busy
    machine. Only this connection, only for this run; inside an outer transaction (tests) the
    setting is left alone.
    """
    if connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous")
            before = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous = OFF")
            restore = f"PRAGMA synchronous = {int(before)}"
        else:
            cursor.execute("SET synchronous_commit TO OFF")
            restore = "RESET synchronous_commit"
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(restore)
