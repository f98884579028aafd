"""The figures that need the assessment flow and the public notice (docs/spec.md §10): assessors'
workload and objections. Same `Scope` as certification.statistics; a fixed number of queries.

- **Workload**, per assessor (the owner of review and second-review tasks): open = claimed and not
  yet done (unclaimed tasks waiting in the queue are one row without an assessor); decided = done
  in the period; average days = from claim to decision of the decided ones.
- **Objections**, per track: lodged in the period (against the selected enrolments), and of those
  upheld (the candidate disqualified), dismissed, still open.
"""

from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification.models import User
from certification.statistics import Scope
from workflows.flows import AssessmentFlow
from workflows.models import Objection, ObjectionStatus

_ENROLMENT = "process__assessmentprocess__enrolment__"
OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


@dataclass(frozen=True)
class Workload:
    assessor_id: int | None
    assessor_name: str
    open: int
    decided: int
    average_days: float | None


def assessor_workload(scope: Scope) -> list[Workload]:
    """Two queries: the tasks counted by owner (from an index alone: workflows migration 0006),
    then the owners' names."""
    decided = Q(status=STATUS.DONE) & scope.period("finished")
    rows = (
        Task.objects.filter(scope.enrolments(_ENROLMENT))
        .filter(flow_task__in=[AssessmentFlow.review, AssessmentFlow.second_review])
        .filter(Q(status__in=OPEN) | decided)
        .order_by()
        # Grouped by an expression, not the column: SQLite would otherwise walk the owner index to
        # group without sorting, reading every task's row, instead of the covering index.
        .annotate(owner_number=F("owner_id") + 0)
        .values_list("owner_number")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN)),
            decided=Count("pk", filter=decided),
            average=Avg(
                ExpressionWrapper(F("finished") - F("assigned"), output_field=DurationField()),
                filter=decided & Q(assigned__isnull=False),
            ),
        )
    )
    counted = list(rows)
    # Never an empty list (Django would skip the query): the same queries with or without owners.
    owners = [owner_id for owner_id, *_ in counted if owner_id is not None] or [0]
    names = {
        pk: f"{last}{first}".strip() or username or ""
        for pk, first, last, username in User.objects.filter(pk__in=owners).values_list(
            "pk", "first_name", "last_name", "username"
        )
    }
    found = [
        Workload(
            owner_id,
            names.get(owner_id, "") if owner_id is not None else "",
            open_,
            decided_,
            None if average is None else average.total_seconds() / 86400,
        )
        for owner_id, open_, decided_, average in counted
    ]
    return sorted(found, key=lambda row: (row.assessor_id is None, row.assessor_name, row.assessor_id or 0))


@dataclass(frozen=True)
class ObjectionCounts:
    track_id: int
    lodged: int
    upheld: int
    dismissed: int
    open: int


def objections(scope: Scope) -> list[ObjectionCounts]:
    """One query, grouped by track."""
    rows = (
        Objection.objects.filter(scope.enrolments("entry__enrolment__"), scope.period("lodged_at"))
        .order_by()
        .values_list("entry__enrolment__track_id")
        .annotate(
            lodged=Count("pk"),
            upheld=Count("pk", filter=Q(status=ObjectionStatus.UPHELD)),
            dismissed=Count("pk", filter=Q(status=ObjectionStatus.DISMISSED)),
            open=Count("pk", filter=Q(status=ObjectionStatus.OPEN)),
        )
    )
    return [ObjectionCounts(*row) for row in rows]
