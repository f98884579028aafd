"""The background task that sends webhooks (Django's tasks API, run by `manage.py db_worker`).

A move that writes an event queues a run when its transaction commits (one per transaction); a run
that leaves retries waiting queues the next one for when the first of them is due, so retries need
no scheduler.
"""

from django.db import transaction
from django_tasks import TaskResultStatus, task

from . import delivery


@task()
def deliver_webhooks() -> dict:
    totals = delivery.send_due()
    schedule_retries()
    return totals


def _waiting_runs():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=deliver_webhooks.module_path, status=TaskResultStatus.READY)


def schedule_retries() -> bool:
    """Queue a run for the earliest waiting delivery unless one is queued for then or before; also
    what a periodic scheduler may call to pick up deliveries a dead worker left leased."""
    due = delivery.next_due()
    if due is None:
        return False
    from django.db.models import Q

    if _waiting_runs().filter(Q(run_after__isnull=True) | Q(run_after__lte=due)).exists():
        return False
    deliver_webhooks.using(run_after=due).enqueue()
    return True


def enqueue_after_commit() -> None:
    """Queue one delivery run when the current transaction commits (nothing if it rolls back)."""
    connection = transaction.get_connection()
    if any(callback is _enqueue for _sids, callback, _robust in getattr(connection, "run_on_commit", ())):
        return  # this transaction already queues one
    transaction.on_commit(_enqueue)


def _enqueue() -> None:
    deliver_webhooks.enqueue()
