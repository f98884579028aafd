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
from django.db.models import Count, Q, QuerySet, Sum, Value
from django.utils import timezone

from . import derived_figures, stage_durations
from .models import EnrolmentFigures, FiguresByMonth, Institution, StageDuration, StageDurationsByMonth, Track

Moment = FiguresByMonth.Moment


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
        """The filters other than the period, on a derived table (EnrolmentFigures, StageDuration,
        FiguresByMonth: track, level, institution and batch copied in), read without a join."""
        conditions = {
            "track_id": self.track_id,
            "level": self.level,
            "institution_id": self.institution_id,
            "batch_id": self.batch_id,
        }
        return Q(**{field: value for field, value in conditions.items() if value is not None})

    def period(self, field: str) -> Q:
        """`field` (a datetime) within the period, as a range the database's index can use."""
        return _between(field, self.date_from, None if self.date_to is None else self.date_to + timedelta(days=1))

    def split_by_month(self) -> tuple[tuple[date | None, date | None] | None, list[tuple[date | None, date | None]]]:
        """The period as the local months it takes in whole, [first, end) (None: no whole month;
        either end None: unbounded), and the spans of days of the months it takes in part, each
        [from, until): FiguresByMonth counts the former, EnrolmentFigures' rows the latter."""
        start = self.date_from
        until = None if self.date_to is None else self.date_to + timedelta(days=1)
        first = start if start is None or start.day == 1 else _month_after(start)
        end = until if until is None or until.day == 1 else until.replace(day=1)
        if first is not None and end is not None and first >= end:
            return None, [(start, until)]  # within one month, or two months' parts
        parts: list[tuple[date | None, date | None]] = []
        if start is not None and first is not None and start < first:
            parts.append((start, first))
        if until is not None and end is not None and end < until:
            parts.append((end, until))
        return (first, end), parts


def _between(field: str, start: date | None, until: date | None) -> Q:
    """`field` (a datetime) on the local days from `start` to before `until` (None: unbounded)."""
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{field}__gte": _start_of(start)})
    if until is not None:
        condition &= Q(**{f"{field}__lt": _start_of(until)})
    return condition


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# The enrolments' figures, counted -------------------------------------------------------------------

# Each moment's time in EnrolmentFigures, and its local month where a figure groups by it.
MOMENT_AT = {
    Moment.REGISTERED: "created_at",
    Moment.TRAINED: "trained_at",
    Moment.CERTIFIED: "certified_at",
    Moment.FIRST_DECIDED: "first_decided_at",
}
MONTH_OF = {Moment.TRAINED: "trained_month", Moment.CERTIFIED: "certified_month"}
# The drafts, left out of FiguresByMonth (they may still be deleted: derived_figures.NOT_A_DRAFT)
# and counted from their rows, along an index of their own.
DRAFTS = Q(furthest_stage=0, exit_status="")


def counted(scope: Scope, moment: Moment, columns: list[str], *, label: str | None = None) -> list[QuerySet]:
    """The enrolments selected whose `moment` fell in the period, counted by `columns` (named as
    in FiguresByMonth; "month" is the moment's local month): the parts of one query, to be joined
    with UNION ALL, each giving the columns' values, then `label` if given, then the count.

    The months the period takes in whole are summed from FiguresByMonth (a few thousand rows for
    the whole history), the days of a month it takes in part counted from EnrolmentFigures (a
    month's rows at most, read along the index that leads with the moment's time). The same values
    may come from several parts: the caller adds them up."""
    in_rows = [MONTH_OF[moment] if column == "month" else column for column in columns]
    cells = FiguresByMonth.objects.filter(moment=moment)
    apart = DRAFTS if moment == Moment.REGISTERED else None
    return _by_month(scope, cells, EnrolmentFigures.objects.all(), MOMENT_AT[moment], columns, in_rows, label, apart)


def _by_month(
    scope: Scope,
    cells: QuerySet,
    rows: QuerySet,
    at: str,
    columns: list[str],
    row_columns: list[str],
    label: str | None = None,
    apart: Q | None = None,
) -> list[QuerySet]:
    """`counted`'s parts: the whole months from `cells` (counts by month, `n`), the days of the
    months taken in part from `rows`, whose time is `at`; `columns` of the cells are `row_columns`
    of the rows. The rows `apart` (None: none) are in no cell: counted from the rows, all period."""
    whole, partly = scope.split_by_month()
    labelled = {"label": Value(label)} if label is not None else {}
    parts: list[QuerySet] = []
    if apart is not None:
        rows_apart = rows.filter(apart, scope.derived(), scope.period(at)).annotate(**labelled).order_by()
        parts.append(rows_apart.values_list(*row_columns, *labelled).annotate(counted=Count("*")))
        rows = rows.exclude(apart)
    if whole is not None:
        first, end = whole
        months = Q()
        if first is not None:
            months &= Q(month__gte=first)
        if end is not None:
            months &= Q(month__lt=end)
        in_months = cells.filter(scope.derived(), months).annotate(**labelled).order_by()
        parts.append(in_months.values_list(*columns, *labelled).annotate(counted=Sum("n")))
    for start, until in partly:
        on_days = rows.filter(scope.derived(), _between(at, start, until)).annotate(**labelled).order_by()
        parts.append(on_days.values_list(*row_columns, *labelled).annotate(counted=Count("*")))
    return parts


def added_up(parts: list[QuerySet]) -> dict[tuple, int]:
    """Run the parts of `counted` (of one or several moments) as one query: values → count."""
    found: dict[tuple, int] = {}
    for *values, n in parts[0].union(*parts[1:], all=True):
        found[tuple(values)] = found.get(tuple(values), 0) + n
    return found


# The funnel ----------------------------------------------------------------------------------------

FUNNEL_STAGES = derived_figures.FUNNEL_STAGES
EXITS = derived_figures.EXITS


@dataclass(frozen=True)
class FunnelStage:
    status: str
    reached: int
    left: dict[str, int]  # exit status → enrolments that left the normal way at this stage


def funnel(scope: Scope) -> list[FunnelStage]:
    """One query over the enrolments' figures, whose `furthest_stage` and `exit_status` say where
    each enrolment is (certification.derived_figures derives them as the definition above says)."""
    derived_figures.refresh()
    rows = added_up(counted(scope, Moment.REGISTERED, ["furthest_stage", "exit_status"]))
    at = [0] * len(FUNNEL_STAGES)
    left: list[dict[str, int]] = [dict.fromkeys(EXITS, 0) for _ in FUNNEL_STAGES]
    for (index, exit_status), n in rows.items():
        if index is None:  # withdrawn with no withdrawal in its log: not counted
            continue
        at[index] += n
        if exit_status:
            left[index][exit_status] += n
    reached = [sum(at[index:]) for index in range(len(at))]
    return [FunnelStage(stage, reached[i], left[i]) for i, stage in enumerate(FUNNEL_STAGES)]


# Trained and certified per month ------------------------------------------------------------------

TRAINED, CERTIFIED = derived_figures.TRAINED, derived_figures.CERTIFIED
# The move → the moment it is counted at (each move is made at most once by an enrolment).
MOVE_MOMENT = {TRAINED: Moment.TRAINED, CERTIFIED: Moment.CERTIFIED}


def moves_made(scope: Scope, columns: list[str]) -> dict[tuple, int]:
    """(each of `columns`' values, TRAINED or CERTIFIED) → moves made in the period by the
    enrolments selected; one query."""
    derived_figures.refresh()
    return added_up(
        [part for move, moment in MOVE_MOMENT.items() for part in counted(scope, moment, columns, label=move)]
    )


def monthly_moves(scope: Scope) -> dict[tuple[date, int, str], int]:
    """(first day of the month, track id, TRAINED or CERTIFIED) → moves made; one query over the
    enrolments' figures, which carry each move's local month (derived once, when the move is)."""
    return moves_made(scope, ["month", "track_id"])


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
    """By track and institution; two queries: the counts over the enrolments' figures alone (the
    first attempt's decision and whether a later one passed are in each enrolment's row; joining
    the institutions' names would make SQLite read the rows instead of an index), then the names."""
    derived_figures.refresh()
    rows = added_up(
        counted(scope, Moment.FIRST_DECIDED, ["track_id", "institution_id", "passed_first", "passed_later"])
    )
    found: dict[tuple[int, int], list[int]] = {}
    for (track_id, institution_id, passed_first, passed_later), n in rows.items():
        counts = found.setdefault((track_id, institution_id), [0, 0, 0])
        counts[0] += n
        counts[1] += n if passed_first else 0
        counts[2] += n if passed_later else 0
    names = dict(Institution.objects.values_list("pk", "name"))
    return [
        PassCounts(track_id, institution_id, names[institution_id], assessed, first, first + later)
        for (track_id, institution_id), (assessed, first, later) in found.items()
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
    """Median and 90th percentile of the days each stage took; two queries (and a refresh of the
    derived rows when something moved since the last one: certification.derived_figures): each
    stage's durations counted by month (StageDurationsByMonth, and StageDuration's rows for the days
    of a month the period takes in part), then the (at most four) ranks each stage's percentiles
    interpolate between, read along the index of the durations in order.

    Neither database ranks 330,000 durations fast: PostgreSQL's percentile_cont sorts them all
    (35–110 ms), a window ranks them all (SQLite: seconds). Walking an index already in order to a
    rank (LIMIT 2 OFFSET rank, the index on stage, days and every filter's column read alone) steps
    over the durations below it only: from the shortest for a rank in the lower half, from the
    longest for one in the upper half, so the 90th percentile steps over a tenth of them."""
    derived_figures.refresh()
    counted = _by_month(
        scope, StageDurationsByMonth.objects.all(), StageDuration.objects.all(), "ended_at", ["stage"], ["stage"]
    )
    sizes = {stage: n for (stage,), n in added_up(counted).items() if n}
    durations = StageDuration.objects.filter(scope.derived(), scope.period("ended_at"))
    # One batch's few durations are found by the batch's own index and sorted at once.
    found = _percentiles_walked(durations, sizes, along_the_ranks=scope.batch_id is None)
    return [StageDays(stage, *found.get(stage, (0, None, None))) for stage in STAGE_ENDS]


def _percentiles_walked(
    durations: QuerySet[StageDuration], sizes: dict[str, int], *, along_the_ranks: bool
) -> dict[str, tuple[int, float | None, float | None]]:
    """Each stage's count and percentiles, from the `durations` selected, `sizes[stage]` of them
    (`along_the_ranks`: SQLite is told to walk the ranked index)."""
    parts, params = [], []
    for stage, n in sizes.items():
        for below in sorted({int((n - 1) * fraction) for fraction in PERCENTILES}):
            # The ranks `below` and `below + 1` (or the last alone): `first` is the lower one read.
            if below < n // 2:
                first, ranked = below, durations.filter(stage=stage).order_by("days")[below : below + 2]
            else:
                skipped = max(0, n - 2 - below)
                first = max(0, n - 2 - skipped)
                ranked = durations.filter(stage=stage).order_by("-days")[skipped : skipped + 2]
            sql, ranked_params = ranked.values_list("days").query.sql_with_params()
            parts.append(f"SELECT %s, %s, days FROM ({_along_the_ranks(sql) if along_the_ranks else sql}) ranked")
            params += [stage, first, *ranked_params]
    read: dict[tuple[str, int], list[float]] = {}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for stage, first, days in cursor.fetchall():
                read.setdefault((stage, first), []).append(days)
    values: dict[str, dict[int, float]] = {stage: {} for stage in sizes}
    for (stage, first), days in read.items():
        # The two ranks read, sorted again: UNION ALL keeps no order, and a walk from the longest
        # reads them longest first.
        values[stage].update(enumerate(sorted(days), start=first))
    median, p90 = PERCENTILES
    return {
        stage: (n, _interpolated(values[stage], n, median), _interpolated(values[stage], n, p90))
        for stage, n in sizes.items()
    }


def _along_the_ranks(sql: str) -> str:
    """`sql` (durations in order of their days) told to walk the ranked index: SQLite, which knows
    nothing of how many durations a period holds, would take the index on `ended_at` for it and
    sort them all first. PostgreSQL chooses by its statistics."""
    if connection.vendor != "sqlite":
        return sql
    table = connection.ops.quote_name(StageDuration._meta.db_table)
    return sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY stageduration_ranked", 1)


def _interpolated(values: dict[int, float], n: int, fraction: float) -> float:
    position = (n - 1) * fraction
    below = int(position)
    if below + 1 >= n:
        return values[below]
    return values[below] + (values[below + 1] - values[below]) * (position - below)
