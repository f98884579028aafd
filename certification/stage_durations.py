"""The durations behind "days per stage" (certification.statistics), kept in StageDuration.

Ranking every stage's duration straight from the StateLog means a window over every move of every
enrolment: seconds at 100,000 enrolments, before the first figure shows. So the durations are
derived once and kept, and the page ranks a narrow table instead. The derivation is the one the
statistics module documents (each move that ends a stage minus the move before it of the same
enrolment), done in the database, and redone for every enrolment whose history grew: the rows
always equal what the StateLog says (tests/workflows/test_statistics_page.py compares).

certification.derived_figures keeps them, with the enrolments' other derived rows, up to date.
"""

from django.db import connection
from django.db.models import F, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lag

from .models import StateLog

# The move that ends each stage, and the moves that may begin it.
STAGE_ENDS = {
    "approval": (["approve"], ["submit", "resubmit"]),
    "review": (["pass", "fail", "return_for_correction"], ["submit_results"]),
    "publicity": (["close_publicity"], ["open_publicity"]),
    "issuance": (["issue"], ["close_publicity"]),
}
MOVES = sorted({m for ends, begins in STAGE_ENDS.values() for m in ends + begins})


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
