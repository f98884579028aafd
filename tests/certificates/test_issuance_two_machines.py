"""Four task workers as two pools on separate "machines" (two process groups, one PostgreSQL
database) issue one run together: no duplicate and no skipped number (docs/spec.md §6, §14)."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from certificates import services
from certificates.models import Certificate, CertificateStatus, IssuanceItem, ItemStatus

from .conftest import ready_enrolments
from .test_issuance_concurrency import BASE_DIR, _worker_environment, assert_gap_free_and_unique

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

WORKER = [
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
]


def start_pool(environment: dict, size: int) -> list[subprocess.Popen]:
    """`size` workers in a process group of their own, as on a machine of their own."""
    leader = subprocess.Popen(WORKER, cwd=BASE_DIR, env=environment, process_group=0, stderr=subprocess.PIPE)
    others = [
        subprocess.Popen(WORKER, cwd=BASE_DIR, env=environment, process_group=leader.pid, stderr=subprocess.PIPE)
        for _ in range(size - 1)
    ]
    return [leader, *others]


def test_two_pools_of_two_workers_issue_one_run_with_no_duplicate_and_no_skipped_number(
    inst1_staff, officer, assessor, tmp_path, monkeypatch
):
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)  # many small tasks: the pools keep meeting at the counter
    count = 12
    ready_enrolments(inst1_staff, officer, assessor, count)
    run = services.start_issuance(officer=officer)
    environment = _worker_environment(tmp_path)

    pools = [start_pool(environment, 2), start_pool(environment, 2)]
    groups = [{os.getpgid(worker.pid) for worker in pool} for pool in pools]
    assert all(len(group) == 1 for group in groups) and groups[0] != groups[1]
    for worker in [worker for pool in pools for worker in pool]:
        assert worker.wait(timeout=600) == 0, worker.stderr.read().decode()[-2000:]

    run.refresh_from_db()
    assert run.is_finished
    assert_gap_free_and_unique(count)
    assert not IssuanceItem.objects.exclude(status=ItemStatus.ISSUED).exists()
    assert Certificate.objects.filter(status=CertificateStatus.VALID).count() == count
