"""Background tasks of the outbox (Django's tasks API, run by `manage.py db_worker`).

The scheduler (`manage.py run_scheduler`) queues `send_due_notifications` every minute and the
daily round every hour, each only when no run of it is already waiting.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from . import delivery, periodic

DAILY_ROUND_EVERY = timedelta(hours=1)


@task()
def send_due_notifications() -> dict:
    return delivery.send_due()


@task()
def daily_notifications() -> dict:
    return periodic.daily_round()


def _runs(task_obj):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task_obj.module_path)


def _enqueue_unless_waiting(task_obj, *, every: timedelta | None = None) -> bool:
    with transaction.atomic():
        runs = _runs(task_obj)
        if runs.filter(status=TaskResultStatus.READY).exists():
            return False
        if every is not None and runs.filter(enqueued_at__gt=timezone.now() - every).exists():
            return False
        task_obj.enqueue()
    return True


def schedule_notifications() -> None:
    """One scheduler round: queue the sending and, once an hour, the daily round; prune old runs."""
    for task_obj in (send_due_notifications, daily_notifications):
        _runs(task_obj).filter(finished_at__lt=timezone.now() - timedelta(days=1)).delete()
    _enqueue_unless_waiting(send_due_notifications)
    _enqueue_unless_waiting(daily_notifications, every=DAILY_ROUND_EVERY)
