"""The durations behind "days per stage" (certification.statistics), kept in StageDuration.

Ranking every stage's duration straight from the StateLog means a window over every move of every
enrolment: seconds at 100,000 enrolments, before the first figure shows. So the durations are
derived once and kept, and the page ranks a narrow table instead. The derivation is the one the
statistics module documents (each move that ends a stage minus the move before it of the same
enrolment), done in the database, and redone for every enrolment whose history grew: the rows
always equal what the StateLog says (tests/workflows/test_statistics_page.py compares).

`refresh()` runs on demand, before the figures are counted (one cheap query when nothing moved),
and from the scheduler (workflows.tasks), so that the page seldom waits for it. It recomputes the
enrolments with a move after the last refresh, and those of the last REDO_OVERLAP moves before it:
a move whose transaction committed after a refresh had read past its id is picked up next time.
"""

from django.db import connection, transaction
from django.db.models import F, Max, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lag

from .models import Enrolment, StageDuration, StageDurationsUpTo, StateLog, TrainingBatch

# The move that ends each stage, and the moves that may begin it.
STAGE_ENDS = {
    "approval": (["approve"], ["submit", "resubmit"]),
    "review": (["pass", "fail", "return_for_correction"], ["submit_results"]),
    "publicity": (["close_publicity"], ["open_publicity"]),
    "issuance": (["issue"], ["close_publicity"]),
}
MOVES = sorted({m for ends, begins in STAGE_ENDS.values() for m in ends + begins})
REDO_OVERLAP = 1000


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def durations_sql(enrolments_sql: str, enrolments_params: list) -> tuple[str, list]:
    """SELECT enrolment_id, stage, ended_at, days: every stage ended by the enrolments that the
    SQL `enrolments_sql` (a list of ids) selects."""
    ordered = [F("created_at").asc(), F("pk").asc()]
    inner = (
        StateLog.objects.filter(transition__in=MOVES)
        .filter(enrolment_id__in=RawSQL(enrolments_sql, enrolments_params))
        .annotate(
            previous_at=Window(Lag("created_at"), partition_by=[F("enrolment_id")], order_by=ordered),
            previous_move=Window(Lag("transition"), partition_by=[F("enrolment_id")], order_by=ordered),
        )
        .order_by()
        .values("enrolment_id", "transition", "created_at", "previous_at", "previous_move")
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    cases, case_params = [], []
    for stage, (ends, begins) in STAGE_ENDS.items():
        cases.append(
            f"WHEN transition IN ({', '.join(['%s'] * len(ends))}) "
            f"AND previous_move IN ({', '.join(['%s'] * len(begins))}) THEN %s"
        )
        case_params += [*ends, *begins, stage]
    if connection.vendor == "postgresql":
        days = "EXTRACT(EPOCH FROM (created_at - previous_at)) / 86400.0"
    else:
        days = "(julianday(created_at) - julianday(previous_at))"
    sql = (
        f"SELECT enrolment_id, stage, created_at AS ended_at, days FROM (SELECT enrolment_id, "
        f"CASE {' '.join(cases)} END AS stage, created_at, {days} AS days FROM ({inner_sql}) moves "
        f"WHERE previous_at IS NOT NULL) d WHERE stage IS NOT NULL"
    )
    return sql, [*case_params, *inner_params]


def is_stale() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {_table(StateLog)}), "
            f"(SELECT MAX(last_state_log_id) FROM {_table(StageDurationsUpTo)})"
        )
        newest, done = cursor.fetchone()
    return (newest or 0) > (done or 0)


def refresh() -> bool:
    """Derive the durations of every enrolment that moved since the last refresh; True if any did."""
    if not is_stale():
        return False
    with transaction.atomic():
        mark = StageDurationsUpTo.objects.select_for_update().filter(pk=1).first()
        if mark is None:  # the migration makes it; a database flushed since may lack it
            mark = StageDurationsUpTo.objects.create(pk=1)
        newest = StateLog.objects.aggregate(newest=Max("id"))["newest"] or 0
        if newest <= mark.last_state_log_id:
            return False  # another refresh did it while this one waited for the lock
        since = max(0, mark.last_state_log_id - REDO_OVERLAP) if mark.last_state_log_id else 0
        moved = f"SELECT DISTINCT enrolment_id FROM {_table(StateLog)} WHERE id > %s AND id <= %s"
        durations, params = durations_sql(moved, [since, newest])
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_table(StageDuration)} WHERE enrolment_id IN ({moved})", [since, newest])
            cursor.execute(
                f"INSERT INTO {_table(StageDuration)} "
                "(enrolment_id, batch_id, track_id, institution_id, stage, ended_at, days) "
                "SELECT d.enrolment_id, e.batch_id, e.track_id, b.institution_id, d.stage, d.ended_at, d.days "
                f"FROM ({durations}) d JOIN {_table(Enrolment)} e ON e.id = d.enrolment_id "
                f"JOIN {_table(TrainingBatch)} b ON b.id = e.batch_id",
                params,
            )
        StageDurationsUpTo.objects.filter(pk=mark.pk).update(last_state_log_id=newest)
    return True
