"""Benchmark of the statistics page (issue 11): response time and queries, with no filter and with each.

    DEBUG=1 .venv/bin/python bench/statistics.py --database-url postgres://postgres@127.0.0.1:5432/load100k
    DEBUG=1 .venv/bin/python bench/statistics.py --database-url sqlite:////tmp/load100k.sqlite3 [--cold 5] [--warm 20] [--freeze]

On a `seed_load --enrolments 100000` database (migrated, and analysed: `ANALYZE`, which autovacuum
does on its own unless it is switched off), it renders /officer/statistics/ through the test client
as the office's officer, with no filter and with each filter alone (period: the last twelve months;
the first track; level 4; the first institution; that institution's biggest batch), and
/institution/statistics/ as a member of that institution's staff; then the xlsx of every figure.

Each is measured twice: "cold", the figures counted afresh (the cache emptied before every
request), and "warm", a second look at the same selection with nothing moved since (served from
the cache, workflows/figures.py). It prints p50 and p95 in milliseconds and the queries of one
request, against the issue's target (p95 ≤ 300 ms). It reads only: the cache is this process's
memory (LocMemCache), not the database's cache table.
"""

import argparse
import gc
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This file is named like the standard library's statistics module: never import it by accident.
sys.path[0] = str(ROOT)

TARGET_MS = 300


def parse_arguments():
    parser = argparse.ArgumentParser(description="Benchmark of the statistics page.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""), required=False)
    parser.add_argument("--cold", type=int, default=5, help="requests per selection, counted afresh (default 5)")
    parser.add_argument("--warm", type=int, default=20, help="requests per selection, from the cache (default 20)")
    parser.add_argument(
        "--freeze",
        action="store_true",
        help="set the start-up objects aside from the garbage collector first, as a web worker does "
        "(config/gunicorn.py): no full collection walks them in the middle of a measured request",
    )
    arguments = parser.parse_args()
    if not arguments.database_url:
        parser.error("--database-url (or DATABASE_URL): a database made by seed_load")
    return arguments


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def main() -> None:
    arguments = parse_arguments()
    os.environ["DATABASE_URL"] = arguments.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django
    from django.conf import settings

    django.setup()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"}}
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from certification.models import Enrolment, Institution, Role, Track, TrainingBatch, User

    officer = User.objects.filter(role=Role.OFFICER, is_active=True).order_by("pk").first()
    institution = Institution.objects.order_by("pk").first()
    staff = User.objects.filter(role=Role.INSTITUTION, institution=institution, is_active=True).order_by("pk").first()
    batch = (
        TrainingBatch.objects.filter(institution=institution)
        .annotate(n=Count("enrolments"))
        .order_by("-n", "pk")
        .values_list("pk", "n")
        .first()
    )
    today = timezone.localdate()
    track = Track.objects.order_by("code").first()
    print(
        f"{connection.vendor}: {Enrolment.objects.count():,} enrolments; "
        f"institution {institution.pk} ({institution.name}), batch {batch[0]} ({batch[1]} enrolments)"
    )
    selections = [
        ("officer", "no filter", ""),
        ("officer", "period: last 12 months", f"date_from={today - timedelta(days=365)}&date_to={today}"),
        ("officer", f"track {track.code}", f"track={track.pk}"),
        ("officer", "level 4", "level=4"),
        ("officer", f"institution {institution.pk}", f"institution={institution.pk}"),
        ("officer", f"batch {batch[0]}", f"batch={batch[0]}"),
        ("institution", "institution staff, no filter", ""),
        ("officer", "xlsx, every figure", ""),
    ]
    clients = {}
    for who, user in (("officer", officer), ("institution", staff)):
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].force_login(user)

    def measure(client, url: str) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(captured)

    # The machine is shared: a cheap page measured in the same run says how loaded it is now.
    baseline = [measure(clients["officer"], "/accounts/password/")[0] for _ in range(10)]
    base_p50 = percentile(baseline, 0.5)
    if arguments.freeze:
        gc.collect()
        gc.freeze()
    print(f"baseline (password change page, 10×): p50 {base_p50:.0f} ms, p95 {percentile(baseline, 0.95):.0f} ms")
    print(
        f"\n{'page':<34} {'cold p50':>9} {'cold p95':>9} {'queries':>8}   {'warm p50':>9} {'warm p95':>9} {'queries':>8}"
        f" {'cold p50/baseline p50':>22}"
    )
    worst_warm = worst_cold = 0.0
    for who, label, query in selections:
        path = f"/{who}/statistics/" + ("all.xlsx" if label.startswith("xlsx") else "")
        url = f"{path}?{query}" if query else path
        cold, cold_queries = [], set()
        for _ in range(arguments.cold):
            cache.clear()
            elapsed, queries = measure(clients[who], url)
            cold.append(elapsed)
            cold_queries.add(queries)
        warm, warm_queries = [], set()
        for _ in range(arguments.warm):
            elapsed, queries = measure(clients[who], url)
            warm.append(elapsed)
            warm_queries.add(queries)
        worst_cold, worst_warm = max(worst_cold, percentile(cold, 0.95)), max(worst_warm, percentile(warm, 0.95))
        print(
            f"{label:<34} {percentile(cold, 0.5):>9.0f} {percentile(cold, 0.95):>9.0f} "
            f"{'/'.join(map(str, sorted(cold_queries))):>8}   {percentile(warm, 0.5):>9.0f} "
            f"{percentile(warm, 0.95):>9.0f} {'/'.join(map(str, sorted(warm_queries))):>8}"
            f" {percentile(cold, 0.5) / base_p50:>21.0f}×"
        )
    print(
        f"\nworst p95: cold {worst_cold:.0f} ms, warm {worst_warm:.0f} ms; target ≤ {TARGET_MS} ms: "
        f"cold {'met' if worst_cold <= TARGET_MS else 'NOT met'}, warm {'met' if worst_warm <= TARGET_MS else 'NOT met'}"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
