"""The reviews the assessors' workload figure counts as decided, kept in DecidedReview.

Counting them from the tasks means joining every review task (90,000 at 100,000 enrolments) to its
process and enrolment whenever a filter is chosen: 50–150 ms, before the other figures. So each
finished review is derived once, with its enrolment's batch, track, institution and level, into
one narrow row, and the figure counts those (workflows.statistics).

`refresh()` runs on demand, before the figure is counted (one cheap query when no task was made
since the last refresh), and from the scheduler with certification's derived rows. A review task
is finished in the transaction that also makes the next task of its process (viewflow activates
the node after it), so the processes with a task made since the last refresh are those whose
reviews may have finished: their rows are derived again, and those of the processes of the last
REDO_OVERLAP tasks before it, so that a task whose transaction committed after a refresh had read
past its id is picked up next time. A finished task does not change again (a claim, a release or
a cancellation changes an open one), so nothing else can make the rows differ from the tasks.
"""

from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from core.sql import quoted_table

from .flows import AssessmentFlow
from .models import DecidedReview, DecidedReviewsUpTo

REDO_OVERLAP = 1000
REVIEWS = [AssessmentFlow.review, AssessmentFlow.second_review]
COLUMNS = ["task_id", "owner_id", "assigned", "finished", "batch_id", "institution_id", "track_id", "level"]


def reviews_sql(processes_sql: str | None, processes_params: list) -> tuple[str, list]:
    """SELECT the DecidedReview columns (in COLUMNS' order) of the finished reviews of the
    processes that the SQL `processes_sql` (a list of ids) selects; None: of every process."""
    tasks = Task.objects.filter(flow_task__in=REVIEWS, status=STATUS.DONE)
    if processes_sql is not None:
        tasks = tasks.filter(process_id__in=RawSQL(processes_sql, processes_params))
    enrolment = "process__assessmentprocess__enrolment__"
    selected = tasks.order_by().values_list(
        "pk",
        "owner_id",
        "assigned",
        "finished",
        F(enrolment + "batch_id"),
        F(enrolment + "batch__institution_id"),
        F(enrolment + "track_id"),
        F(enrolment + "batch__level"),
    )
    sql, params = selected.query.sql_with_params()
    return sql, list(params)


def is_stale() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {quoted_table(Task)}), (SELECT MAX(last_task_id) FROM {quoted_table(DecidedReviewsUpTo)})"
        )
        newest_task, tasks_done = cursor.fetchone()
    return (newest_task or 0) > (tasks_done or 0)


def refresh() -> bool:
    """Derive the finished reviews of every process with a task made since the last refresh; True if any."""
    if not is_stale():
        return False
    with transaction.atomic():
        mark = DecidedReviewsUpTo.objects.select_for_update().filter(pk=1).first()
        if mark is None:  # the migration makes it; a database flushed since may lack it
            mark = DecidedReviewsUpTo.objects.create(pk=1)
        newest_task = Task.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if newest_task <= mark.last_task_id:
            return False  # another refresh did it while this one waited for the lock
        _derive(mark, newest_task)
        DecidedReviewsUpTo.objects.filter(pk=mark.pk).update(last_task_id=newest_task)
    return True


def _derive(mark: DecidedReviewsUpTo, newest_task: int) -> None:
    with connection.cursor() as cursor:
        if not mark.last_task_id:
            reviews, params = reviews_sql(None, [])
            cursor.execute(f"DELETE FROM {quoted_table(DecidedReview)}")
        else:
            processes = f"SELECT process_id FROM {quoted_table(Task)} WHERE id > %s AND id <= %s"
            processes_params = [max(0, mark.last_task_id - REDO_OVERLAP), newest_task]
            reviews, params = reviews_sql(processes, processes_params)
            cursor.execute(
                f"DELETE FROM {quoted_table(DecidedReview)} WHERE task_id IN "
                f"(SELECT id FROM {quoted_table(Task)} WHERE process_id IN ({processes}))",
                processes_params,
            )
        cursor.execute(f"INSERT INTO {quoted_table(DecidedReview)} ({', '.join(COLUMNS)}) {reviews}", params)
