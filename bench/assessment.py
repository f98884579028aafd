"""Benchmark of the assessment (issue 4): results submitted and bulk-approved through the real flow.

    DEBUG=1 .venv/bin/python bench/assessment.py [--n 1000] [--database sqlite|postgres]

On a throwaway database (a SQLite file under /tmp, or with --database postgres the database
bench_assessment on postgres://postgres@127.0.0.1:5432, created and dropped), `--n` candidates are
brought to `trained` with passing scores (and the 3D model for pattern-making) through the
services, as seed_demo does. Then it times:

  (a) submitting everybody's results (certification.services.submit_results, one candidate a call, as
      the results page does: each starts an AssessmentFlow process);
  (b) bulk approval from the queue, 100 candidates a confirmation (workflows.assessment.services.approve_many),
      the two demo assessors taking turns;

and prints seconds per 100 candidates (target ≤ 5) and queries per candidate for each step, counted
with CaptureQueriesContext over chunks of 100 candidates of one track: the first and the last full
chunk of each track must be equal (no query grows with the number of candidates). It also renders
the assessor's queue page through the test client with 10 and with all N open tasks and prints its
query count for both (they must be equal).
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_NAME = "bench_assessment"
CHUNK = 100
FIRST_OPEN = 10  # open tasks when the queue is first rendered
MINIMUM_N = 400  # the smallest track (new-media marketing) gets 29 % of the candidates


def parse_arguments():
    parser = argparse.ArgumentParser(description="Benchmark of results submission and bulk approval.")
    parser.add_argument("--n", type=int, default=1000, help="candidates (default 1000)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    arguments = parser.parse_args()
    if arguments.n < MINIMUM_N:
        parser.error(f"--n must be at least {MINIMUM_N}: each track needs a full chunk of {CHUNK}")
    return arguments


def _postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def throwaway_database(kind: str, workdir: Path):
    """The database URL and how to get rid of the database afterwards."""
    if kind == "sqlite":
        path = Path(tempfile.gettempdir()) / f"bench_assessment_{os.getpid()}.sqlite3"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    _postgres_admin(f'DROP DATABASE IF EXISTS "{POSTGRES_NAME}" WITH (FORCE)')
    _postgres_admin(f'CREATE DATABASE "{POSTGRES_NAME}"')
    return f"{POSTGRES_SERVER}/{POSTGRES_NAME}", lambda: _postgres_admin(
        f'DROP DATABASE IF EXISTS "{POSTGRES_NAME}" WITH (FORCE)'
    )


def setup_django(database_url: str, workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DEBUG", "1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def trained_candidates(n: int):
    """N candidates trained with passing scores entered, through the services (as seed_demo does)."""
    from django.db import transaction

    from certification.models import Enrolment, EnrolmentStatus
    from demo import cohort as demo
    from demo import people as demo_people

    cast = demo_people.ensure_cast()
    ids, _counts = demo.register_cohort(n, cast, progress=lambda *args: None)
    demo.approve_eligibility(ids, cast)
    demo.bring_to(EnrolmentStatus.TRAINED, ids, cast)
    enrolments = list(Enrolment.objects.select_related("batch", "track", "trainee").filter(pk__in=ids).order_by("pk"))
    for enrolment in enrolments:
        with transaction.atomic():
            demo.enter_results(enrolment, cast)
    return cast, enrolments


class Step:
    """Times a step chunk by chunk and counts each chunk's queries per candidate, by track."""

    def __init__(self, name: str):
        self.name, self.seconds, self.cpu_seconds, self.candidates = name, 0.0, 0.0, 0
        self.chunk_seconds = []
        self.queries = {}  # track code -> queries per candidate of each chunk, in order

    def time(self, track: str, candidates: int, action) -> None:
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        reset_queries()  # the query log keeps 9,000 queries: a full log would count nothing new
        with CaptureQueriesContext(connection) as queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            action()
            seconds = time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started
        self.seconds += seconds
        self.candidates += candidates
        if candidates == CHUNK:  # a shorter last chunk shares the per-confirmation queries among fewer
            self.queries.setdefault(track, []).append(len(queries) / candidates)
            self.chunk_seconds.append(seconds)

    def report(self) -> str:
        per_100 = self.seconds / self.candidates * 100
        verdict = "ok" if per_100 <= 5 else "SLOWER THAN THE TARGET"
        steady = all(counts[0] == counts[-1] for counts in self.queries.values())
        return (
            f"{self.name}: {self.candidates} candidates in {self.seconds:.1f} s = {per_100:.2f} s per 100 "
            f"(target ≤ 5: {verdict}); this process's CPU {self.cpu_seconds / self.candidates * 100:.2f} s per 100; "
            f"first / last full chunk {self.chunk_seconds[0]:.2f} / {self.chunk_seconds[-1]:.2f} s"
            f"\n    queries per candidate, first / last full chunk of 100 of each track: "
            + ", ".join(f"{track} {counts[0]:g} / {counts[-1]:g}" for track, counts in self.queries.items())
            + (" (the same)" if steady else " (NOT THE SAME)")
        )


def chunked(items: list):
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def queue_page_queries(assessor) -> tuple[int, int, int]:
    """(queries, rows shown, status) of the assessor's queue page, rendered through the test client."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(assessor)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/assessment/queue/")
    return len(queries), response.content.decode().count('name="task"'), response.status_code


def main() -> None:
    arguments = parse_arguments()
    workdir = Path(tempfile.mkdtemp(prefix="bench-assessment-"))
    database_url, drop = throwaway_database(arguments.database, workdir)
    try:
        setup_django(database_url, workdir)
        from django.db import connection
        from viewflow.workflow.status import STATUS

        from certification import services as lifecycle
        from certification.models import Enrolment, EnrolmentStatus
        from workflows.assessment import services
        from workflows.models import AssessmentProcess

        print(f"Database: {connection.vendor} ({database_url}); DEBUG={os.environ['DEBUG']}")
        started = time.perf_counter()
        cast, enrolments = trained_candidates(arguments.n)
        print(
            f"Set-up: {len(enrolments)} candidates trained with passing scores, through the services, "
            f"in {time.perf_counter() - started:.0f} s"
        )
        assessor = cast.assessors[0]

        def submit_all(chunk):
            for enrolment in chunk:
                lifecycle.submit_results(staff=cast.staff_of(enrolment), enrolment_id=enrolment.pk)

        # Chunks hold one track each, as an assessor filters the queue by track: pattern-making
        # results carry a 3D model and so cost a query or two more than the others.
        by_track = {}
        for enrolment in enrolments:
            by_track.setdefault(enrolment.track.code, []).append(enrolment)

        # (a) Ten first, the queue page with 10 open tasks, then everybody else 100 at a time.
        submitting = Step("(a) submit results")
        first_track = next(iter(by_track))
        first_ten = by_track[first_track][:FIRST_OPEN]
        submitting.time("first ten", len(first_ten), partial(submit_all, first_ten))
        queue_at_10 = queue_page_queries(assessor)
        by_track[first_track] = by_track[first_track][FIRST_OPEN:]
        for track, members in by_track.items():
            for chunk in chunked(members):
                submitting.time(track, len(chunk), partial(submit_all, chunk))
        queue_at_n = queue_page_queries(assessor)

        # (b) From the queue, track by track, 100 a confirmation, the assessors taking turns.
        approving = Step("(b) bulk approve")
        turn = 0
        for track in by_track:
            open_tasks = services.open_review_tasks().filter(process__assessmentprocess__enrolment__track__code=track)
            for chunk in chunked(list(open_tasks.order_by("pk").values_list("pk", flat=True))):
                reviewer, turn = cast.assessors[turn % len(cast.assessors)], turn + 1
                approving.time(track, len(chunk), partial(services.approve_many, assessor=reviewer, task_ids=chunk))

        print(submitting.report())
        print(approving.report())
        same = "equal" if queue_at_10[0] == queue_at_n[0] else "NOT EQUAL"
        print(
            f"Queue page as {assessor.username}: {queue_at_10[0]} queries with {FIRST_OPEN} open tasks "
            f"({queue_at_10[1]} rows, HTTP {queue_at_10[2]}), {queue_at_n[0]} with {len(enrolments)} open tasks "
            f"({queue_at_n[1]} rows, the first page, HTTP {queue_at_n[2]}): {same}"
        )

        passed = Enrolment.objects.filter(pk__in=[e.pk for e in enrolments], status=EnrolmentStatus.PASSED).count()
        done = AssessmentProcess.objects.filter(status=STATUS.DONE).count()
        print(f"Check: {passed} of {len(enrolments)} passed, {done} assessment processes done")
    finally:
        from django.db import connections

        connections.close_all()
        drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
