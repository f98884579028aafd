"""The programme's figures (docs/spec.md §10): what the domain's own rows say, aggregated in the database.

Every function takes a `Scope` (the page's filters; an institution's staff always have their own
institution in it) and costs a fixed number of queries, whatever the number of enrolments.

Definitions, as the statistics page states them:

- **Period.** `date_from`/`date_to` (both days included, local time) select what happened in the
  period: for the funnel, enrolments *registered* (created) in it; for the monthly figures, the
  moves made in it; for pass rates, first attempts *decided* in it; for days per stage, stages
  that *ended* in it. Track, level (the batch's), institution and batch select enrolments.
- **Funnel.** Each enrolment counts once, at the furthest stage of the normal way that its current
  status has reached: registered (draft) → submitted → enrolled → trained → under review → passed →
  公示 → certified. `ready_to_issue` has passed 公示 and counts up to 公示; `revoked` counts as
  certified. An enrolment that left the normal way counts up to the stage it left from, and is
  shown as leaving there: rejected (at submitted), failed (at under review), disqualified (at 公示,
  an objection upheld), withdrawn (at the status its withdrawal's StateLog row moved it from).
  `reached[stage]` is the number of enrolments at that stage or further. A failed candidate who
  resits is back at "trained" until the resit is decided.
- **Trained / certified per month.** The StateLog's `complete_training` moves (once per enrolment:
  returns for correction and resits are other moves) and `issue` moves, by the month (local time)
  in which they were made, by track.
- **Pass rate.** Of the enrolments whose first attempt was decided (passed or failed) in the
  period: the share passed at the first attempt, and the share with a passed attempt at all (after
  resits, whenever decided). An attempt returned for correction is not decided.
- **Days per stage.** From the StateLog: each move that ends a stage, minus the move before it of
  the same enrolment, which is the one that began it: approval = submit/resubmit → approve;
  review = submit_results → pass/fail/return for correction (every review round counts); 公示 =
  open → close; issuance = close (ready to issue) → issue. Median and 90th percentile are
  continuous (interpolated, as PostgreSQL's percentile_cont), in days.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from . import stage_durations
from .models import AssessmentAttempt, AttemptOutcome, Enrolment, StageDuration, StateLog, Track
from .models import EnrolmentStatus as S


@dataclass(frozen=True)
class Scope:
    """The figures' filters. `institution_id` is forced to their own for an institution's staff."""

    date_from: date | None = None
    date_to: date | None = None
    track_id: int | None = None
    level: int | None = None
    institution_id: int | None = None
    batch_id: int | None = None

    def enrolments(self, prefix: str = "") -> Q:
        """The enrolments selected, as a condition on a model reaching Enrolment through `prefix`."""
        return Q(**{prefix + field: value for field, value in self.lookups().items()})

    def lookups(self) -> dict:
        """The filters other than the period, as keyword lookups on Enrolment."""
        conditions = {
            "track_id": self.track_id,
            "batch__level": self.level,
            "batch__institution_id": self.institution_id,
            "batch_id": self.batch_id,
        }
        return {field: value for field, value in conditions.items() if value is not None}

    def period(self, field: str) -> Q:
        """`field` (a datetime) within the period, as a range the database's index can use."""
        condition = Q()
        if self.date_from is not None:
            condition &= Q(**{f"{field}__gte": _start_of(self.date_from)})
        if self.date_to is not None:
            condition &= Q(**{f"{field}__lt": _start_of(self.date_to + timedelta(days=1))})
        return condition


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# The funnel ----------------------------------------------------------------------------------------

FUNNEL_STAGES = [S.DRAFT, S.SUBMITTED, S.ENROLLED, S.TRAINED, S.UNDER_REVIEW, S.PASSED, S.IN_PUBLICITY, S.CERTIFIED]
# How far along the normal way each status is (an index into FUNNEL_STAGES).
_REACHED = {
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


@dataclass(frozen=True)
class FunnelStage:
    status: str
    reached: int
    left: dict[str, int]  # exit status → enrolments that left the normal way at this stage


def funnel(scope: Scope) -> list[FunnelStage]:
    """Two queries: enrolments by current status, withdrawn ones by where they were withdrawn from."""
    enrolments = Enrolment.objects.filter(scope.enrolments(), scope.period("created_at"))
    by_status = dict(enrolments.order_by().values_list("status").annotate(n=Count("pk")))
    withdrawn_from = dict(
        StateLog.objects.filter(
            to_status=S.WITHDRAWN,
            enrolment__status=S.WITHDRAWN,
            **{f"enrolment__{k}": v for k, v in _lookups(scope).items()},
        )
        .order_by()
        .values_list("from_status")
        .annotate(n=Count("enrolment_id", distinct=True))
    )
    at = [0] * len(FUNNEL_STAGES)
    left: list[dict[str, int]] = [dict.fromkeys(EXITS, 0) for _ in FUNNEL_STAGES]
    for status, n in by_status.items():
        if status == S.WITHDRAWN:
            continue
        at[_REACHED[status]] += n
        if status in EXITS:
            left[_REACHED[status]][status] += n
    for status, n in withdrawn_from.items():
        at[_REACHED[status]] += n
        left[_REACHED[status]][S.WITHDRAWN] += n
    reached = [sum(at[index:]) for index in range(len(at))]
    return [FunnelStage(stage, reached[i], left[i]) for i, stage in enumerate(FUNNEL_STAGES)]


def _lookups(scope: Scope) -> dict:
    """The scope as keyword lookups on Enrolment (for `enrolment__…` through another model)."""
    lookups = scope.lookups()
    if scope.date_from is not None:
        lookups["created_at__gte"] = _start_of(scope.date_from)
    if scope.date_to is not None:
        lookups["created_at__lt"] = _start_of(scope.date_to + timedelta(days=1))
    return lookups


# Trained and certified per month ------------------------------------------------------------------

TRAINED, CERTIFIED = "complete_training", "issue"


def monthly_moves(scope: Scope) -> dict[tuple[date, int, str], int]:
    """(first day of the month, track id, TRAINED or CERTIFIED) → moves made; two queries: the first
    and last move, then the moves counted by month. The month is found by comparing with the local
    month boundaries (a CASE), which every database does in its own code: SQLite would otherwise
    call back into Python for every row to truncate a date to its month in the local time zone."""
    moves = StateLog.objects.filter(scope.enrolments("enrolment__"), scope.period("created_at")).filter(
        transition__in=[TRAINED, CERTIFIED]
    )
    bounds = moves.order_by().aggregate(first=Min("created_at"), last=Max("created_at"))
    if bounds["first"] is None:
        return {}
    months = _months_of(timezone.localdate(bounds["first"]), timezone.localdate(bounds["last"]))
    month_of = Case(
        *[When(created_at__lt=_start_of(end), then=Value(index)) for index, end in enumerate(months[1:])],
        default=Value(len(months) - 2),
        output_field=IntegerField(),
    )
    rows = (
        moves.annotate(month=month_of)
        .order_by()
        .values_list("month", "enrolment__track_id", "transition")
        .annotate(n=Count("pk"))
    )
    return {(months[index], track_id, move): n for index, track_id, move, n in rows}


def _months_of(first: date, last: date) -> list[date]:
    """The first day of each month from `first`'s to `last`'s, and of the month after."""
    months = [first.replace(day=1)]
    while months[-1] <= last:
        month = months[-1]
        months.append(date(month.year + month.month // 12, month.month % 12 + 1, 1))
    return months


def tracks() -> list[Track]:
    return list(Track.objects.order_by("code"))


# Pass rates --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassCounts:
    track_id: int
    institution_id: int
    institution_name: str
    assessed: int  # first attempt decided
    passed_first: int
    passed_eventually: int


def pass_counts(scope: Scope) -> list[PassCounts]:
    """By track and institution; one query."""
    passed_later = AssessmentAttempt.objects.filter(
        enrolment_id=OuterRef("enrolment_id"), number__gt=1, outcome=AttemptOutcome.PASSED
    )
    rows = (
        AssessmentAttempt.objects.filter(scope.enrolments("enrolment__"), scope.period("reviewed_at"))
        .filter(number=1, outcome__in=[AttemptOutcome.PASSED, AttemptOutcome.FAILED])
        .order_by()
        .values_list("enrolment__track_id", "enrolment__batch__institution_id", "enrolment__batch__institution__name")
        .annotate(
            assessed=Count("pk"),
            passed_first=Count("pk", filter=Q(outcome=AttemptOutcome.PASSED)),
            passed_later=Count("pk", filter=Q(Exists(passed_later))),
        )
    )
    return [
        PassCounts(track_id, institution_id, name, assessed, first, first + later)
        for track_id, institution_id, name, assessed, first, later in rows
    ]


# Days per stage ------------------------------------------------------------------------------------

STAGE_ENDS = stage_durations.STAGE_ENDS


@dataclass(frozen=True)
class StageDays:
    stage: str
    count: int
    median: float | None
    p90: float | None


def days_per_stage(scope: Scope) -> list[StageDays]:
    """Median and 90th percentile of the days each stage took; one query (and a refresh of the
    durations when something moved since the last one: certification.stage_durations)."""
    stage_durations.refresh()
    lookups = {
        "track_id": scope.track_id,
        "batch__level": scope.level,
        "institution_id": scope.institution_id,
        "batch_id": scope.batch_id,
    }
    durations = StageDuration.objects.filter(
        scope.period("ended_at"), **{k: v for k, v in lookups.items() if v is not None}
    ).values("stage", "days")
    sql, params = durations.query.sql_with_params()
    found = _percentiles(sql, list(params))
    return [StageDays(stage, *found.get(stage, (0, None, None))) for stage in STAGE_ENDS]


def _percentiles(durations: str, params: list) -> dict[str, tuple[int, float | None, float | None]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT stage, COUNT(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY days), "
                f"percentile_cont(0.9) WITHIN GROUP (ORDER BY days) FROM ({durations}) d "
                "WHERE stage IS NOT NULL GROUP BY stage",
                params,
            )
            return {stage: (n, float(median), float(p90)) for stage, n, median, p90 in cursor.fetchall()}
        # No percentile function elsewhere: rank the durations per stage and fetch only the (at most
        # four) ranks that the two percentiles interpolate between.
        cursor.execute(
            "SELECT stage, n, rank, days FROM (SELECT stage, days, "
            "ROW_NUMBER() OVER (PARTITION BY stage ORDER BY days) - 1 AS rank, "
            # The same window as the rank's, so that the durations are sorted once.
            "COUNT(*) OVER (PARTITION BY stage ORDER BY days ROWS BETWEEN UNBOUNDED PRECEDING "
            f"AND UNBOUNDED FOLLOWING) AS n FROM ({durations}) d WHERE stage IS NOT NULL) ranked "
            "WHERE rank IN (CAST((n - 1) * 0.5 AS INTEGER), CAST((n - 1) * 0.5 AS INTEGER) + 1, "
            "CAST((n - 1) * 0.9 AS INTEGER), CAST((n - 1) * 0.9 AS INTEGER) + 1)",
            params,
        )
        ranked: dict[str, dict[int, float]] = {}
        sizes: dict[str, int] = {}
        for stage, n, rank, value in cursor.fetchall():
            ranked.setdefault(stage, {})[rank] = value
            sizes[stage] = n
    return {
        stage: (sizes[stage], _interpolated(values, sizes[stage], 0.5), _interpolated(values, sizes[stage], 0.9))
        for stage, values in ranked.items()
    }


def _interpolated(values: dict[int, float], n: int, fraction: float) -> float:
    position = (n - 1) * fraction
    below = int(position)
    if below + 1 >= n:
        return values[below]
    return values[below] + (values[below + 1] - values[below]) * (position - below)


def enrolments_in(scope: Scope) -> QuerySet[Enrolment]:
    """The enrolments the filters select (without the period), for the other apps' figures."""
    return Enrolment.objects.filter(scope.enrolments())
