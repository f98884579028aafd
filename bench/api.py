"""Benchmark of the API's enrolment list (issue 12): a page of 100, p50/p95 and queries.

    DEBUG=1 .venv/bin/python bench/api.py --database-url postgres://postgres@127.0.0.1:5432/api_100k [--repeat 30]

On a migrated copy of a `seed_load --enrolments 100000` database (it writes: an API key and its
account, the key's last use, rate-limit counters). Through the test client, in this process:
GET /api/v1/enrolments/?page_size=100 as the biggest institution's read-only API key and as the
office (session), on the first page, on a deep page (the cursor after 30 pages), and with each
filter (status, track, batch, updated_since). The baseline, measured in the same run, is the bare
ORM read of the same 100 rows (the selector's queryset sliced, no HTTP, no serialising): the
ratio says what the API adds. Target: p95 ≤ 150 ms, and the same number of queries on every page.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

TARGET_MS = 150


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark of the API's enrolment list.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=30, help="requests per case (default 30)")
    arguments = parser.parse_args()
    if not arguments.database_url:
        parser.error("--database-url (or DATABASE_URL): a migrated copy of a seed_load database")
    os.environ["DATABASE_URL"] = arguments.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["API_RATE_LIMIT"] = "1000000/min"  # the bench is one client asking fast
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from api import keys
    from certification import selectors
    from certification.models import Enrolment, Role, TrainingBatch, User

    institution_id = (Enrolment.objects.values("batch__institution_id").annotate(n=Count("pk")).order_by("-n").first())[
        "batch__institution_id"
    ]
    staff = User.objects.filter(role=Role.INSTITUTION, institution_id=institution_id, is_active=True).first()
    officer = User.objects.filter(role=Role.OFFICER, is_active=True).first()
    _key, secret = keys.create_api_key(actor=staff, institution_id=institution_id, name="bench", access="read_only")
    key_client = Client(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    office_client = Client()
    office_client.force_login(officer)
    batch = (
        TrainingBatch.objects.filter(institution_id=institution_id)
        .annotate(n=Count("enrolments"))
        .order_by("-n")
        .first()
    )
    since = (timezone.now() - timedelta(days=90)).isoformat()

    def timed(client, url):
        times, queries, response = [], None, None
        for _ in range(arguments.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            queries = len(captured)
        return times, queries, response.json()

    def deep(client, base, pages=30):
        url = base
        for _ in range(pages):
            following = client.get(url).json()["next"]
            if not following:
                break
            url = following
        return url

    def baseline(user, **filters):
        times = []
        for _ in range(arguments.repeat):
            started = time.perf_counter()
            # As the pages read them (the selector, every column).
            list(selectors.enrolments_visible_to(user).filter(**filters).order_by("-pk")[:101])
            times.append((time.perf_counter() - started) * 1000)
        return times

    base = "/api/v1/enrolments/?page_size=100"
    cases = [
        ("key: first page", key_client, base, staff, {}),
        ("key: deep page (after 30)", key_client, deep(key_client, base), staff, {}),
        ("key: status=certified", key_client, f"{base}&status=certified", staff, {"status": "certified"}),
        ("key: track=PM", key_client, f"{base}&track=PM", staff, {"track__code": "PM"}),
        ("key: batch", key_client, f"{base}&batch={batch.pk}", staff, {"batch_id": batch.pk}),
        (
            "key: updated_since 90 days",
            key_client,
            f"{base}&updated_since={since.replace('+', '%2B')}",
            staff,
            {"updated_at__gte": since},
        ),
        ("office: first page", office_client, base, officer, {}),
        ("office: deep page (after 30)", office_client, deep(office_client, base), officer, {}),
        ("office: status=certified", office_client, f"{base}&status=certified", officer, {"status": "certified"}),
        (
            "office: updated_since 90 days",
            office_client,
            f"{base}&updated_since={since.replace('+', '%2B')}",
            officer,
            {"updated_at__gte": since},
        ),
    ]
    print(
        f"enrolments: {Enrolment.objects.count()}, institution {institution_id}: "
        f"{Enrolment.objects.filter(batch__institution_id=institution_id).count()}; {arguments.repeat} requests a case"
    )
    print("(the machine is shared with other jobs: figures vary from run to run)")
    print(f"{'case':34} {'rows':>4} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} {'ORM p50':>8} {'ratio':>6}")
    worst = 0.0
    for label, client, url, user, filters in cases:
        times, queries, body = timed(client, url)
        bare = baseline(user, **filters)
        p50, p95, bare50 = percentile(times, 0.5), percentile(times, 0.95), percentile(bare, 0.5)
        worst = max(worst, p95)
        print(
            f"{label:34} {len(body['results']):>4} {p50:8.1f} {p95:8.1f} {queries:>7} {bare50:8.1f} {p50 / bare50:6.1f}"
        )
    print(f"worst p95 {worst:.1f} ms: {'within' if worst <= TARGET_MS else 'OVER'} the target of {TARGET_MS} ms")


if __name__ == "__main__":
    main()
