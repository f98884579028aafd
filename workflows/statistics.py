"""The figures that need the assessment flow and the public notice (docs/spec.md §10): assessors'
workload and objections. Same `Scope` as certification.statistics; a fixed number of queries.

- **Workload**, per assessor (the owner of review and second-review tasks): open = claimed and not
  yet done (unclaimed tasks waiting in the queue are one row without an assessor); decided = done
  in the period; average days = from claim to decision of the decided ones.
- **Objections**, per track: lodged in the period (against the selected enrolments), and of those
  upheld (the candidate disqualified), dismissed, still open.
"""

from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from certification import derived_figures
from certification.models import EnrolmentFigures, User
from certification.statistics import Scope
from workflows import decided_reviews
from workflows.models import DecidedReview, Objection, ObjectionStatus

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
    """Three queries: the open tasks counted by owner (a few hundred at most, found by their
    status), the decided ones from DecidedReview (one narrow row each, read from an index alone:
    workflows.decided_reviews keeps them), then the owners' names."""
    derived_figures.refresh()  # the open tasks are selected through their enrolments' figures
    decided_reviews.refresh()
    open_tasks = (
        Task.objects.filter(flow_task__in=decided_reviews.REVIEWS, status__in=OPEN)
        .filter(_of_enrolments_selected(scope))
        .order_by()
        .annotate(owner_number=F("owner_id") + 0)
        .values_list("owner_number")
        .annotate(open=Count("pk"))
    )
    decided = (
        DecidedReview.objects.filter(scope.derived(), scope.period("finished"))
        .order_by()
        # Grouped by an expression, not the column, like the open tasks: the same plan whatever
        # index SQLite finds on the owner.
        .annotate(owner_number=F("owner_id") + 0)
        .values_list("owner_number")
        .annotate(
            decided=Count("pk"),
            average=Avg(
                ExpressionWrapper(F("finished") - F("assigned"), output_field=DurationField()),
                filter=Q(assigned__isnull=False),
            ),
        )
    )
    counted: dict[int | None, list] = {}
    for owner_id, open_ in open_tasks:
        counted[owner_id] = [open_, 0, None]
    for owner_id, decided_, average in decided:
        counted.setdefault(owner_id, [0, 0, None])[1:] = [decided_, average]
    # Never an empty list (Django would skip the query): the same queries with or without owners.
    owners = [owner_id for owner_id in counted if owner_id is not None] or [0]
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
        for owner_id, (open_, decided_, average) in counted.items()
    ]
    return sorted(found, key=lambda row: (row.assessor_id is None, row.assessor_name, row.assessor_id or 0))


def _of_enrolments_selected(scope: Scope) -> Q:
    """The open tasks of the enrolments the scope selects, each checked against its enrolment's
    EnrolmentFigures row (batch, track, institution, level in one row found by its key): the few
    open tasks lead, where a join would let SQLite start from the 30,000 enrolments of a track."""
    if not scope.lookups():
        return Q()
    of_enrolment = EnrolmentFigures.objects.filter(scope.derived(), enrolment_id=OuterRef(_ENROLMENT + "id"))
    return Q(Exists(of_enrolment))


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
