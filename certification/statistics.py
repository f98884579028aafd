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
from django.db.models import Count, Q, QuerySet, Value
from django.utils import timezone

from . import derived_figures, stage_durations
from .models import EnrolmentFigures, Institution, StageDuration, Track, TrainingBatch


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

    def derived(self) -> Q:
        """The filters other than the period, on a derived table (EnrolmentFigures, StageDuration:
        track, institution and batch copied in); the level through the batches of that level, so
        that the table is read without a join."""
        conditions = {"track_id": self.track_id, "institution_id": self.institution_id, "batch_id": self.batch_id}
        condition = Q(**{field: value for field, value in conditions.items() if value is not None})
        if self.level is not None:
            condition &= Q(batch_id__in=TrainingBatch.objects.filter(level=self.level).values("pk"))
        return condition

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

FUNNEL_STAGES = derived_figures.FUNNEL_STAGES
EXITS = derived_figures.EXITS


@dataclass(frozen=True)
class FunnelStage:
    status: str
    reached: int
    left: dict[str, int]  # exit status → enrolments that left the normal way at this stage


def funnel(scope: Scope) -> list[FunnelStage]:
    """One query over EnrolmentFigures, whose `furthest_stage` and `exit_status` say where each
    enrolment is (certification.derived_figures derives them as the definition above says)."""
    derived_figures.refresh()
    rows = (
        EnrolmentFigures.objects.filter(scope.derived(), scope.period("created_at"), furthest_stage__isnull=False)
        .order_by()
        .values_list("furthest_stage", "exit_status")
        .annotate(n=Count("*"))
    )
    at = [0] * len(FUNNEL_STAGES)
    left: list[dict[str, int]] = [dict.fromkeys(EXITS, 0) for _ in FUNNEL_STAGES]
    for index, exit_status, n in rows:
        at[index] += n
        if exit_status:
            left[index][exit_status] += n
    reached = [sum(at[index:]) for index in range(len(at))]
    return [FunnelStage(stage, reached[i], left[i]) for i, stage in enumerate(FUNNEL_STAGES)]


# Trained and certified per month ------------------------------------------------------------------

TRAINED, CERTIFIED = derived_figures.TRAINED, derived_figures.CERTIFIED
# The move → its time in EnrolmentFigures (each move is made at most once by an enrolment).
MOVE_AT = {TRAINED: "trained_at", CERTIFIED: "certified_at"}
MONTH_OF = {TRAINED: "trained_month", CERTIFIED: "certified_month"}


def moves_made(scope: Scope, move: str) -> QuerySet[EnrolmentFigures]:
    """The enrolments selected whose `move` (TRAINED or CERTIFIED) was made in the period."""
    field = MOVE_AT[move]
    return EnrolmentFigures.objects.filter(scope.derived(), scope.period(field), **{f"{field}__isnull": False})


def monthly_moves(scope: Scope) -> dict[tuple[date, int, str], int]:
    """(first day of the month, track id, TRAINED or CERTIFIED) → moves made; one query over
    EnrolmentFigures, whose rows carry each move's local month (derived once, when the move is)."""
    derived_figures.refresh()
    counted = [
        moves_made(scope, move)
        .annotate(move=Value(move))
        .order_by()
        .values_list(MONTH_OF[move], "track_id", "move")
        .annotate(n=Count("*"))
        for move in MOVE_AT
    ]
    return {(month, track_id, move): n for month, track_id, move, n in counted[0].union(counted[1], all=True)}


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
    """By track and institution; two queries: the counts over EnrolmentFigures alone (the first
    attempt's decision and whether a later one passed are in each enrolment's row; joining the
    institutions' names would make SQLite read the rows instead of an index), then the names."""
    derived_figures.refresh()
    rows = list(
        EnrolmentFigures.objects.filter(scope.derived(), scope.period("first_decided_at"))
        .filter(first_decided_at__isnull=False)
        .order_by()
        .values_list("track_id", "institution_id")
        .annotate(
            assessed=Count("*"),
            passed_first=Count("pk", filter=Q(passed_first=True)),
            passed_later=Count("pk", filter=Q(passed_later=True)),
        )
    )
    names = dict(Institution.objects.values_list("pk", "name"))
    return [
        PassCounts(track_id, institution_id, names[institution_id], assessed, first, first + later)
        for track_id, institution_id, assessed, first, later in rows
    ]


# Days per stage ------------------------------------------------------------------------------------

STAGE_ENDS = stage_durations.STAGE_ENDS


@dataclass(frozen=True)
class StageDays:
    stage: str
    count: int
    median: float | None
    p90: float | None


PERCENTILES = (0.5, 0.9)


def days_per_stage(scope: Scope) -> list[StageDays]:
    """Median and 90th percentile of the days each stage took; one query on PostgreSQL, two elsewhere
    (and a refresh of the derived rows when something moved since the last one:
    certification.derived_figures)."""
    derived_figures.refresh()
    durations = StageDuration.objects.filter(scope.derived(), scope.period("ended_at"))
    sorted_in_database = connection.vendor == "postgresql"
    found = _percentiles_sorted(durations) if sorted_in_database else _percentiles_walked(durations)
    return [StageDays(stage, *found.get(stage, (0, None, None))) for stage in STAGE_ENDS]


def _percentiles_sorted(durations: QuerySet[StageDuration]) -> dict[str, tuple[int, float | None, float | None]]:
    """PostgreSQL's own percentile_cont: one sort of each stage's durations, shared by both."""
    sql, params = durations.values("stage", "days").query.sql_with_params()
    fractions = ", ".join(f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY days)" for fraction in PERCENTILES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stage, COUNT(*), {fractions} FROM ({sql}) d GROUP BY stage", params)
        return {stage: (n, *map(float, values)) for stage, n, *values in cursor.fetchall()}


def _percentiles_walked(durations: QuerySet[StageDuration]) -> dict[str, tuple[int, float | None, float | None]]:
    """Without a percentile function (SQLite), ranking 330,000 durations in a window costs seconds,
    and walking an index already in order costs milliseconds: count each stage's durations, then
    read only the (at most four) ranks its percentiles interpolate between, each as LIMIT 2 OFFSET
    rank along the index on (stage, days, and every filter's column), which is read alone."""
    sizes = dict(durations.order_by().values_list("stage").annotate(n=Count("*")))
    parts, params = [], []
    for stage, n in sizes.items():
        for below in sorted({int((n - 1) * fraction) for fraction in PERCENTILES}):
            ranked = durations.filter(stage=stage).order_by("days").values_list("days")[below : below + 2]
            sql, ranked_params = ranked.query.sql_with_params()
            parts.append(f"SELECT %s, %s, days FROM ({sql}) ranked")
            params += [stage, below, *ranked_params]
    read: dict[tuple[str, int], list[float]] = {}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for stage, below, days in cursor.fetchall():
                read.setdefault((stage, below), []).append(days)
    values: dict[str, dict[int, float]] = {stage: {} for stage in sizes}
    for (stage, below), days in read.items():
        # The rank read and the next one (LIMIT 2), sorted again: UNION ALL keeps no order.
        values[stage].update(enumerate(sorted(days), start=below))
    return {
        stage: (n, *[_interpolated(values[stage], n, fraction) for fraction in PERCENTILES])
        for stage, n in sizes.items()
    }


def _interpolated(values: dict[int, float], n: int, fraction: float) -> float:
    position = (n - 1) * fraction
    below = int(position)
    if below + 1 >= n:
        return values[below]
    return values[below] + (values[below + 1] - values[below]) * (position - below)
