"""`manage.py seed_load --enrolments N [--institutions 50] [--years 3] [--append] [--force]`
(docs/spec.md §10): a load-size data set for benchmarks; the work is in demo.load."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from demo import load
from demo.management.commands.seed_demo import commits_without_disk_sync


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Write a load-size data set in bulk: N enrolments over the last years at many institutions, in every "
            "state, with their state log, attempts, reviews, public notices and numbered certificates (no PDF). "
            "Refuses a database that already has load data unless --append. Runs only with DEBUG on, or with --force."
        )

    def add_arguments(self, parser):
        parser.add_argument("--enrolments", type=int, required=True, metavar="N", help=_("How many enrolments."))
        parser.add_argument("--institutions", type=int, default=50, help=_("How many institutions (default 50)."))
        parser.add_argument("--years", type=int, default=3, help=_("Over how many years, up to today (default 3)."))
        parser.add_argument(
            "--append", action="store_true", help=_("Add another data set next to the load data already there.")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even with DEBUG off (the load users have the published demo password)."),
        )

    def handle(self, *args, enrolments: int, institutions: int, years: int, append: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "seed_load creates users with the published demo password, so it runs only with DEBUG on. "
                    "Use --force to load the data anyway."
                )
            )
        if enrolments < 1 or institutions < 1 or years < 1:
            raise CommandError(_("--enrolments, --institutions and --years take a number of 1 or more."))
        started = time.monotonic()
        try:
            with commits_without_disk_sync():
                counts = load.load(
                    enrolments=enrolments,
                    institutions=institutions,
                    years=years,
                    append=append,
                    progress=self.show_progress,
                )
        except load.LoadRefused as refusal:
            raise CommandError(
                _(
                    "This database already has load data (%(count)s enrolments from seed_load). Use a fresh "
                    "database, or --append to add another %(n)s enrolments next to them."
                )
                % {"count": refusal.args[0], "n": enrolments}
            ) from None
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _("Load data written: %(n)s enrolments in %(seconds).1f s.")
                % {"n": sum(counts.values()), "seconds": seconds}
            )
        )
        for status in sorted(counts):
            self.stdout.write(f"  {status}: {counts[status]}")
        self.stdout.write(
            _("Log in as %(officer)s, load-assessor01 … or load1-inst001 … with password demo-pass-2024.")
            % {"officer": load.OFFICER_USERNAME}
        )

    def show_progress(self, stage: str, done: int, total: int) -> None:
        self.stdout.write(_("  %(stage)s: %(done)s/%(total)s") % {"stage": stage, "done": done, "total": total})
