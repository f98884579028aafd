"""Two workers at once on PostgreSQL (docs/spec.md §6): numbers unique and gap-free, and a worker killed
mid-batch (SIGKILL) resumes with no gap and no duplicate."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from certificates import issuance, services, signing
from certificates.models import Certificate, CertificateStatus, IssuanceItem, ItemStatus

from .conftest import ready_enrolments

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

BASE_DIR = Path(settings.BASE_DIR)


def assert_gap_free_and_unique(count: int) -> None:
    certificates = list(Certificate.objects.order_by("serial"))
    assert [c.serial for c in certificates] == list(range(1, count + 1))
    assert len({c.number for c in certificates}) == count
    assert len({c.enrolment_id for c in certificates}) == count


def test_two_workers_numbering_at_once_give_unique_gap_free_numbers(inst1_staff, officer, assessor, fast_rendering):
    ready_enrolments(inst1_staff, officer, assessor, 40)
    run = services.start_issuance(officer=officer, enqueue=False)
    item_ids = list(run.items.order_by("pk").values_list("pk", flat=True))
    # Chunks of 4, dealt alternately: both workers keep asking for the counter at the same time.
    chunks = [item_ids[start : start + 4] for start in range(0, len(item_ids), 4)]
    start_together = threading.Barrier(2)
    errors = []

    def worker(my_chunks):
        try:
            start_together.wait()
            for chunk in my_chunks:
                issuance.process_items(run_id=run.pk, item_ids=chunk)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(chunks[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert_gap_free_and_unique(40)
    assert not run.items.exclude(status=ItemStatus.ISSUED).exists()


def test_the_same_items_processed_by_two_workers_at_once_are_issued_once(
    inst1_staff, officer, assessor, fast_rendering
):
    # A run resumed while its first tasks still run: every item is queued twice.
    ready_enrolments(inst1_staff, officer, assessor, 10)
    run = services.start_issuance(officer=officer, enqueue=False)
    item_ids = list(run.items.values_list("pk", flat=True))
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            issuance.process_items(run_id=run.pk, item_ids=item_ids)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert_gap_free_and_unique(10)
    assert IssuanceItem.objects.filter(status=ItemStatus.ISSUED).count() == 10


def _worker_environment(tmp_path) -> dict:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": settings.SECRET_KEY,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CERT_SIGNING_KEY": str(settings.CERT_SIGNING_KEY),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
    }


def _db_worker(environment, *extra) -> subprocess.Popen:
    return subprocess.Popen(
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
            *extra,
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_worker_killed_mid_batch_resumes_with_no_gap_and_no_duplicate(inst1_staff, officer, assessor, tmp_path):
    count = 14
    ready_enrolments(inst1_staff, officer, assessor, count)
    run = services.start_issuance(officer=officer)  # queued for the workers once committed
    environment = _worker_environment(tmp_path)

    worker = _db_worker(environment)
    deadline = time.monotonic() + 120
    while Certificate.objects.filter(status=CertificateStatus.VALID).count() < 3 and time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped early: {worker.stderr.read().decode()[-2000:]}")
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert run.items.filter(status=ItemStatus.PENDING).exists()  # killed mid-batch

    services.resume_issuance(officer=officer, run_id=run.pk)
    finisher = _db_worker(environment)
    assert finisher.wait(timeout=180) == 0, finisher.stderr.read().decode()[-2000:]

    run.refresh_from_db()
    assert run.is_finished
    assert_gap_free_and_unique(count)
    for certificate in Certificate.objects.all():
        assert certificate.status == CertificateStatus.VALID
        assert signing.check_signature(certificate.pdf.read()).genuine
