"""bench/issuance.py's options for scale (issue 17) and notifications (issue 14); see its docstring.

The workers run as bench/probed_worker.py (db_worker counting its queries, recording its peak RSS),
grouped in process groups ("machines"), optionally with notification delivery active.
"""

import json
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKER_ARGUMENTS = ["--batch", "--no-startup-delay", "--no-reload", "--interval", "0", "--verbosity", "0"]
SCHEDULER_INTERVAL = "10"


def wanted(arguments) -> bool:
    return bool(arguments.baseline_cohort or arguments.pools > 1 or arguments.notifications)


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def seed(environment: dict, cohort: int) -> float:
    """seed_demo through the real flow; its progress lines printed with the seconds since the start,
    so that a run stopped early still shows its rate."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "seed_demo", "--cohort", str(cohort), "--force"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        print(f"  [{time.perf_counter() - started:6.0f} s] {line.rstrip()}", flush=True)
    if process.wait() != 0:
        raise SystemExit("seed_demo failed")
    return time.perf_counter() - started


class Mailbox:
    """An SMTP server on a loopback port (aiosmtpd) that counts what it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], str]] = []
        mailbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = message_from_bytes(envelope.content, policy=policy.default)
                mailbox.messages.append((list(envelope.rcpt_tos), str(message["subject"] or "")))
                return "250 OK"

        with socket.socket() as probe:  # a free loopback port (aiosmtpd's own check needs a real one)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def environment(self) -> dict:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_USE_TLS": "0",
            "NOTIFICATION_CHANNEL": "email",
        }

    def stop(self) -> None:
        self.controller.stop()


def give_everyone_an_address() -> int:
    """The demo has no e-mail addresses; with one on file each trainee hears "certificate ready" by
    mail as it is issued (one mail a certificate), the harshest case for issuance."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    from certification.models import User

    return User.objects.filter(email="").update(
        email=Concat(Value("user"), Cast("pk", CharField()), Value("@bench.example"))
    )


def _start_pools(environment: dict, workers: int, pools: int, probe_dir: Path) -> list[subprocess.Popen]:
    """`workers` probed workers in `pools` process groups, started as together as they can be."""
    processes = []
    per_pool = [workers // pools + (1 if index < workers % pools else 0) for index in range(pools)]
    for pool, size in enumerate(per_pool):
        leader = None
        for index in range(size):
            out = probe_dir / f"pool{pool}-worker{index}.json"
            process = subprocess.Popen(
                [sys.executable, "bench/probed_worker.py", *WORKER_ARGUMENTS],
                cwd=ROOT,
                env={**environment, "BENCH_PROBE_OUT": str(out)},
                process_group=0 if leader is None else leader.pid,
            )
            leader = leader or process
            process.pool = pool  # type: ignore[attr-defined]
            process.probe_out = out  # type: ignore[attr-defined]
            processes.append(process)
    return processes


def issue(arguments, environment: dict, workdir: Path, *, label: str) -> tuple[int, float, dict]:
    """One issuance run of everything ready, by probed workers in pools; (count, seconds, probe figures)."""
    from certificates import services
    from certification.models import Role, User

    probe_dir = workdir / f"probe-{label}"
    probe_dir.mkdir(exist_ok=True)
    officer = User.objects.get(username="officer", role=Role.OFFICER)
    scheduler = None
    started = time.perf_counter()
    run = services.start_issuance(officer=officer)  # queued once committed
    if arguments.notifications:
        scheduler = subprocess.Popen(
            [sys.executable, "manage.py", "run_scheduler", "--interval", SCHEDULER_INTERVAL],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
        )
    processes = _start_pools(environment, arguments.workers, arguments.pools, probe_dir)
    failed = False
    for process in processes:
        _pid, status, _usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        failed = failed or process.returncode != 0
    seconds = time.perf_counter() - started
    if scheduler is not None:
        scheduler.terminate()
        scheduler.wait()
    if failed:
        raise SystemExit("a worker failed")
    probes = [json.loads(process.probe_out.read_text()) | {"pool": process.pool} for process in processes]
    run.refresh_from_db()
    figures = {
        "run": run.pk,
        "finished": run.is_finished,
        "queries": sum(probe["queries"] for probe in probes),
        "rss_mb": [(probe["pool"], probe["peak_rss_kb"] / 1024) for probe in probes],
        "cpu": sum(probe.get("cpu_seconds", 0.0) for probe in probes),
    }
    return run.total, seconds, figures


def describe(count: int, seconds: float, figures: dict) -> str:
    rss = ", ".join(f"pool {pool}: {mb:.0f} MB" for pool, mb in figures["rss_mb"])
    return (
        f"{count} certificates in {seconds:.1f} s = {count / seconds:.1f}/s; "
        f"{figures['queries'] / max(count, 1):.1f} queries per certificate (all workers' queries / certificates); "
        f"peak RSS of each worker: {rss}; workers' CPU {figures['cpu']:.1f} s = {figures['cpu'] / max(count, 1) * 1000:.0f} ms "
        f"a certificate; run {'finished' if figures['finished'] else 'NOT finished'}"
    )


def compare(arguments, environment: dict, workdir: Path, *, seed_seconds: float, first: tuple) -> None:
    """The second, larger cohort: top the demo cohort up, issue it, print the two phases side by side."""
    baseline, cohort = arguments.baseline_cohort, arguments.cohort
    print(f"seed_demo: topping up by {cohort} candidates, through the real flow ({load()})", flush=True)
    top_up_seconds = seed(environment, baseline + cohort)
    print(
        f"seed_demo --cohort {baseline}: {seed_seconds:.0f} s = {seed_seconds / baseline * 1000:.0f} ms a candidate; "
        f"top-up by {cohort}: {top_up_seconds:.0f} s = {top_up_seconds / cohort * 1000:.0f} ms a candidate; "
        f"ratio {top_up_seconds / seed_seconds:.2f} for {cohort / baseline:.1f} × the candidates ({load()})",
        flush=True,
    )
    print(f"Issuing the {cohort}: starting ({load()})", flush=True)
    count, seconds, figures = issue(arguments, environment, workdir, label=str(cohort))
    first_count, first_seconds, first_figures = first
    print(f"Issuing the {cohort}: {describe(count, seconds, figures)} ({load()})", flush=True)
    allowed = 1.05 * count / first_count
    print(
        f"Issuance {count} vs {first_count}: {seconds:.1f} s vs {first_seconds:.1f} s = {seconds / first_seconds:.2f} × wall, "
        f"CPU {figures['cpu']:.0f} s vs {first_figures['cpu']:.0f} s = {figures['cpu'] / max(first_figures['cpu'], 1e-9):.2f} × "
        f"(target ≤ {allowed:.2f} ×: {'ok' if seconds / first_seconds <= allowed else 'MISSED'}); queries per "
        f"certificate {figures['queries'] / count:.1f} vs {first_figures['queries'] / first_count:.1f}; "
        f"largest worker peak RSS {max(mb for _p, mb in figures['rss_mb']):.0f} MB vs "
        f"{max(mb for _p, mb in first_figures['rss_mb']):.0f} MB",
        flush=True,
    )


def check_numbers() -> str:
    """No duplicate and no skipped number across everything issued (every pool, every phase)."""
    from certificates.models import Certificate, IssuanceItem, ItemStatus

    rows = list(Certificate.objects.order_by("serial").values_list("serial", "number", "enrolment_id"))
    serials = [serial for serial, _number, _enrolment in rows]
    duplicates = len(rows) - len({number for _serial, number, _enrolment in rows})
    twice = len(rows) - len({enrolment for _serial, _number, enrolment in rows})
    skipped = sorted(set(range(1, len(rows) + 1)) - set(serials))
    waiting = IssuanceItem.objects.exclude(status=ItemStatus.ISSUED).count()
    ok = not duplicates and not twice and not skipped and serials == list(range(1, len(rows) + 1)) and not waiting
    return (
        f"{'ok' if ok else 'FAILED'}: {len(rows)} numbers, {duplicates} duplicate, {len(skipped)} skipped "
        f"{skipped[:10] if skipped else ''}, {twice} enrolment numbered twice, {waiting} items not issued"
    )


def deliver_the_rest(environment: dict, mailbox: Mailbox) -> str:
    """After the run: send what is still due (the run's summaries), then report the mails received."""
    from notifications.models import Delivery, Notification
    from notifications.tasks import send_due_notifications

    send_due_notifications.enqueue()
    subprocess.run([sys.executable, "manage.py", "db_worker", *WORKER_ARGUMENTS], cwd=ROOT, env=environment, check=True)
    summaries = [subject for _to, subject in mailbox.messages if subject]
    pending = Notification.objects.filter(delivery=Delivery.PENDING).count()
    return (
        f"{len(mailbox.messages)} mails received by the SMTP server on 127.0.0.1:{mailbox.port}, "
        f"{len(set(summaries))} different subjects; {pending} notifications still pending"
    )
