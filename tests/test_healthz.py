"""/healthz (docs/spec.md §14): database, cache, file storage and the workers' heartbeat, as JSON, for load
balancers: no login, 200 when all is well, 503 with the failing check named, nothing secret."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config import backends
from core.tasks import enqueue_heartbeat, heartbeat

# Transactional: the real worker runs in the test and closes its database connection when done.
pytestmark = pytest.mark.django_db(transaction=True)


def a_worker_runs_the_queue():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def get_healthz(client):
    response = client.get("/healthz")
    return response, json.loads(response.content)


def test_healthy_when_a_worker_has_run_the_heartbeat(client):
    enqueue_heartbeat()
    a_worker_runs_the_queue()

    response, body = get_healthz(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage", "worker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["worker"]["last_heartbeat_seconds_ago"] < 60
    assert "no-cache" in response["Cache-Control"]


def test_failing_while_no_worker_has_run_a_heartbeat(client):
    enqueue_heartbeat()  # enqueued by the scheduler, but no worker takes it

    response, body = get_healthz(client)

    assert response.status_code == 503
    assert body["status"] == "failing"
    assert body["checks"]["worker"] == {
        "ok": False,
        "error": "no heartbeat yet: is the scheduler running, and a worker?",
        "ms": body["checks"]["worker"]["ms"],
    }
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"] and body["checks"]["storage"]["ok"]


def test_failing_when_the_last_heartbeat_is_too_old(client):
    enqueue_heartbeat()
    a_worker_runs_the_queue()
    DBTaskResult.objects.filter(task_path=heartbeat.module_path).update(
        finished_at=timezone.now() - timedelta(minutes=6)
    )

    response, body = get_healthz(client)

    assert response.status_code == 503
    assert body["checks"]["worker"]["error"].startswith("last heartbeat 360 s ago")


def test_an_unreachable_cache_fails_the_check_without_showing_its_address_or_password(client):
    enqueue_heartbeat()
    a_worker_runs_the_queue()
    unreachable = backends.caches({"REDIS_URL": "redis://:s3cret-pass@127.0.0.1:1/0"})

    with override_settings(CACHES=unreachable):
        response, body = get_healthz(client)

    assert response.status_code == 503
    assert body["checks"]["cache"] == {"ok": False, "error": "ConnectionError", "ms": body["checks"]["cache"]["ms"]}
    assert body["checks"]["database"]["ok"] and body["checks"]["worker"]["ok"]
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_the_scheduler_enqueues_one_heartbeat_and_one_close_run_however_often_it_runs():
    call_command("run_scheduler", "--once")
    call_command("run_scheduler", "--once")

    waiting = DBTaskResult.objects.filter(status="READY")
    assert waiting.filter(task_path=heartbeat.module_path).count() == 1
    assert waiting.filter(task_path="workflows.tasks.close_due_publicity_task").count() == 1


def test_finished_heartbeats_older_than_an_hour_are_pruned():
    enqueue_heartbeat()
    a_worker_runs_the_queue()
    DBTaskResult.objects.filter(task_path=heartbeat.module_path).update(finished_at=timezone.now() - timedelta(hours=2))

    enqueue_heartbeat()

    assert list(DBTaskResult.objects.filter(task_path=heartbeat.module_path).values_list("status", flat=True)) == [
        "READY"
    ]


def test_a_load_balancer_asking_over_plain_http_is_answered_not_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 503  # answered (no heartbeat yet), not a 301
    assert client.get("/accounts/login/").status_code == 301
