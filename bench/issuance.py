"""Benchmark of certificate issuance (issue 5): the 885-candidate demo cohort, end to end and bare.

    .venv/bin/python bench/issuance.py [--cohort 885] [--workers 2] [--database-url postgres://...]
    .venv/bin/python bench/issuance.py --cohort 8850 --baseline-cohort 885 --database-url postgres://...
    .venv/bin/python bench/issuance.py --workers 4 --pools 2 --database-url postgres://...
    .venv/bin/python bench/issuance.py --notifications

On a fresh database (a temporary SQLite file unless --database-url names a PostgreSQL server, on
which a throwaway database is created and dropped), after `seed_demo --cohort N`:

  1. end to end: the officer issues everything ready as one run; `--workers` task workers
     (`manage.py db_worker --batch`, started cold, like on a fresh deployment) number, render, draw
     the QR code, sign, store and record every certificate, and make, sign and store its Open
     Badges credential (issue 13);
  2. bare: the same certificates' HTML (the same template, stylesheet and fonts) rendered with bare
     WeasyPrint and nothing else, in as many fresh processes, each with one FontConfiguration and
     the stylesheets compiled once.

Prints certificates per second for both and their ratio (targets on a 2-core machine: ≥ 10/s end
to end and ≥ 0.85 of bare), then checks the result: every certificate valid, serials 1..N, every
one with its credential. The credentials' share of the end-to-end time: the same credentials made
again here, in this process (built and signed, not stored), their CPU time against the workers'.

Python's bytecode cache is kept in the work directory (PYTHONPYCACHEPREFIX) for every process of
both sides, and filled by the set-up: a deployment compiles its modules once, not in every worker
that starts (where PYTHONDONTWRITEBYTECODE is set, each cold process would otherwise spend seconds
compiling Django, WeasyPrint and pyHanko from source). `--no-bytecode-cache` measures without it.

Two clocks: wall time, which is the figure that matters on a machine doing nothing else, and CPU
time (all the processes' user + system time, divided by the number of workers), which other work on
a shared machine does not inflate. Their gap is time spent waiting (disk syncs, locks, a busy CPU);
the load average printed with each phase says how busy the machine was.

Options for scale (issue 17) and notifications (issue 14), each printing what its issue asks:

  --baseline-cohort B  first seed and issue B candidates, then top the demo cohort up by --cohort
                       more (`seed_demo --cohort B+N`) and issue those: both seed_demo times, both
                       issuance times and their ratio (target ≤ 1.05 × N/B, i.e. ≤ 10.5 × for 8,850
                       after 885), queries per certificate and each worker's peak RSS for both.
  --pools P            the workers as P process groups ("machines") sharing one database; the check
                       at the end finds no duplicate and no skipped number.
  --notifications      notification delivery active while issuing: an SMTP server (aiosmtpd) on a
                       loopback port, the scheduler (`run_scheduler`, a round every 10 s) queueing the
                       sending, which the same workers do; prints the mails received.
  --no-bare            skip the bare WeasyPrint side (always skipped with --baseline-cohort).

Any of these runs the workers through bench/probed_worker.py, which counts each worker's queries and
records its peak RSS.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
# Not bench/ itself: bench/statistics.py would shadow the standard library's (Django's SQLite backend imports it).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
CHUNK = 10

from bench import issuance_scale  # noqa: E402  (beside this script; bench/ is not on the path, see above)


def parse_arguments():
    parser = argparse.ArgumentParser(description="Benchmark of certificate issuance.")
    parser.add_argument("--cohort", type=int, default=885)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--database-url", help="postgres://user@host:port/ (default: a temporary SQLite file)")
    parser.add_argument(
        "--baseline-cohort",
        type=int,
        default=0,
        metavar="B",
        help="issue B candidates first, then --cohort more, and compare (issue 17)",
    )
    parser.add_argument("--pools", type=int, default=1, help="the workers as this many process groups ('machines')")
    parser.add_argument("--notifications", action="store_true", help="deliver notifications while issuing")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare WeasyPrint side")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="leave PYTHONDONTWRITEBYTECODE as it is: every cold process compiles from source",
    )
    return parser.parse_args()


def manage(environment: dict, *arguments: str) -> None:
    subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, check=True)


def throwaway_postgres(server_url: str) -> tuple[str, callable]:
    import psycopg

    parts = urlsplit(server_url)
    name = f"bench_issuance_{os.getpid()}"
    admin = f"postgresql://{parts.netloc}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgres://{parts.netloc}/{name}", drop


def environment_for(workdir: Path, database_url: str, *, bytecode_cache: bool) -> dict:
    cache = {"PYTHONPYCACHEPREFIX": str(workdir / "pycache")} if bytecode_cache else {}
    return {
        **{
            key: value for key, value in os.environ.items() if not (bytecode_cache and key == "PYTHONDONTWRITEBYTECODE")
        },
        **cache,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",  # as deployed: no query log kept in memory
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(workdir / "media"),
        "CERT_SIGNING_KEY": str(workdir / "signing"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL") or "https://certificates.example.org",
    }


def cpu_seconds() -> float:
    """User + system time of this process and of its children that have ended."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def issue_end_to_end(environment: dict, workers: int) -> tuple[int, float]:
    from certificates import services
    from certification.models import Role, User

    officer = User.objects.get(username="officer", role=Role.OFFICER)
    started = time.perf_counter()
    run = services.start_issuance(officer=officer)  # queued once committed
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "--interval",
                "0",
                "--verbosity",
                "0",
            ],
            cwd=ROOT,
            env=environment,
        )
        for _ in range(workers)
    ]
    for process in processes:
        if process.wait() != 0:
            raise SystemExit("a worker failed")
    return run.total, time.perf_counter() - started


def bare_inputs(workdir: Path) -> tuple[list[str], str, list[str]]:
    """The issued certificates' HTML with our render host's URLs made plain file URLs, the base URL,
    and the stylesheets: what bare WeasyPrint needs to draw the very same pages."""
    from django.conf import settings
    from django.contrib.staticfiles import finders

    from certificates import fonts, rendering
    from certificates.models import Certificate

    static_dir = Path(finders.find("certificates/pdf/v1/certificate.css")).parent
    static_root = str(static_dir.parents[2]) + "/"
    media_root = str(Path(settings.MEDIA_ROOT)) + "/"
    htmls = []
    for certificate in Certificate.objects.order_by("serial").iterator():
        html = rendering.certificate_html(certificate)
        html = html.replace(rendering.static_url(""), f"file://{static_root}")
        html = html.replace(rendering.media_url(""), f"file://{media_root}")
        htmls.append(html)
    font_css = "".join(
        f'@font-face {{ font-family: "{fonts.FAMILY}"; src: url(file://{path}); font-weight: {weight}; }}\n'
        for weight, path in _cut_font_files(workdir)
    )
    return htmls, f"file://{static_dir}/", [font_css, (static_dir / rendering.STYLESHEET).read_text()]


def _cut_font_files(workdir: Path) -> list[tuple[int, Path]]:
    from certificates import fonts

    files = []
    for face in fonts.certificate_faces():
        path = workdir / face.name
        path.write_bytes(face.content)
        files.append((face.weight, path))
    return files


_bare = {}


def _bare_worker_start(base_url: str, stylesheets: list[str]) -> None:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    _bare["base_url"] = base_url
    _bare["font_config"] = font_config
    _bare["stylesheets"] = [CSS(string=text, base_url=base_url, font_config=font_config) for text in stylesheets]


def _bare_render(htmls: list[str]) -> int:
    from weasyprint import HTML

    size = 0
    for html in htmls:
        size += len(
            HTML(string=html, base_url=_bare["base_url"]).write_pdf(
                stylesheets=_bare["stylesheets"], font_config=_bare["font_config"]
            )
        )
    return size


def render_bare(htmls: list[str], base_url: str, stylesheets: list[str], workers: int) -> tuple[float, int]:
    chunks = [htmls[start : start + CHUNK] for start in range(0, len(htmls), CHUNK)]
    started = time.perf_counter()
    # Fresh processes, like the cold task workers: imports and font loading are part of the time.
    pool = get_context("spawn").Pool(workers, initializer=_bare_worker_start, initargs=(base_url, stylesheets))
    total_size = sum(pool.imap_unordered(_bare_render, chunks))
    pool.close()
    pool.join()  # the workers end and are reaped, so their CPU time counts in RUSAGE_CHILDREN
    return time.perf_counter() - started, total_size


def credentials_cpu_seconds() -> tuple[float, int]:
    """CPU time to make (build and sign, not store) every issued certificate's credential again, in
    this process, as the workers did: an estimate of their share that a busy machine does not inflate."""
    from certificates import credentials
    from certificates.models import Certificate

    certificates = list(Certificate.objects.select_related("enrolment__trainee").order_by("serial"))
    credentials.prepare_many(certificates[:5])  # warm: contexts parsed, key loaded
    started = time.process_time()
    for start in range(0, len(certificates), CHUNK):
        credentials.prepare_many(certificates[start : start + CHUNK])
    return time.process_time() - started, len(certificates)


def check_result(count: int) -> str:
    import json

    from certificates import data_integrity, office_keys, signing
    from certificates.models import Certificate, CertificateStatus, Credential

    serials = list(Certificate.objects.order_by("serial").values_list("serial", flat=True))
    valid = Certificate.objects.filter(status=CertificateStatus.VALID).exclude(sha256="").count()
    with_credential = Credential.objects.filter(certificate__run__isnull=False).count()
    sample = Certificate.objects.order_by("?").first()
    genuine = signing.check_signature(sample.pdf.read()).genuine
    signed = data_integrity.verify(
        json.loads(sample.credential.document), public_key=office_keys.current_key()[1].public_key()
    )
    ok = serials == list(range(1, count + 1)) and valid == count and genuine and with_credential == count and signed
    return (
        ("ok" if ok else "FAILED") + f": {valid} valid, serials 1..{serials[-1] if serials else 0}, "
        f"{with_credential} credentials made in the run, a random one's PDF signature "
        f"{'checks out' if genuine else 'FAILS'} and its credential's proof {'checks out' if signed else 'FAILS'}"
    )


def main() -> None:
    arguments = parse_arguments()
    workdir = Path(tempfile.mkdtemp(prefix="bench-issuance-"))
    drop = None
    if arguments.database_url:
        database_url, drop = throwaway_postgres(arguments.database_url)
    else:
        database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    environment = environment_for(workdir, database_url, bytecode_cache=not arguments.no_bytecode_cache)
    os.environ.update(
        {
            key: environment[key]
            for key in (
                "DJANGO_SETTINGS_MODULE",
                "DEBUG",
                "SECRET_KEY",
                "SECURE_SSL_REDIRECT",
                "DATABASE_URL",
                "MEDIA_ROOT",
                "CERT_SIGNING_KEY",
                "PUBLIC_BASE_URL",
            )
        }
    )
    if not arguments.no_bytecode_cache:  # the bare side's pool processes read the same cache
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = environment["PYTHONPYCACHEPREFIX"]
    try:
        print(
            f"Database: {urlsplit(database_url).scheme}; work directory {workdir}; {arguments.workers} workers; "
            f"bytecode cache {'off' if arguments.no_bytecode_cache else 'on'}"
        )
        started = time.perf_counter()
        manage(environment, "create_signing_key", "--if-missing")
        manage(environment, "migrate", "--noinput", "--verbosity", "0")
        manage(environment, "createcachetable")
        first_cohort = arguments.baseline_cohort or arguments.cohort
        seeding = time.perf_counter()
        manage(environment, "seed_demo", "--cohort", str(first_cohort), "--force", "--verbosity", "0")
        seed_seconds = time.perf_counter() - seeding
        print(f"Set-up (migrate, key, seed_demo --cohort {first_cohort}): {time.perf_counter() - started:.0f} s")

        import django

        django.setup()
        workers = arguments.workers
        mailbox = issuance_scale.Mailbox() if arguments.notifications else None
        if mailbox:
            environment.update(mailbox.environment())
            print(
                f"Notifications: delivered while issuing, to an SMTP server on 127.0.0.1:{mailbox.port}; "
                f"{issuance_scale.give_everyone_an_address()} users given an e-mail address"
            )
        print(f"End to end: starting ({load()})", flush=True)
        cpu_before = cpu_seconds()
        if issuance_scale.wanted(arguments):
            count, seconds, figures = issuance_scale.issue(arguments, environment, workdir, label=str(first_cohort))
            print(f"Probed workers ({arguments.pools} pool(s)): {issuance_scale.describe(count, seconds, figures)}")
        else:
            count, seconds = issue_end_to_end(environment, workers)
        cpu = cpu_seconds() - cpu_before
        end_to_end_cpu_seconds = cpu
        end_to_end, end_to_end_cpu = count / seconds, count / (cpu / workers)
        print(
            f"End to end (number, render, QR, sign, credential, store, database): {count} certificates in {seconds:.1f} s "
            f"= {end_to_end:.1f}/s wall; {cpu:.1f} CPU-s = {end_to_end_cpu:.1f}/s on {workers} dedicated cores "
            f"({load()})"
        )

        if mailbox:
            print(f"Notifications after the run: {issuance_scale.deliver_the_rest(environment, mailbox)}")
            mailbox.stop()
        if arguments.baseline_cohort:
            issuance_scale.compare(
                arguments, environment, workdir, seed_seconds=seed_seconds, first=(count, seconds, figures)
            )
        if issuance_scale.wanted(arguments):
            print(f"Numbers: {issuance_scale.check_numbers()}")
        if arguments.baseline_cohort or arguments.no_bare:
            print("Bare WeasyPrint: skipped")
            return
        htmls, base_url, stylesheets = bare_inputs(workdir)
        print(f"Bare WeasyPrint: starting ({load()})")
        cpu_before = cpu_seconds()
        bare_seconds, bare_size = render_bare(htmls, base_url, stylesheets, workers)
        cpu = cpu_seconds() - cpu_before
        bare, bare_cpu = len(htmls) / bare_seconds, len(htmls) / (cpu / workers)
        print(
            f"Bare WeasyPrint (the same {len(htmls)} certificates): {bare_seconds:.1f} s = {bare:.1f}/s wall; "
            f"{cpu:.1f} CPU-s = {bare_cpu:.1f}/s on {workers} dedicated cores; "
            f"{bare_size / len(htmls) / 1024:.0f} KB each unsigned ({load()})"
        )
        print(
            f"Ratio end to end / bare: {end_to_end / bare:.2f} wall, {end_to_end_cpu / bare_cpu:.2f} CPU "
            f"(target ≥ 0.85); end to end {end_to_end:.1f}/s wall, {end_to_end_cpu:.1f}/s CPU (target ≥ 10)"
        )
        credential_cpu, made = credentials_cpu_seconds()
        print(
            f"Credentials (Open Badges 3.0, eddsa-rdfc-2022): {made} made again here in {credential_cpu:.1f} CPU-s "
            f"= {1000 * credential_cpu / made:.1f} ms each; their share of the end-to-end CPU time "
            f"{100 * credential_cpu / end_to_end_cpu_seconds:.1f} %, of its wall time on {workers} workers "
            f"{100 * credential_cpu / (seconds * workers):.1f} %"
        )
        print(f"Result check: {check_result(count)}")
    finally:
        from django.db import connections

        connections.close_all()
        if drop:
            drop()


if __name__ == "__main__":
    main()
