"""Public verification under load (issue 16, docs/spec.md §6, §14), and the other pages under load.

    .venv/bin/python bench/verify_load.py [--database postgres|sqlite|both] [--duration 10]

For each database it makes (or reuses) a load data set (`seed_load --enrolments 20000`: PostgreSQL
database `bench_verify_load` on 127.0.0.1:5432, SQLite file /tmp/bench-verify-load/db.sqlite3), then
runs the app as in production (gunicorn, config/gunicorn.py, WEB_CONCURRENCY=4, DEBUG off, Redis
for the cache and the rate limits at REDIS_URL, default redis://127.0.0.1:6379/14, a database of
its own that it empties) with the settings module bench.settings_bench, which only adds the bare
view of bench/bare_urls.py. Then, with wrk on 127.0.0.1 and nothing else:

1. the rate limit: a server with the default CERT_VERIFY_RATE_LIMIT (N) gets N + k simultaneous
   lookups from one address; exactly N must pass and k get 429;
2. throughput, on a server with the limit raised (wrk is one address): the bare view and
   /verify/<number>/ over the data set's certificate numbers, alternately, `--duration` seconds each
   after a warm-up; every lookup must be logged (VerificationLog rows counted before and after);
   targets: verify >= 0.6 x bare, p99 <= 100 ms;
3. other pages (`--pages`, on by default): the login page, each role's dashboard, the enrolment list
   and the review queue, logged in through a session made for the load users.

Every measurement is bounded by `--duration` and every process it starts is stopped at the end.
Exit status 1 when a target is missed.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
WORK = Path(tempfile.gettempdir()) / "bench-verify-load"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DB = "bench_verify_load"
REDIS = {"url": ""}  # --redis-url: every process of the bench uses it
TARGET_RATIO = 0.6
TARGET_P99_MS = 100.0

# wrk: cycles through the paths in the file named after `--`, and prints its figures as one JSON line.
WRK_SCRIPT = r"""
local paths = {}
local i = 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
function done(summary, latency, requests)
  local s = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, s.connect, s.read, s.write, s.status, s.timeout))
end
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections for verify/bare (default 32)")
    parser.add_argument("--page-connections", type=int, default=8, help="wrk connections for other pages")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn web processes (default 4)")
    parser.add_argument("--enrolments", type=int, default=20000, help="size of the seed_load data set")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14", help="a Redis database of its own")
    parser.add_argument("--no-pages", dest="pages", action="store_false", help="only the verify figures")
    parser.add_argument("--internal", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.internal:
        return internal(args.internal)
    for tool in ("wrk", "redis-cli"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install {'wrk' if tool == 'wrk' else 'redis-tools'}")
    if "127.0.0.1" not in args.redis_url:
        sys.exit("--redis-url must be on 127.0.0.1: the bench touches nothing else")
    WORK.mkdir(exist_ok=True)
    REDIS["url"] = args.redis_url
    databases = ["postgres", "sqlite"] if args.database == "both" else [args.database]
    results = {database: run_database(database, args) for database in databases}
    print_summary(results, args)
    failed = [
        database
        for database, result in results.items()
        if result["ratio"] < TARGET_RATIO or result["verify"]["p99_ms"] > TARGET_P99_MS or not result["ok"]
    ]
    return 1 if failed else 0


# --- data ---------------------------------------------------------------------------------------


def database_url(database: str) -> str:
    if database == "postgres":
        return f"{POSTGRES_SERVER}/{POSTGRES_DB}"
    return f"sqlite:///{WORK / 'db.sqlite3'}"


def manage(database: str, *command: str, extra_env: dict | None = None, capture: bool = False) -> str:
    env = base_env(database) | {"DEBUG": "1"} | (extra_env or {})
    result = subprocess.run(
        [PYTHON, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.DEVNULL if capture else None,
        timeout=1800,
    )
    return result.stdout or ""


def base_env(database: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CERT_", "WEB_", "AWS_"))}
    env.update(
        DATABASE_URL=database_url(database),
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        SECRET_KEY="bench-only-" + "k" * 50,
        STATIC_ROOT=str(WORK / "static"),
        CERT_SIGNING_KEY=str(WORK / "signing"),
        LOG_LEVEL="WARNING",
    )
    env["REDIS_URL"] = REDIS["url"]
    return env


def ensure_data(database: str, args) -> None:
    """The seed_load data set, made once and reused (a database with certificates is kept)."""
    if database == "postgres":
        exists = subprocess.run(
            [
                "psql",
                POSTGRES_SERVER + "/postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{POSTGRES_DB}'",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", POSTGRES_DB], check=True)
    manage(database, "migrate", "--noinput", "-v0", "--skip-checks", capture=True)
    manage(database, "createcachetable", capture=True)
    facts = internal_call(database, "facts")
    if facts["certificates"] == 0:
        print(f"[{database}] seed_load --enrolments {args.enrolments} (once; a few minutes)...", flush=True)
        started = time.monotonic()
        manage(database, "seed_load", "--enrolments", str(args.enrolments), "--skip-checks", capture=True)
        print(f"[{database}] seeded in {time.monotonic() - started:.0f} s", flush=True)


def internal_call(database: str, what: str) -> dict:
    result = subprocess.run(
        [PYTHON, __file__, "--internal", what],
        cwd=ROOT,
        env=base_env(database) | {"DEBUG": "0"},
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def internal(what: str) -> int:
    """Runs inside Django (the bench's environment): facts about the data set, sessions for the users."""
    # Run as a script, bench/ comes first on sys.path, and bench/statistics.py would then stand for
    # the standard library's statistics module (which Django's SQLite backend imports).
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    import django

    django.setup()
    from certificates.models import Certificate, VerificationLog

    if what == "facts":
        print(json.dumps({"certificates": Certificate.objects.count()}))
    elif what == "log-count":
        print(json.dumps({"logs": VerificationLog.objects.count()}))
    elif what == "prepare":
        numbers = list(
            Certificate.objects.exclude(sha256="")
            .exclude(status="pending")
            .order_by("?")
            .values_list("number", flat=True)[:5000]
        )
        print(json.dumps({"numbers": numbers, "sessions": sessions(), "logs": VerificationLog.objects.count()}))
    return 0


def sessions() -> dict:
    """A session cookie per role, made as a login makes it (the bench never posts a password)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from certificates.models import Certificate
    from certification.models import User
    from core.roles import Role

    users = {
        "officer": User.objects.get(username="load-officer"),
        "institution": User.objects.filter(username__startswith="load1-inst").order_by("username").first(),
        "assessor": User.objects.get(username="load-assessor01"),
        "trainee": trainee_user(Certificate, Role, User),
    }
    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = {}
    for role, user in users.items():
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


def trainee_user(Certificate, Role, User):
    """seed_load's trainees have no accounts (none activated): the bench gives one certified trainee one."""
    username = "bench-trainee"
    user = User.objects.filter(username=username).first()
    if user is None:
        certificate = Certificate.objects.exclude(sha256="").select_related("enrolment__trainee").order_by("pk").first()
        trainee = certificate.enrolment.trainee
        user = User.objects.create_user(username=username, password=None, role=Role.TRAINEE, first_name=trainee.name)
        trainee.user = user
        trainee.save(update_fields=["user"])
    return user


# --- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn as config/gunicorn.py runs it in production, on a free loopback port."""

    def __init__(self, database: str, args, *, limit: int | None):
        self.port = free_port()
        env = base_env(database) | {
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "CACHE_KEY_PREFIX": "bench",
            "WEB_CONCURRENCY": str(args.workers),
            "BIND": f"127.0.0.1:{self.port}",
            # Production replaces a worker after 2,000 requests; at these rates that would be every few
            # seconds, each time importing Django again: not what a deployment sees at its real rate.
            "WEB_MAX_REQUESTS": "1000000",
            "ACCESS_LOG": "1",
        }
        if limit is not None:
            env["CERT_VERIFY_RATE_LIMIT"] = str(limit)
        self.errors = open(WORK / f"gunicorn-{database}.log", "a")
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "config/gunicorn.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the access log: one JSON line a request
            stderr=self.errors,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.errors.name}")
            try:
                urllib.request.urlopen(self.base + "/accounts/login/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.errors.close()


def redis_flush(url: str) -> None:
    subprocess.run(["redis-cli", "-u", url, "FLUSHDB"], check=True, capture_output=True, timeout=10)


def wrk(base: str, paths: list[str], *, duration: int, connections: int, headers: list[str] = ()) -> dict:
    paths_file = WORK / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    script = WORK / "bench.lua"
    script.write_text(WRK_SCRIPT)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, base + paths[0], "--", str(paths_file)],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    raw = json.loads(line[len("BENCH ") :])
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
    }


# --- the measurements -----------------------------------------------------------------------------


def limit_holds(database: str, args, number: str) -> dict:
    """N + k simultaneous lookups from one address, in one window: exactly N pass, k get 429."""
    limit, extra = 30, 10
    redis_flush(args.redis_url)
    server = Server(database, args, limit=limit)
    try:
        seconds_into_minute = time.time() % 60
        if seconds_into_minute > 50:  # the fixed window must not turn during the burst
            time.sleep(61 - seconds_into_minute)

        def one(_):
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("GET", f"/verify/{number}/")
            status = connection.getresponse().status
            connection.close()
            return status

        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(one, range(limit + extra)))
    finally:
        server.stop()
    passed, refused = statuses.count(200), statuses.count(429)
    return {
        "limit": limit,
        "sent": limit + extra,
        "passed": passed,
        "refused": refused,
        "ok": (passed, refused) == (limit, extra),
    }


def run_database(database: str, args) -> dict:
    print(f"\n== {database} ==", flush=True)
    ensure_data(database, args)
    manage(
        database,
        "collectstatic",
        "--noinput",
        "-v0",
        "--ignore",
        "viewflow",
        "--skip-checks",
        extra_env={"DEBUG": "0"},
        capture=True,
    )
    redis_flush(args.redis_url)
    prepared = internal_call(database, "prepare")
    numbers = prepared["numbers"]
    print(f"[{database}] {len(numbers)} issued certificates to look up", flush=True)

    limit = limit_holds(database, args, numbers[0])
    print(
        f"[{database}] rate limit {limit['limit']}/min, one address, {limit['sent']} at once: "
        f"{limit['passed']} passed, {limit['refused']} got 429 -> {'holds' if limit['ok'] else 'BROKEN'}",
        flush=True,
    )

    bare_paths = [f"/bench/bare/{n}/" for n in numbers]
    verify_paths = [f"/verify/{n}/" for n in numbers]
    server = Server(database, args, limit=10**9)  # wrk is one address
    try:
        for paths in (bare_paths, verify_paths):  # warm-up: every worker's caches, connections, imports
            wrk(server.base, paths, duration=2, connections=args.connections)
        bare = wrk(server.base, bare_paths, duration=args.duration, connections=args.connections)
        before = internal_call(database, "log-count")["logs"]
        verify = wrk(server.base, verify_paths, duration=args.duration, connections=args.connections)
        time.sleep(0.5)  # what was in flight when wrk stopped
        logged = internal_call(database, "log-count")["logs"] - before
        pages = measure_pages(server, prepared["sessions"], args) if args.pages else {}
    finally:
        server.stop()
    # wrk counts the responses it read; a request in flight at the end is served (and logged) unread.
    logged_ok = verify["requests"] <= logged <= verify["requests"] + args.connections
    result = {
        "bare": bare,
        "verify": verify,
        "ratio": verify["rps"] / bare["rps"],
        "logged": logged,
        "logged_ok": logged_ok,
        "limit": limit,
        "pages": pages,
        "ok": limit["ok"] and logged_ok and not bare["errors"] and not verify["errors"],
    }
    print_database(database, result, args)
    return result


PAGES = [
    ("login page", None, "/accounts/login/"),
    ("dashboard: officer", "officer", "/"),
    ("dashboard: institution", "institution", "/"),
    ("dashboard: assessor", "assessor", "/"),
    ("dashboard: trainee", "trainee", "/"),
    ("enrolment list: officer", "officer", "/enrolments/"),
    ("enrolment list: institution", "institution", "/enrolments/"),
    ("review queue: assessor", "assessor", "/assessment/queue/"),
    ("review queue: officer", "officer", "/assessment/queue/"),
]


def measure_pages(server: Server, cookies: dict, args) -> dict:
    duration = max(3, args.duration // 2)
    figures = {}
    for label, role, path in PAGES:
        headers = [f"Cookie: {cookies[role]}"] if role else []
        status = page_status(server, path, headers)
        wrk(server.base, [path], duration=1, connections=args.page_connections, headers=headers)
        figures[label] = wrk(server.base, [path], duration=duration, connections=args.page_connections, headers=headers)
        figures[label]["status"] = status
        print(f"  {label:30} {figures[label]['rps']:7.1f} req/s  p95 {figures[label]['p95_ms']:6.1f} ms", flush=True)
    return figures


def page_status(server: Server, path: str, headers: list[str]) -> int:
    """The page must answer 200 as that user (not a redirect to the login page)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", path, headers=dict(h.split(": ", 1) for h in headers))
    status = connection.getresponse().status
    connection.close()
    if status != 200:
        raise RuntimeError(f"{path} answered {status} with {headers}")
    return status


# --- output -----------------------------------------------------------------------------------------


def line(label: str, f: dict) -> str:
    return (
        f"  {label:8} {f['rps']:8.1f} req/s  p50 {f['p50_ms']:6.1f}  p95 {f['p95_ms']:6.1f}  "
        f"p99 {f['p99_ms']:6.1f}  max {f['max_ms']:7.1f} ms  ({f['requests']} requests, {f['errors']} errors)"
    )


def print_database(database: str, result: dict, args) -> None:
    print(f"[{database}] {args.workers} gunicorn workers, wrk -t1 -c{args.connections} -d{args.duration}s:")
    print(line("bare", result["bare"]))
    print(line("verify", result["verify"]))
    print(
        f"  ratio {result['ratio']:.2f} (target >= {TARGET_RATIO}); verify p99 {result['verify']['p99_ms']:.1f} ms "
        f"(target <= {TARGET_P99_MS:.0f}); {result['logged']} lookups logged for {result['verify']['requests']} "
        f"answered ({'every one' if result['logged_ok'] else 'MISSING'})",
        flush=True,
    )


def print_summary(results: dict, args) -> None:
    print("\n== summary ==")
    for database, result in results.items():
        verdict = (
            "OK"
            if result["ok"] and result["ratio"] >= TARGET_RATIO and result["verify"]["p99_ms"] <= TARGET_P99_MS
            else "MISSED"
        )
        v, b = result["verify"], result["bare"]
        print(
            f"{database:9} verify {v['rps']:7.1f} req/s vs bare {b['rps']:7.1f} = {result['ratio']:.2f}; "
            f"verify p50/p95/p99 {v['p50_ms']:.1f}/{v['p95_ms']:.1f}/{v['p99_ms']:.1f} ms; "
            f"limit {result['limit']['passed']}/{result['limit']['sent']} passed; {verdict}"
        )
    if any(result["pages"] for result in results.values()):
        labels = [label for label, _role, _path in PAGES]
        print(f"\nother pages ({args.workers} workers, wrk -c{args.page_connections}): req/s, p95 ms")
        print(f"{'':30}" + "".join(f"{database:>22}" for database in results))
        for label in labels:
            cells = "".join(
                f"{r['pages'][label]['rps']:12.1f} {r['pages'][label]['p95_ms']:8.1f} ms" if r["pages"] else f"{'':>22}"
                for r in results.values()
            )
            print(f"{label:30}{cells}")
    print(f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    sys.exit(main())
