"""Background tasks of the public notice (Django's tasks API; the database backend, run by
`manage.py db_worker`).

`close_due_publicity_task` closes the periods that have ended and schedules its own next run an
hour later, so one enqueue (`manage.py schedule_periodic_tasks`, run by `make run`) keeps it going
for as long as a worker runs. It never piles up: a run is enqueued only when none is waiting.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from certification import derived_figures
from core.tasks import enqueue_unless_waiting
from workflows import decided_reviews
from workflows.publicity import services as publicity

CLOSE_INTERVAL = timedelta(hours=1)


@task()
def close_due_publicity_task() -> int:
    """Close the ended periods, then schedule the next run; returns how many candidates moved."""
    try:
        publicity.announce_closing_tomorrow()
        return publicity.close_due_publicity()
    finally:
        # Even after a failure: one bad run must not stop the clock.
        schedule_close_due_publicity(run_after=timezone.now() + CLOSE_INTERVAL)


def pending_close_runs():
    """Runs of the task that wait in the queue. A run that is RUNNING does not count: a worker
    that died mid-run leaves its row RUNNING for ever, and must not stop the schedule."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=close_due_publicity_task.module_path, status=TaskResultStatus.READY)


def schedule_close_due_publicity(*, run_after: datetime | None = None) -> bool:
    """Enqueue a run unless one is already waiting; True when this call enqueued it.

    Two workers checking at the same instant may both enqueue: harmless, since closing is safe to
    repeat, and the schedule collapses back to one run (the first of the pair finds the second waiting).
    """
    backend = close_due_publicity_task.get_backend()
    if not backend.supports_defer:
        # A backend that cannot defer (the immediate one) would run the next hour's run now, for ever.
        return False
    with transaction.atomic():
        if pending_close_runs().exists():
            return False
        close_due_publicity_task.using(run_after=run_after).enqueue()
    return True


@task()
def refresh_stage_durations_task() -> bool:
    """Derive the statistics' rows (stage durations, each enrolment's figures, the decided reviews)
    of what was registered, moved or reviewed since the last refresh, so that the statistics page
    seldom has to (certification.derived_figures, workflows.decided_reviews); True when something did."""
    figures = derived_figures.refresh()
    reviews = decided_reviews.refresh()
    return figures or reviews


def schedule_stage_durations_refresh() -> bool:
    """Enqueue a refresh unless one is already waiting (the scheduler calls this every round)."""
    return enqueue_unless_waiting(refresh_stage_durations_task)
