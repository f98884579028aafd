"""The rows the statistics count instead of the history itself: StageDuration, EnrolmentFigures
and both counted by month (StageDurationsByMonth, FiguresByMonth).

At 100,000 enrolments each figure counted from the source rows is a pass over the enrolments,
their 700,000 moves or their attempts (seconds before the first figure shows). So what each
enrolment contributes is derived once, in the database, and kept: one narrow EnrolmentFigures row
per enrolment (certification/models/statistics.py says what each column is) and one StageDuration
row per stage it went through (certification.stage_durations). Even one aggregate over 100,000
short rows a figure is too slow for a first look (SQLite: 50–100 ms each), so both are also kept
counted per local month and every column a figure groups or filters by (a few thousand rows
each): a batch's counts are counted again whenever one of its enrolments is derived again. All of
them always equal what the rows say (tests/certification/test_derived_figures.py and
test_stage_durations.py compare).

`refresh()` runs on demand, before the figures are counted (one cheap query when nothing moved),
and from the scheduler (workflows.tasks), so that the page seldom waits for it. It derives again
every enrolment registered or moved since the last refresh, and those of the last REDO_OVERLAP
moves and registrations before it: a row whose transaction committed after a refresh had read past
its id is picked up next time. Every change the figures read comes with a move (an attempt is
decided, reset or added only by one: certification.lifecycle) or is a new enrolment; the batch,
track, institution and level copied in do not change once a batch has enrolments
(registration.update_batch refuses a new track or level then).
"""

import json
from typing import cast

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from core.sql import quoted_table

from . import stage_durations
from .models import (
    AssessmentAttempt,
    AttemptOutcome,
    DerivedFiguresUpTo,
    Enrolment,
    EnrolmentFigures,
    FiguresByMonth,
    StageDuration,
    StageDurationsByMonth,
    StateLog,
    TrainingBatch,
)
from .models import EnrolmentStatus as S

REDO_OVERLAP = 1000

# The funnel's stages of the normal way (certification.statistics reads the same lists).
FUNNEL_STAGES = [S.DRAFT, S.SUBMITTED, S.ENROLLED, S.TRAINED, S.UNDER_REVIEW, S.PASSED, S.IN_PUBLICITY, S.CERTIFIED]
# How far along the normal way each status is (an index into FUNNEL_STAGES). `ready_to_issue` has
# passed 公示 and counts up to 公示; `revoked` counts as certified; an exit counts where it left.
REACHED = {
    S.DRAFT: 0,
    S.SUBMITTED: 1,
    S.REJECTED: 1,
    S.ENROLLED: 2,
    S.TRAINED: 3,
    S.UNDER_REVIEW: 4,
    S.FAILED: 4,
    S.PASSED: 5,
    S.IN_PUBLICITY: 6,
    S.DISQUALIFIED: 6,
    S.READY_TO_ISSUE: 6,
    S.CERTIFIED: 7,
    S.REVOKED: 7,
}
EXITS = [S.REJECTED, S.FAILED, S.WITHDRAWN, S.DISQUALIFIED]
TRAINED, CERTIFIED = "complete_training", "issue"
COLUMNS = [
    "enrolment_id",
    "batch_id",
    "institution_id",
    "track_id",
    "level",
    "created_at",
    "furthest_stage",
    "exit_status",
    "trained_at",
    "trained_month",
    "certified_at",
    "certified_month",
    "first_decided_at",
    "passed_first",
    "passed_later",
]


def figures_sql(enrolments_sql: str, enrolments_params: list) -> tuple[str, list]:
    """SELECT the EnrolmentFigures columns (in COLUMNS' order) of the enrolments that the SQL
    `enrolments_sql` (a list of ids) selects: their status, their moves into training done, into
    certified and into withdrawn (one GROUP BY over the log), their first attempt and any later one
    passed."""
    moves = (
        "SELECT enrolment_id, MIN(CASE WHEN transition = %s THEN created_at END) AS trained_at, "
        "MIN(CASE WHEN transition = %s THEN created_at END) AS certified_at, "
        "MAX(CASE WHEN to_status = %s THEN from_status END) AS withdrawn_from "
        f"FROM {quoted_table(StateLog)} WHERE (transition IN (%s, %s) OR to_status = %s) "
        f"AND enrolment_id IN ({enrolments_sql}) GROUP BY enrolment_id"
    )
    stages = " ".join(f"WHEN %s THEN {index}" for index in REACHED.values())
    trained_month, trained_month_params = _local_month("m.trained_at")
    certified_month, certified_month_params = _local_month("m.certified_at")
    exits = ", ".join(["%s"] * len(EXITS))
    sql = (
        # The status the funnel places an enrolment by: a withdrawn one's is where it left from.
        "SELECT e.id, e.batch_id, b.institution_id, e.track_id, b.level, e.created_at, "
        f"CASE CASE WHEN e.status = %s THEN m.withdrawn_from ELSE e.status END {stages} END, "
        f"CASE WHEN e.status IN ({exits}) THEN e.status ELSE '' END, "
        f"m.trained_at, {trained_month}, m.certified_at, {certified_month}, "
        "CASE WHEN a.outcome IN (%s, %s) THEN a.reviewed_at END, "
        "(a.outcome IS NOT NULL AND a.outcome = %s), "
        f"EXISTS (SELECT 1 FROM {quoted_table(AssessmentAttempt)} later WHERE later.enrolment_id = e.id "
        "AND later.number > 1 AND later.outcome = %s) "
        f"FROM {quoted_table(Enrolment)} e JOIN {quoted_table(TrainingBatch)} b ON b.id = e.batch_id "
        f"LEFT JOIN ({moves}) m ON m.enrolment_id = e.id "
        f"LEFT JOIN {quoted_table(AssessmentAttempt)} a ON a.enrolment_id = e.id AND a.number = 1 "
        f"WHERE e.id IN ({enrolments_sql})"
    )
    constants = [
        S.WITHDRAWN,
        *REACHED,
        *EXITS,
        *trained_month_params,
        *certified_month_params,
        AttemptOutcome.PASSED,
        AttemptOutcome.FAILED,
        AttemptOutcome.PASSED,
        AttemptOutcome.PASSED,
        TRAINED,
        CERTIFIED,
        S.WITHDRAWN,
        TRAINED,
        CERTIFIED,
        S.WITHDRAWN,
    ]
    # Plain strings: the driver is given no enum members.
    return sql, [*map(str, constants), *enrolments_params, *enrolments_params]


def _local_month(column: str) -> tuple[str, list]:
    """SQL: the first day of `column`'s month in the office's time zone, as a date."""
    truncated = connection.ops.datetime_trunc_sql("month", column, (), timezone.get_default_timezone_name())
    sql, params = cast(tuple[str, tuple], truncated)  # (SQL, parameters) since Django 4.1; the stubs say str
    return (f"CAST(({sql}) AS date)" if connection.vendor == "postgresql" else f"substr({sql}, 1, 10)"), list(params)


def is_stale() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {quoted_table(StateLog)}), (SELECT MAX(id) FROM {quoted_table(Enrolment)}), "
            f"(SELECT MAX(last_state_log_id) FROM {quoted_table(DerivedFiguresUpTo)}), "
            f"(SELECT MAX(last_enrolment_id) FROM {quoted_table(DerivedFiguresUpTo)})"
        )
        newest_move, newest_enrolment, moves_done, enrolments_done = cursor.fetchone()
    return (newest_move or 0) > (moves_done or 0) or (newest_enrolment or 0) > (enrolments_done or 0)


def refresh() -> bool:
    """Derive the rows of every enrolment registered or moved since the last refresh; True if any."""
    if not is_stale():
        return False
    with transaction.atomic():
        mark = DerivedFiguresUpTo.objects.select_for_update().filter(pk=1).first()
        if mark is None:  # the migration makes it; a database flushed since may lack it
            mark = DerivedFiguresUpTo.objects.create(pk=1)
        newest_move = StateLog.objects.aggregate(newest=Max("id"))["newest"] or 0
        newest_enrolment = Enrolment.objects.aggregate(newest=Max("id"))["newest"] or 0
        if newest_move <= mark.last_state_log_id and newest_enrolment <= mark.last_enrolment_id:
            return False  # another refresh did it while this one waited for the lock
        _derive(mark, newest_move, newest_enrolment)
        DerivedFiguresUpTo.objects.filter(pk=mark.pk).update(
            last_state_log_id=newest_move, last_enrolment_id=newest_enrolment
        )
    return True


def _derive(mark: DerivedFiguresUpTo, newest_move: int, newest_enrolment: int) -> None:
    from_move = max(0, mark.last_state_log_id - REDO_OVERLAP) if mark.last_state_log_id else 0
    from_enrolment = max(0, mark.last_enrolment_id - REDO_OVERLAP) if mark.last_enrolment_id else 0
    everything = not mark.last_state_log_id and not mark.last_enrolment_id
    if everything:
        moved, params = f"SELECT id FROM {quoted_table(Enrolment)} WHERE id <= %s", [newest_enrolment]
    else:
        moved = (
            f"SELECT enrolment_id FROM {quoted_table(StateLog)} WHERE id > %s AND id <= %s "
            f"UNION SELECT id FROM {quoted_table(Enrolment)} WHERE id > %s AND id <= %s"
        )
        params = [from_move, newest_move, from_enrolment, newest_enrolment]
    durations, durations_params = stage_durations.durations_sql(moved, params)
    figures, figures_params = figures_sql(moved, params)
    with connection.cursor() as cursor:
        for model in (StageDuration, EnrolmentFigures):
            if everything:
                cursor.execute(f"DELETE FROM {quoted_table(model)}")
            else:
                cursor.execute(f"DELETE FROM {quoted_table(model)} WHERE enrolment_id IN ({moved})", params)
        cursor.execute(
            f"INSERT INTO {quoted_table(StageDuration)} "
            "(enrolment_id, batch_id, track_id, institution_id, level, stage, ended_at, days) "
            "SELECT d.enrolment_id, e.batch_id, e.track_id, b.institution_id, b.level, d.stage, d.ended_at, d.days "
            f"FROM ({durations}) d JOIN {quoted_table(Enrolment)} e ON e.id = d.enrolment_id "
            f"JOIN {quoted_table(TrainingBatch)} b ON b.id = e.batch_id",
            durations_params,
        )
        cursor.execute(f"INSERT INTO {quoted_table(EnrolmentFigures)} ({', '.join(COLUMNS)}) {figures}", figures_params)
        # The counts by month of every batch with an enrolment derived again, counted again (an
        # enrolment never changes batch: its batch's are the only counts its rows were in).
        cursor.execute(f"SELECT DISTINCT batch_id FROM {quoted_table(Enrolment)} WHERE id IN ({moved})", params)
        of_batches, batch_params = _among(" AND batch_id", [batch_id for (batch_id,) in cursor.fetchall()])
        for counts in (FiguresByMonth, StageDurationsByMonth):
            if everything:
                cursor.execute(f"DELETE FROM {quoted_table(counts)}")
            else:
                cursor.execute(f"DELETE FROM {quoted_table(counts)} WHERE 1 = 1{of_batches}", batch_params)
        _count_by_month(cursor, of_batches=of_batches, batch_params=batch_params)


def _among(column: str, ids: list[int]) -> tuple[str, list]:
    """SQL: `column` is one of `ids`, however many, as one parameter (a list of hundreds of batch
    ids written out would be a statement per few hundred on SQLite; a subquery instead of the list
    makes PostgreSQL misjudge it and read every row)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]


# FiguresByMonth's moment → the EnrolmentFigures column of its time, the column of its local month
# if the row has one (else it is computed), and the columns counted with it (the others are left
# at null, "" and false).
MOMENTS = {
    FiguresByMonth.Moment.REGISTERED: ("created_at", None, ["furthest_stage", "exit_status"]),
    FiguresByMonth.Moment.TRAINED: ("trained_at", "trained_month", []),
    FiguresByMonth.Moment.CERTIFIED: ("certified_at", "certified_month", []),
    FiguresByMonth.Moment.FIRST_DECIDED: ("first_decided_at", None, ["passed_first", "passed_later"]),
}
CELL_DEFAULTS = {"furthest_stage": None, "exit_status": "", "passed_first": False, "passed_later": False}
# A draft never submitted may still be deleted (registration.delete_draft_enrolment), with nothing
# to say so to a refresh: drafts (where the funnel places nothing but a draft) are left out of the
# counts, and certification.statistics counts them from their rows (statistics.DRAFTS).
NOT_A_DRAFT = "(furthest_stage IS NULL OR furthest_stage <> 0 OR exit_status <> '')"


def _count_by_month(cursor, *, of_batches: str, batch_params: list) -> None:
    """Write the counts by month (FiguresByMonth, StageDurationsByMonth) of the EnrolmentFigures
    and StageDuration rows that the SQL condition `of_batches` (" AND …") selects."""
    grouped = ["batch_id", "institution_id", "track_id", "level"]
    # Grouped by position: the month's expression appears once, with its parameters once.
    for moment, (column, month_column, counted) in MOMENTS.items():
        month, month_params = (month_column, []) if month_column else _local_month(column)
        defaults = {name: value for name, value in CELL_DEFAULTS.items() if name not in counted}
        columns = [*grouped, *counted]
        where = f"{column} IS NOT NULL AND {NOT_A_DRAFT}{of_batches}"
        cursor.execute(
            f"INSERT INTO {quoted_table(FiguresByMonth)} (moment, month, {', '.join(columns + list(defaults))}, n) "
            f"SELECT %s, {month}, {', '.join(columns + ['%s'] * len(defaults))}, COUNT(*) "
            f"FROM {quoted_table(EnrolmentFigures)} WHERE {where} GROUP BY {_positions(2, columns)}",
            [str(moment), *month_params, *defaults.values(), *batch_params],
        )
    month, month_params = _local_month("ended_at")
    columns = ["stage", *grouped]
    cursor.execute(
        f"INSERT INTO {quoted_table(StageDurationsByMonth)} (month, {', '.join(columns)}, n) "
        f"SELECT {month}, {', '.join(columns)}, COUNT(*) FROM {quoted_table(StageDuration)} "
        f"WHERE 1 = 1{of_batches} GROUP BY {_positions(1, columns)}",
        [*month_params, *batch_params],
    )


def _positions(month: int, columns: list[str]) -> str:
    """GROUP BY the month (at position `month` of the SELECT) and the `columns` after it."""
    return ", ".join(str(position) for position in range(month, month + len(columns) + 1))
