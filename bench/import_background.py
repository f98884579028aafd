"""Benchmark of a long import through the background path (issue 17 item 4): 50,000 rows by default.

    .venv/bin/python bench/import_background.py [--rows 50000] [--database-url sqlite:///... | postgres://...]

On a fresh database (a temporary SQLite file unless --database-url is given; a PostgreSQL database
is dropped and made again), with import_xlsx.py's world and file:
  1. the upload goes through exchange.background.start_background_import, and a real task worker
     (`manage.py db_worker --batch` through bench/probed_worker.py) checks it;
  2. the bench confirms it (confirm_in_background) and a second worker imports it.
Each second of both phases the bench reads the run's progress as the page does (exchange.progress:
the database row, or on SQLite the count beside the database while the import holds it) and the
worker's VmRSS from /proc, and prints the timeline. At the end: check and import times (from the
worker's start to the session's last write), each worker's peak RSS, queries and CPU, and its RSS
when the bar passed 10, 50 and 90 %. The baseline is the same file imported in this process
without a worker: `services.preview` and `services.import_rows`, timed in a second fresh database
(import_xlsx.py's steps 2 and 3), run by this script with --direct in a subprocess.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
# Not bench/ itself: bench/statistics.py would shadow the standard library's (Django's SQLite backend imports it).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from bench.import_xlsx import make_file, make_world  # noqa: E402

MARKS = (10, 50, 90)
TASKS = {"check": "check_upload", "import": "import_upload"}


def parse_arguments():
    parser = argparse.ArgumentParser(description="Benchmark of a background import.")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between two samples")
    parser.add_argument("--direct", action="store_true", help=argparse.SUPPRESS)  # the baseline's subprocess
    return parser.parse_args()


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def fresh_database(url: str | None, workdir: Path, name: str) -> str:
    if not url:
        return f"sqlite:///{workdir / (name + '.sqlite3')}"
    parts = urlsplit(url)
    database = parts.path.lstrip("/") + ("" if name == "bench" else "_" + name)
    server = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    subprocess.run(["dropdb", "--if-exists", *server, database], check=True)
    subprocess.run(["createdb", *server, database], check=True)
    return urlunsplit(parts._replace(path="/" + database))


def environment(database_url: str, workdir: Path) -> dict:
    """The bench's and its workers' settings: the production settings on this run's database and media."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DEBUG": "0",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(workdir / "media"),
        "EXCHANGE_PROGRESS_DIR": str(workdir / "import-progress"),
        "PYTHONPATH": str(ROOT),
    }


def setup_django(env: dict) -> None:
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def vm_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def follow(session_id: int, env: dict, workdir: Path, phase: str, interval: float) -> dict:
    """Start a worker, sample the run until it is over, and sum the phase up."""
    from django.db import close_old_connections

    from exchange import progress
    from exchange.models import ImportSession

    probe = workdir / f"worker-{phase}.json"
    started_wall = time.time()
    started = time.perf_counter()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-P",  # bench/ not on the path (bench/statistics.py), the project is, through PYTHONPATH
            str(ROOT / "bench" / "probed_worker.py"),
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0",
            "--verbosity",
            "0",
        ],
        cwd=ROOT,
        env={**env, "BENCH_PROBE_OUT": str(probe)},
    )
    at_mark: dict[int, float | None] = {}
    samples = []
    while True:
        time.sleep(interval)
        close_old_connections()
        session = ImportSession.objects.select_related("progress").get(pk=session_id)
        seen = progress.seen(session)
        rss = vm_rss_mb(worker.pid)
        elapsed = time.perf_counter() - started
        samples.append((elapsed, seen.percent, rss))
        print(
            f"  {phase:<6} {elapsed:6.1f} s  {session.status:<10} {seen.done:>7,} / {seen.total:>7,} steps"
            f" ({seen.percent:3d} %)  worker VmRSS {f'{rss:,.0f} MB' if rss else '—'}",
            flush=True,
        )
        for mark in MARKS:
            if mark not in at_mark and seen.percent >= mark and session.is_running:
                at_mark[mark] = rss
        if not session.is_running or worker.poll() is not None:
            break
    if worker.wait() != 0:
        raise SystemExit(f"the {phase} worker failed")
    session.refresh_from_db()
    report = json.loads(probe.read_text())
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.filter(task_path__endswith=TASKS[phase]).latest("enqueued_at")
    return {
        "status": session.status,
        "seconds": session.updated_at.timestamp() - started_wall,
        "task_seconds": (task.finished_at - task.started_at).total_seconds(),
        "peak_rss_mb": report["peak_rss_kb"] / 1024,
        "queries": report["queries"],
        "cpu_seconds": report["cpu_seconds"],
        "at_mark": at_mark,
        "moved": len({percent for _elapsed, percent, _rss in samples if 0 < percent < 100}),
        "samples": len(samples),
    }


def background(arguments, workdir: Path) -> None:
    env = environment(fresh_database(arguments.database_url, workdir, "bench"), workdir)
    setup_django(env)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from exchange import background as background_runs

    staff, batch = make_world(arguments.rows)
    path = workdir / "enrolments.xlsx"
    make_file(path, arguments.rows, batch.name)
    vendor = env["DATABASE_URL"].split(":")[0]
    print(f"{arguments.rows:,} rows, {path.stat().st_size / 1024:,.0f} KiB; database {vendor}; {load()}", flush=True)

    upload = SimpleUploadedFile("enrolments.xlsx", path.read_bytes())
    session = background_runs.start_background_import(staff=staff, kind="enrolments", upload=upload)
    print(f"check (worker 1), {load()}", flush=True)
    check = follow(session.pk, env, workdir, "check", arguments.interval)
    assert check["status"] == "previewed", check
    background_runs.confirm_in_background(staff=staff, session_id=session.pk)
    print(f"import (worker 2), {load()}", flush=True)
    imported = follow(session.pk, env, workdir, "import", arguments.interval)
    assert imported["status"] == "imported", imported
    from certification.models import Enrolment

    assert Enrolment.objects.filter(batch=batch).count() == arguments.rows
    print(f"after the workers, {load()}", flush=True)

    direct = direct_baseline(arguments, workdir)
    print()
    for phase, figures in (("check", check), ("import", imported)):
        baseline, baseline_cpu = direct[phase], direct[phase + "_cpu"]
        marks = ", ".join(
            f"{mark} %: {rss:,.0f} MB" if rss else f"{mark} %: —" for mark, rss in figures["at_mark"].items()
        )
        print(
            f"{phase:<7} task {figures['task_seconds']:6.1f} s vs direct in process {baseline:6.1f} s "
            f"(CPU {baseline_cpu:.1f} s) = {figures['task_seconds'] / baseline:.2f} × (from the worker's start {figures['seconds']:.1f} s; worker CPU "
            f"{figures['cpu_seconds']:.1f} s, {figures['queries']:,} queries); worker peak RSS "
            f"{figures['peak_rss_mb']:,.0f} MB; RSS at {marks}; the bar took {figures['moved']} distinct values "
            f"between 0 and 100 % in {figures['samples']} samples"
        )
    print(f"direct in process: peak RSS {direct['peak_rss_mb']:,.0f} MB; {load()}")


def direct_baseline(arguments, workdir: Path) -> dict:
    database = fresh_database(arguments.database_url, workdir, "direct")
    command = [sys.executable, "-P", __file__, "--direct", "--rows", str(arguments.rows), "--database-url", database]
    print(f"direct baseline in a fresh database, {load()}", flush=True)
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def direct(arguments, workdir: Path) -> None:
    """The same file imported in this process: the baseline (printed as one line of JSON)."""
    setup_django(environment(arguments.database_url, workdir))
    from exchange import services

    staff, batch = make_world(arguments.rows)
    path = workdir / "enrolments.xlsx"
    make_file(path, arguments.rows, batch.name)

    def timed(step):
        started, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as fileobj:
            summary = step(staff=staff, kind="enrolments", fileobj=fileobj)
        return time.perf_counter() - started, time.process_time() - cpu, summary

    check, check_cpu, summary = timed(services.preview)
    assert summary.counts["create"] == arguments.rows, summary.counts
    imported, import_cpu, summary = timed(services.import_rows)
    assert summary.written and summary.counts["create"] == arguments.rows, summary.counts
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"check": check, "check_cpu": check_cpu, "import": imported, "import_cpu": import_cpu}
    print(json.dumps({**figures, "peak_rss_mb": peak}))


def main() -> None:
    arguments = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="bench-bgimport-") as workdir:
        (direct if arguments.direct else background)(arguments, Path(workdir))


if __name__ == "__main__":
    main()
