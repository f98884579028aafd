"""Benchmark of the Excel import (issue 6): a 10,000-row enrolment file, parsed raw and imported.

    .venv/bin/python bench/import_xlsx.py [--rows 10000] [--database-url sqlite:///... | postgres://...]
                                          [--tracemalloc]

In one run, on a fresh database (a temporary SQLite file unless --database-url is given):
  1. a raw openpyxl read-only parse of the file (every cell's value, nothing else),
  2. the full validated import as a dry run (every row through the registration services, rolled back),
  3. the real import (the same, committed),
and prints each time, its ratio to the raw parse (target: ≤ 1.5) and the process's peak memory
(ru_maxrss) after each step. The raw parse and the dry run are timed three times and their medians
used (the dry run leaves nothing behind, so it can be repeated); the CPU time of each step is
printed too, a steadier figure when other work shares the machine. With --tracemalloc, steps 1–2 are run again under tracemalloc to print
the Python heap's peak (slower; those times are not comparable).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_arguments():
    parser = argparse.ArgumentParser(description="Benchmark of the Excel import.")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap's peak")
    return parser.parse_args()


def setup_django(database_url: str | None, workdir: Path) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def born_on(n: int) -> date:
    return date(1960, 1, 1) + timedelta(days=n // 500)


def resident_id(n: int) -> str:
    from certification.identity import resident_id_check_character

    first17 = f"330106{born_on(n):%Y%m%d}{n % 500:03d}"
    return first17 + resident_id_check_character(first17)


def make_world(rows: int):
    from django.utils import timezone

    from certification.models import Institution, InstitutionStatus, Role, Track, TrackQuota, TrainingBatch, User

    institution = Institution.objects.create(
        name="基准测试培训学校", org_code="91330100MA00000001", status=InstitutionStatus.APPROVED
    )
    track = Track.objects.get(code="PM")
    TrackQuota.objects.create(institution=institution, track=track, year=timezone.localdate().year, quota=rows)
    staff = User(username="bench", role=Role.INSTITUTION, institution=institution)
    staff.set_unusable_password()
    staff.save()
    batch = TrainingBatch.objects.create(
        institution=institution,
        track=track,
        level=4,
        name="基准测试班",
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
        capacity=rows,
    )
    return staff, batch


def make_file(path: Path, rows: int, batch_name: str) -> None:
    from openpyxl import Workbook

    from exchange.columns import ENROLMENTS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ENROLMENTS.sheet)
    sheet.append([c.template_header for c in ENROLMENTS.columns])
    sheet.append([c.key for c in ENROLMENTS.columns])
    for n in range(rows):
        sheet.append(
            [
                f"学员{n}",
                "居民身份证",
                resident_id(n),
                "男" if n % 2 else "女",
                born_on(n),  # the date in the ID number, as registration checks
                "汉族",
                "高中/中专",
                f"138{n:08d}",
                "杭州某服饰有限公司",
                n % 30,
                "杭州市西湖区文三路100号",
                batch_name,
                "服装制版",
            ]
        )
    workbook.save(path)


def raw_parse(path: Path) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    cells = 0
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        cells += len(row)
    workbook.close()
    return cells


def timed(step):
    """(wall seconds, CPU seconds, result) of one run of step."""
    started, cpu = time.perf_counter(), time.process_time()
    result = step()
    return time.perf_counter() - started, time.process_time() - cpu, result


def median_of_three(step):
    runs = sorted((timed(step) for _ in range(3)), key=lambda run: run[0])
    cpu = sorted(run[1] for run in runs)[1]
    return runs[1][0], cpu, runs[1][2]


def traced_peak_mb(step) -> float:
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def main() -> None:
    arguments = parse_arguments()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as workdir:
        workdir = Path(workdir)
        setup_django(arguments.database_url, workdir)
        from exchange import services

        staff, batch = make_world(arguments.rows)
        path = workdir / "enrolments.xlsx"
        make_file(path, arguments.rows, batch.name)
        print(
            f"{arguments.rows:,} rows, {path.stat().st_size / 1024:,.0f} KiB; database {os.environ['DATABASE_URL'].split(':')[0]}"
        )
        print(f"peak memory before: {peak_rss_mb():,.0f} MB")

        def import_file(step):
            with path.open("rb") as fileobj:
                return step(staff=staff, kind="enrolments", fileobj=fileobj)

        raw, raw_cpu, cells = median_of_three(lambda: raw_parse(path))
        print(
            f"raw openpyxl read-only parse: {raw:7.2f} s  (CPU {raw_cpu:.2f} s; {cells:,} cells)   "
            f"peak {peak_rss_mb():,.0f} MB"
        )
        if arguments.tracemalloc:
            print(f"  python heap peak (tracemalloc): {traced_peak_mb(lambda: raw_parse(path)):,.1f} MB")

        def report(label, wall, cpu):
            print(
                f"{label:<30}{wall:7.2f} s  ratio {wall / raw:4.2f} × raw   (CPU {cpu:.2f} s, ratio {cpu / raw_cpu:4.2f})"
                f"   peak {peak_rss_mb():,.0f} MB"
            )

        dry, dry_cpu, summary = median_of_three(lambda: import_file(services.preview))
        assert summary.counts["create"] == arguments.rows, summary.counts
        report("validated import, dry run:", dry, dry_cpu)
        if arguments.tracemalloc:
            print(f"  python heap peak (tracemalloc): {traced_peak_mb(lambda: import_file(services.preview)):,.1f} MB")
        real, real_cpu, summary = timed(lambda: import_file(services.import_rows))
        assert summary.written and summary.counts["create"] == arguments.rows, summary.counts
        report("validated import, real:", real, real_cpu)
        again, again_cpu, summary = timed(lambda: import_file(services.preview))
        assert summary.counts["unchanged"] == arguments.rows, summary.counts
        report("re-upload (all unchanged):", again, again_cpu)
        print(
            f"target ≤ 1.5 × raw: dry run {'met' if dry <= 1.5 * raw else 'NOT met'}, "
            f"real {'met' if real <= 1.5 * raw else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
