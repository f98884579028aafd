"""Benchmark of the office's exports and the audit view at size (issue 11): time and peak Python
memory of the provincial register (xlsx, CSV) and the audit export, and the audit view's first and a
deep page, on a `seed_load` database.

    DEBUG=1 .venv/bin/python bench/exports.py --database-url postgres://postgres@127.0.0.1:5432/load100k

Times are measured plainly; peak memory (what tracemalloc sees Python allocate while the file is
written, which slows Python several times) in a second run of the smaller exports, against the whole
register's CSV: the rows are read in chunks and written one by one, so it should not grow with them.
"""

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    arguments = parser.parse_args()
    os.environ["DATABASE_URL"] = arguments.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from certificates.models import Certificate
    from certification.models import Institution, StateLog
    from reports import audit, register

    institution = Institution.objects.order_by("pk").first()
    print(
        f"{connection.vendor}: {Certificate.objects.count():,} certificates, {StateLog.objects.count():,} moves; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )

    def measure(label: str, work, memory: bool = False) -> None:
        if memory:
            tracemalloc.start()
        started = time.perf_counter()
        size = work()
        elapsed = time.perf_counter() - started
        if memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{label:<48} peak {peak / 2**20:>6.1f} MiB (traced)  {size}")
        else:
            print(f"{label:<48} {elapsed:>7.1f} s  {size}")

    everything = register.Selection()
    measure("register xlsx, every certificate", lambda: f"{register.xlsx_file(everything).seek(0, 2):,} bytes")
    measure(
        "register CSV, every certificate", lambda: f"{sum(len(c) for c in register.csv_chunks(everything)):,} bytes"
    )
    measure(
        "register xlsx, one institution",
        lambda: f"{register.xlsx_file(register.Selection(institution_id=institution.pk)).seek(0, 2):,} bytes",
    )
    one = audit.Filters(institution_id=institution.pk)
    measure(
        "audit entries, one institution (all, streamed)", lambda: f"{sum(1 for _ in audit.every_entry(one)):,} rows"
    )
    mine = register.Selection(institution_id=institution.pk)
    measure(
        "memory: register CSV, every certificate",
        lambda: f"{sum(len(c) for c in register.csv_chunks(everything)):,} bytes",
        True,
    )
    measure("memory: register xlsx, one institution", lambda: f"{register.xlsx_file(mine).seek(0, 2):,} bytes", True)
    measure("memory: audit entries, one institution", lambda: f"{sum(1 for _ in audit.every_entry(one)):,} rows", True)
    for label, filters in (
        ("no filter", audit.Filters()),
        ("one institution", one),
        ("kind: score", audit.Filters(kind="score")),
    ):
        after, pages, times, queries = None, 0, [], 0
        while pages < 50:
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                _entries, after = audit.page(filters, after)
                times.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
            pages += 1
            if after is None:
                break
        print(
            f"audit page, {label:<32} first {times[0]:>6.0f} ms  page {pages} {times[-1]:>6.0f} ms  {queries} queries"
        )


if __name__ == "__main__":
    main()
