"""Benchmark of every list and queue at load size (issue 17 item 1): p50, p95 and queries per page.

    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/lists_100k
    .venv/bin/python bench/pages.py --database-url sqlite:////tmp/load100k.sqlite3 [--repeat 15] [--only enrol]

On a `seed_load --enrolments 100000` database (migrated and ANALYZEd; it only reads), it renders each
list through Django's test client in this process, with DEBUG off (production settings, a throwaway
SECRET_KEY, the in-memory cache, static files without the manifest), as the role that uses it:
the first page and a deep page (the last one), with no filter and with each filter alone, and a
sort by another column. For each it prints p50 and p95 in milliseconds and the queries of one
request; the target is p95 ≤ 150 ms and a number of queries that does not grow with the data.
The machine is shared: the load average is printed at the end.
"""

import argparse
import os
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

TARGET_MS = 150
DEEP = "page=999999"  # past the end: the paginator answers with the last page


def parse_arguments():
    parser = argparse.ArgumentParser(description="Benchmark of the list pages.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=12, help="requests per URL (default 12)")
    parser.add_argument("--only", default="", help="only the lists whose name contains this")
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


def setup(database_url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-pages-only-never-deployed")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_FORMAT", "text")
    import django
    from django.conf import settings

    django.setup()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"}}
    # No collectstatic here: the plain storage names the files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def selections():
    """(list, role, path, [(label, query)]) for every list and queue."""
    from django.db.models import Count
    from django.utils import timezone

    from certification.models import Institution, Role, Trainee, TrainingBatch, User
    from workflows.models import PublicityNotice

    institution = Institution.objects.filter(staff__role=Role.INSTITUTION).order_by("pk").first()
    batch = (
        TrainingBatch.objects.filter(institution=institution)
        .annotate(n=Count("enrolments"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    last_four = Trainee.objects.filter(institution=institution).values_list("id_last_four", flat=True).first()
    name = Trainee.objects.filter(institution=institution).values_list("name", flat=True).first()
    today = timezone.localdate()
    month = f"date_from={today - timedelta(days=30)}&date_to={today}"
    notice = PublicityNotice.objects.order_by("-pk").values_list("pk", flat=True).first()
    users = {
        "officer": User.objects.filter(role=Role.OFFICER, is_active=True).order_by("pk").first(),
        "staff": User.objects.filter(role=Role.INSTITUTION, institution=institution, is_active=True)
        .order_by("pk")
        .first(),
        "assessor": User.objects.filter(role=Role.ASSESSOR, is_active=True, institution__isnull=True)
        .order_by("pk")
        .first()
        or User.objects.filter(role=Role.ASSESSOR, is_active=True).order_by("pk").first(),
        "public": None,
    }
    common = [("no filter", ""), ("last 4", f"last_four={last_four}"), ("name", f"q={name[:1]}")]
    enrolment_filters = [
        *common,
        ("institution", f"institution={institution.pk}"),
        ("batch", f"batch={batch}"),
        ("track", "track=PM"),
        ("level", "level=4"),
        ("status", "status=certified"),
        ("last 30 days", month),
        ("sort by name", "sort=name"),
        ("100 a page", "per_page=100"),
    ]
    lists = [
        ("enrolments (office)", "officer", "/enrolments/", enrolment_filters),
        ("enrolments (institution)", "staff", "/enrolments/", [f for f in enrolment_filters if f[0] != "institution"]),
        (
            "trainees (office)",
            "officer",
            "/institution/trainees/",
            [*common, ("institution", f"institution={institution.pk}"), ("sort by registered", "sort=-registered")],
        ),
        (
            "trainees (institution)",
            "staff",
            "/institution/trainees/",
            [*common, ("sort by registered", "sort=-registered")],
        ),
        (
            "approvals",
            "officer",
            "/officer/approvals/",
            [
                *common,
                ("institution", f"institution={institution.pk}"),
                ("track", "track=PM"),
                ("sort by name", "sort=name"),
            ],
        ),
        (
            "review queue (office)",
            "officer",
            "/assessment/queue/",
            [
                *common,
                ("institution", f"institution={institution.pk}"),
                ("track", "track=PM"),
                ("level", "level=4"),
                ("sort by candidate", "sort=candidate"),
            ],
        ),
        ("review queue (assessor)", "assessor", "/assessment/queue/", [*common, ("track", "track=PM")]),
        ("inbox (assessor)", "assessor", "/assessment/inbox/", [("no filter", "")]),
        ("公示 notices (public)", "public", "/publicity/", [("no filter", "")]),
        ("公示 one notice (public)", "public", f"/publicity/{notice}/", [("no filter", "")]),
        ("公示 notices (office)", "officer", "/officer/publicity/notices/", [("no filter", "")]),
        ("公示 one notice (office)", "officer", f"/officer/publicity/notices/{notice}/", [("no filter", "")]),
        ("objections (office)", "officer", "/officer/publicity/objections/", [("no filter", "")]),
        (
            "certificates (office)",
            "officer",
            "/certificates/",
            [
                *common,
                ("institution", f"institution={institution.pk}"),
                ("batch", f"batch={batch}"),
                ("track", "track=PM"),
                ("level", "level=4"),
                ("status", "status=revoked"),
                ("last 30 days", month),
                ("sort by holder", "sort=holder"),
            ],
        ),
        (
            "certificates (institution)",
            "staff",
            "/certificates/",
            [*common, ("batch", f"batch={batch}"), ("sort by holder", "sort=holder")],
        ),
        (
            "activation slips",
            "staff",
            "/institution/slips/",
            [*common, ("batch", f"batch={batch}"), ("sort by registered", "sort=-registered")],
        ),
        ("import history", "staff", "/exchange/imports/", [("no filter", "")]),
        ("verification log", "officer", "/certificates/verifications/", [("no filter", ""), ("last 30 days", month)]),
    ]
    return users, lists


def main() -> None:
    arguments = parse_arguments()
    setup(arguments.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from certification.models import Enrolment

    users, lists = selections()
    print(
        f"{connection.vendor}: {Enrolment.objects.count():,} enrolments; users: "
        + ", ".join(f"{role} {user.username}" for role, user in users.items() if user)
    )
    clients = {}
    for role, user in users.items():
        clients[role] = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            clients[role].force_login(user)

    def measure(client, url: str) -> tuple[float, int]:
        # The log keeps 9,000 queries; past that CaptureQueriesContext would count nothing.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            if response.streaming:
                b"".join(response.streaming_content)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(captured)

    # The baseline, measured in the same run: the login page (the layout, a form, two queries at most).
    measure(clients["public"], "/accounts/login/")
    baseline = [measure(clients["public"], "/accounts/login/")[0] for _ in range(arguments.repeat * 2)]
    base_p50, base_p95 = percentile(baseline, 0.5), percentile(baseline, 0.95)
    print(f"baseline (login page, anonymous): p50 {base_p50:.0f} ms, p95 {base_p95:.0f} ms")
    print(
        f"\n{'list':<28} {'selection':<20} {'first p50':>9} {'p95':>6} {'q':>3}   {'deep p50':>9} {'p95':>6} {'q':>3}"
    )
    worst, misses, query_counts = 0.0, [], {}
    for name, role, path, filters in lists:
        if arguments.only and arguments.only not in name:
            continue
        for label, query in filters:
            cells = []
            for page in ("", DEEP):
                url = path + "?" + "&".join(part for part in (query, page) if part)
                measure(clients[role], url)  # warm: templates compiled, plans cached
                times, queries = [], set()
                for _ in range(arguments.repeat):
                    elapsed, count = measure(clients[role], url)
                    times.append(elapsed)
                    queries.add(count)
                p95 = percentile(times, 0.95)
                worst = max(worst, p95)
                if p95 > TARGET_MS:
                    misses.append(f"{name} · {label} · {'deep' if page else 'first'}: {p95:.0f} ms")
                query_counts.setdefault(name, set()).update(queries)
                cells.append(f"{percentile(times, 0.5):>9.0f} {p95:>6.0f} {'/'.join(map(str, sorted(queries))):>3}")
            print(f"{name:<28} {label:<20} {cells[0]}   {cells[1]}")
    baseline = [measure(clients["public"], "/accounts/login/")[0] for _ in range(arguments.repeat * 2)]
    print(
        f"\nbaseline again at the end: p50 {percentile(baseline, 0.5):.0f} ms, p95 {percentile(baseline, 0.95):.0f} ms"
    )
    print(
        f"worst p95 {worst:.0f} ms = {worst / base_p95:.1f} × the baseline's p95; target ≤ {TARGET_MS} ms: {'met' if not misses else 'NOT met'}"
    )
    for miss in misses:
        print(f"  over: {miss}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
