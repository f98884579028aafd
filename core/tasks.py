"""The workers' heartbeat: a task that does nothing, enqueued every minute by the scheduler
(`manage.py run_scheduler`). Its finished row in the task queue is the proof, read by /healthz,
that some worker takes tasks off the queue."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

KEEP_FINISHED = timedelta(hours=1)


def enqueue_unless_waiting(queued_task) -> bool:
    """Enqueue a run of a task unless one already waits in the queue; True when this call enqueued
    it. What the scheduler's periodic jobs call every round, so that runs never pile up behind a
    missing worker. A RUNNING row does not count: a worker that died mid-run leaves it RUNNING for ever."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        if DBTaskResult.objects.filter(task_path=queued_task.module_path, status=TaskResultStatus.READY).exists():
            return False
        queued_task.enqueue()
    return True


@task()
def heartbeat() -> str:
    return timezone.now().isoformat()


def _heartbeats():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=heartbeat.module_path)


def enqueue_heartbeat() -> bool:
    """Enqueue a heartbeat unless one is waiting (with no worker, they must not pile up); prune the
    finished ones older than an hour. True when this call enqueued one."""
    _heartbeats().filter(finished_at__lt=timezone.now() - KEEP_FINISHED).delete()
    return enqueue_unless_waiting(heartbeat)


def last_heartbeat():
    """When a worker last finished a heartbeat, or None."""
    newest = (
        _heartbeats()
        .filter(status=TaskResultStatus.SUCCESSFUL, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return newest
