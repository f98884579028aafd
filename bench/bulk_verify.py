"""Benchmark of employer bulk verification (issue 12): 1,000 certificate numbers at once.

    .venv/bin/python bench/bulk_verify.py --database-url postgres://postgres@127.0.0.1:5432/COPY_OF_LOAD100K
                                         [--numbers 1000] [--repeat 15]

Run it on a *copy* of the seed_load database (it writes an employer, a key and the verification
log), migrated: `createdb -T seedload100k NAME && DATABASE_URL=... manage.py migrate`.

In one run, with the same 1,000 numbers (90 % issued certificates picked at random, 5 % unknown,
5 % with a name, half of them wrong):
  0. baseline: the bare indexed query for the 1,000 numbers (`number = ANY(...)`, raw SQL), and the
     same numbers looked up one by one as /verify/<number>.json does (public_certificate + log);
  1. integrations.bulk.verify (lookup, masking, log) called directly;
  2. POST /api/v1/verify/bulk/ with an employer API key, JSON in and out;
  3. the same with an xlsx file in, and an xlsx asked for (`?output=xlsx`);
  4. the page with a CSV (UTF-8 with BOM) upload, an xlsx back.
Each is timed `--repeat` times; p50/p95 in ms, queries per call, and the ratio of p50 to the bare
query are printed, with this process's CPU time (steadier when others share the machine). Target: ≤ 1 s for 1,000 numbers, with a query count that does not grow with them.
"""

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_arguments():
    parser = argparse.ArgumentParser(description="Benchmark of employer bulk verification.")
    parser.add_argument("--database-url", required=True, help="a migrated copy of the seed_load database")
    parser.add_argument("--numbers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    return parser.parse_args()


def setup_django(database_url: str) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ["DATABASE_URL"] = database_url
    os.environ["BULK_VERIFY_RATE_LIMIT"] = "1000000"  # the limit is not what is measured
    os.environ["CERT_VERIFY_RATE_LIMIT"] = "1000000"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    import django

    django.setup()


def pick_entries(count: int):
    from certificates.models import Certificate
    from integrations.bulk import Entry

    rng = random.Random(12)
    issued = list(
        Certificate.objects.exclude(status="pending").exclude(sha256="").values_list("number", "holder_name")[:50_000]
    )
    chosen = rng.sample(issued, int(count * 0.95))
    entries = []
    for i, (number, name) in enumerate(chosen):
        if i % 19 == 0:  # about 5 % with a name, every other one wrong
            entries.append(Entry(row=i + 1, number=number, name=name if i % 38 == 0 else "错误姓名"))
        else:
            entries.append(Entry(row=i + 1, number=number))
    for j in range(count - len(entries)):
        entries.append(Entry(row=len(entries) + 1, number=f"Y000133000101269{j:06d}"))
    rng.shuffle(entries)
    return entries


def timed(function, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()  # warm: statements compiled, caches filled
    times, cpu, queries = [], [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            result = function()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries.append(len(captured))
    return times, cpu, queries, result


def median(values):
    # (not the statistics module: bench/statistics.py shadows it when this script runs from bench/)
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    args = parse_arguments()
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client

    from certificates import selectors, verification
    from certificates.models import VerificationLog
    from certification.models import Role, User
    from integrations import bulk, services
    from integrations.models import EmployerAPIKey

    employer, _ = User.objects.get_or_create(username="bench-employer", defaults={"role": Role.EMPLOYER})
    EmployerAPIKey.objects.filter(user=employer).update(revoked=True)
    _key, secret = services.create_employer_key(employer=employer, name="bench")
    entries = pick_entries(args.numbers)
    numbers = [e.number for e in entries]
    log_before = VerificationLog.objects.count()

    def bare():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, number, status FROM certificates_certificate WHERE number = ANY(%s)", [numbers])
            return cursor.fetchall()

    def one_by_one():
        for number in numbers:
            certificate = selectors.public_certificate(number)
            verification.log(channel="json", query=number, certificate=certificate, found=certificate is not None)

    def service():
        return bulk.verify(user=employer, entries=entries)

    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Api-Key {secret}")
    body = {"certificates": [{"number": e.number, "name": e.name} if e.name else {"number": e.number} for e in entries]}

    def api_json():
        response = api.post("/api/v1/verify/bulk/", body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]
        return response

    book = io.BytesIO()
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["证书编号", "姓名"])
    for e in entries:
        sheet.append([e.number, e.name or None])
    workbook.save(book)
    xlsx_bytes = book.getvalue()
    csv_bytes = ("证书编号,姓名\r\n" + "".join(f"{e.number},{e.name}\r\n" for e in entries)).encode("utf-8-sig")

    def api_xlsx():
        upload = io.BytesIO(xlsx_bytes)
        upload.name = "numbers.xlsx"
        response = api.post("/api/v1/verify/bulk/?output=xlsx", {"file": upload})
        assert response.status_code == 200, response.content[:300]
        return response

    page = Client(HTTP_HOST="localhost")
    page.force_login(employer)

    def page_csv():
        upload = io.BytesIO(csv_bytes)
        upload.name = "numbers.csv"
        response = page.post("/integrations/verify/", {"file": upload})
        assert response.status_code == 200, response.content[:300]
        return response

    rows = []
    for label, function, repeat in [
        ("bare query, 1,000 numbers (baseline)", bare, args.repeat),
        ("one by one, as /verify/<n>.json", one_by_one, max(3, args.repeat // 5)),
        ("bulk.verify (service)", service, args.repeat),
        ("API, JSON in and out, API key", api_json, args.repeat),
        ("API, xlsx in and out, API key", api_xlsx, args.repeat),
        ("page, CSV (BOM) in, xlsx out", page_csv, args.repeat),
    ]:
        times, cpu, queries, result = timed(function, repeat)
        rows.append((label, median(times), p95(times), median(cpu), sorted(set(queries))))
        if function is service:
            counts = {}
            for r in result:
                counts[r["status"]] = counts.get(r["status"], 0) + 1
            status_counts = counts

    baseline = rows[0][1]
    load = os.getloadavg()
    print(f"Bulk verification of {len(entries):,} numbers on {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"statuses: {status_counts}")
    print(f"load average during the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared with other work)")
    print(f"{'what':<40} {'p50 ms':>9} {'p95 ms':>9} {'× bare':>8} {'CPU p50':>9}  queries/call")
    for label, p50, p95_, cpu50, queries in rows:
        print(f"{label:<40} {p50:>9.1f} {p95_:>9.1f} {p50 / baseline:>8.1f} {cpu50:>9.1f}  {queries}")
    worst = max(p95_ for label, _p50, p95_, _cpu, _q in rows[2:])
    print(
        f"target ≤ 1000 ms for {len(entries):,} numbers: worst p95 {worst:.0f} ms → {'met' if worst <= 1000 else 'NOT met'}"
    )
    print(f"verification log rows written: {VerificationLog.objects.count() - log_before:,}")


if __name__ == "__main__":
    main()
