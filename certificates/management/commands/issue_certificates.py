"""`manage.py issue_certificates [--batch ID | --all-ready | --resume RUN]` (docs/spec.md §8).

Issues certificates and prints progress. By default the work runs right here, in one process per
core; with --queue it goes to the task workers (`manage.py db_worker`) and this command only
watches. A run that stopped half-way (a killed worker, Ctrl-C) is finished with --resume RUN: what
was issued stays issued, numbers stay gap-free.
"""

import multiprocessing
import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from certificates import issuance, selectors, services
from certificates.models import IssuanceRun, ItemStatus
from certification.models import Role, User
from core.errors import LifecycleError


def _process_chunk(arguments: tuple[int, list[int]]) -> int:
    run_id, item_ids = arguments
    issuance.process_items(run_id=run_id, item_ids=item_ids)
    return len(item_ids)


class Command(BaseCommand):
    help = "Issue certificates for a training batch, for everything ready to issue, or finish a stopped run."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--batch", type=int, metavar="ID", help="Issue the ready enrolments of this training batch.")
        scope.add_argument("--all-ready", action="store_true", help="Issue every enrolment ready to issue.")
        scope.add_argument("--resume", type=int, metavar="RUN", help="Finish an issuance run that stopped half-way.")
        parser.add_argument("--officer", help="Username of the officer who issues (default: the only officer).")
        parser.add_argument(
            "--processes",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes that render side by side (default: one per core).",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Leave the work to the task workers (manage.py db_worker) and watch progress.",
        )

    def handle(
        self, *args, batch=None, all_ready=False, resume=None, officer=None, processes=1, queue=False, **options
    ):
        actor = self._officer(officer)
        try:
            if resume is not None:
                run = services.resume_issuance(officer=actor, run_id=resume, enqueue=queue)
            else:
                run = services.start_issuance(officer=actor, batch_id=batch, enqueue=queue)
        except services.NothingToIssue as error:
            self.stdout.write(error.message)  # not an error, in any language (docs/spec.md §8)
            return
        except LifecycleError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Issuance run #{run.pk}: {run.total} certificates, started by {actor.username}.")
        started = time.monotonic()
        if queue:
            self._watch(run)
        else:
            self._work(run, max(1, processes))
        self._summary(run, time.monotonic() - started)

    def _officer(self, username: str | None) -> User:
        officers = User.objects.filter(role=Role.OFFICER, is_active=True)
        if username:
            found = officers.filter(username=username).first()
            if found is None:
                raise CommandError(f"No active officer called {username!r}.")
            return found
        found = list(officers[:2])
        if len(found) != 1:
            raise CommandError("Name the issuing officer with --officer USERNAME.")
        return found[0]

    def _work(self, run: IssuanceRun, processes: int) -> None:
        item_ids = list(run.items.filter(status=ItemStatus.PENDING).order_by("pk").values_list("pk", flat=True))
        chunks = [(run.pk, item_ids[i : i + services.CHUNK_SIZE]) for i in range(0, len(item_ids), services.CHUNK_SIZE)]
        processes = min(processes, len(chunks)) or 1
        if processes == 1:
            for chunk in chunks:
                _process_chunk(chunk)
                self._progress(run)
            return
        # Each child opens its own database connection; none may inherit this one.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for _count in pool.imap_unordered(_process_chunk, chunks):
                self._progress(run)

    def _watch(self, run: IssuanceRun) -> None:
        self.stdout.write("Queued for the task workers (manage.py db_worker); watching. Ctrl-C stops watching only.")
        while True:
            run.refresh_from_db()
            progress = self._progress(run)
            if progress["finished"] or progress["stalled"]:
                return
            time.sleep(1)

    def _progress(self, run: IssuanceRun) -> dict:
        run.refresh_from_db()
        progress = selectors.run_progress(run)
        self.stdout.write(
            f"  {progress['done']}/{progress['total']} done: {progress['issued']} issued, "
            f"{progress['skipped']} skipped ({progress['per_second']}/s)"
        )
        return progress

    def _summary(self, run: IssuanceRun, seconds: float) -> None:
        run.refresh_from_db()
        progress = selectors.run_progress(run)
        for item in selectors.problem_items(run, limit=20):
            self.stdout.write(f"  {item.enrolment.trainee.name}: {item.get_status_display()} — {item.message}")
        if progress["stalled"]:
            raise CommandError(f"No progress for a while: is a worker running? Resume with --resume {run.pk}.")
        if not progress["finished"]:
            raise CommandError(f"{progress['pending']} certificates are not finished; retry with --resume {run.pk}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Run #{run.pk} finished: {progress['issued']} issued, {progress['skipped']} skipped, "
                f"in {seconds:.1f} s ({progress['issued'] / seconds if seconds else 0:.1f} certificates/s)."
            )
        )
