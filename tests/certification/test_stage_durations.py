"""The stage durations the statistics rank (certification.stage_durations) always equal what the
state log says: derived on demand for whatever moved since the last refresh."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from certification import derived_figures, stage_durations
from certification import statistics as figures_of
from certification.models import StageDuration, StageDurationsByMonth, StateLog

from .. import factories


def log(enrolment, transition, at):
    StateLog.objects.create(enrolment=enrolment, transition=transition, from_status="x", to_status="y", created_at=at)


def from_the_log() -> dict[tuple[int, str], list[float]]:
    """Counted independently, in Python: each stage-ending move minus the move that began it."""
    found: dict[tuple[int, str], list[float]] = {}
    moves = StateLog.objects.filter(transition__in=stage_durations.MOVES).order_by("enrolment_id", "created_at", "pk")
    previous = None
    for move in moves:
        if previous is not None and previous.enrolment_id == move.enrolment_id:
            for stage, (ends, begins) in stage_durations.STAGE_ENDS.items():
                if move.transition in ends and previous.transition in begins:
                    days = (move.created_at - previous.created_at).total_seconds() / 86400
                    found.setdefault((move.enrolment_id, stage), []).append(round(days, 9))
        previous = move
    return found


def derived() -> dict[tuple[int, str], list[float]]:
    found: dict[tuple[int, str], list[float]] = {}
    for row in StageDuration.objects.order_by("enrolment_id", "ended_at"):
        found.setdefault((row.enrolment_id, row.stage), []).append(round(row.days, 9))
    return found


def test_durations_follow_the_state_log_as_it_grows(inst1_staff):
    start = timezone.now() - timedelta(days=60)
    first, second = factories.draft_enrolment(inst1_staff), factories.draft_enrolment(inst1_staff)
    log(first, "submit", start)
    log(first, "approve", start + timedelta(days=2.5))
    log(second, "submit", start + timedelta(days=1))

    assert derived_figures.refresh() is True
    assert derived() == from_the_log() == {(first.pk, "approval"): [2.5]}
    assert derived_figures.refresh() is False  # nothing moved since

    log(second, "approve", start + timedelta(days=4))
    log(first, "submit_results", start + timedelta(days=10))
    log(first, "return_for_correction", start + timedelta(days=11))
    log(first, "submit_results", start + timedelta(days=12))
    log(first, "pass", start + timedelta(days=15.25))
    figures = {row.stage: row for row in figures_of.days_per_stage(figures_of.Scope())}

    assert derived() == from_the_log()
    assert from_the_log()[(first.pk, "review")] == [1.0, 3.25]
    assert (figures["approval"].count, figures["approval"].median) == (2, 2.75)
    assert figures["review"].count == 2 and abs(figures["review"].p90 - 3.025) < 1e-6


def test_the_filters_select_the_durations_of_their_enrolments(inst1_staff, inst2_staff):
    start = timezone.now() - timedelta(days=30)
    mine, theirs = factories.draft_enrolment(inst1_staff), factories.draft_enrolment(inst2_staff, "CR")
    for enrolment, days in ((mine, 1), (theirs, 5)):
        log(enrolment, "submit", start)
        log(enrolment, "approve", start + timedelta(days=days))

    own = figures_of.days_per_stage(figures_of.Scope(institution_id=inst1_staff.institution_id))
    by_track = figures_of.days_per_stage(figures_of.Scope(track_id=theirs.track_id))
    by_level = figures_of.days_per_stage(figures_of.Scope(level=9))

    assert (own[0].stage, own[0].count, own[0].median) == ("approval", 1, 1.0)
    assert (by_track[0].count, by_track[0].median) == (1, 5.0)
    assert by_level[0].count == 0


def percentiles_from_the_log(scope, inst_of, level_of) -> dict[str, tuple[int, float | None, float | None]]:
    """Each stage's count, median and 90th percentile, from the log's durations of the enrolments
    and period selected, interpolated as percentile_cont does."""
    days: dict[str, list[float]] = {}
    moves = StateLog.objects.filter(transition__in=stage_durations.MOVES).order_by("enrolment_id", "created_at", "pk")
    previous = None
    for move in moves:
        enrolment_id = move.enrolment_id
        selected = (
            (scope.institution_id is None or inst_of[enrolment_id] == scope.institution_id)
            and (scope.level is None or level_of[enrolment_id] == scope.level)
            and (scope.date_from is None or timezone.localdate(move.created_at) >= scope.date_from)
            and (scope.date_to is None or timezone.localdate(move.created_at) <= scope.date_to)
        )
        if selected and previous is not None and previous.enrolment_id == enrolment_id:
            for stage, (ends, begins) in stage_durations.STAGE_ENDS.items():
                if move.transition in ends and previous.transition in begins:
                    days.setdefault(stage, []).append((move.created_at - previous.created_at).total_seconds() / 86400)
        previous = move

    def percentile(values, fraction):
        values = sorted(values)
        position = (len(values) - 1) * fraction
        below = int(position)
        above = min(below + 1, len(values) - 1)
        return values[below] + (values[above] - values[below]) * (position - below)

    return {stage: (len(values), percentile(values, 0.5), percentile(values, 0.9)) for stage, values in days.items()}


def test_the_percentiles_of_each_filter_and_period_are_those_of_the_log(inst1_staff, inst2_staff):
    # Approvals ending over three months (21 of them: ranks far from both ends), in two
    # institutions and two levels; the counts by month and the rows' days both counted.
    today = timezone.localdate()
    start = timezone.now() - timedelta(days=75)
    inst_of, level_of = {}, {}
    for number in range(21):
        staff = inst1_staff if number % 3 else inst2_staff
        batch = factories.batch(staff.institution, "PM" if staff is inst1_staff else "CR", level=4 if number % 2 else 3)
        enrolment = factories.draft_enrolment(staff, batch_obj=batch)
        inst_of[enrolment.pk], level_of[enrolment.pk] = staff.institution_id, batch.level
        submitted = start + timedelta(days=3 * number, hours=number)
        log(enrolment, "submit", submitted)
        log(enrolment, "approve", submitted + timedelta(days=1 + (number * 7) % 10, minutes=13 * number))
    month_start = today.replace(day=1)
    scopes = [
        figures_of.Scope(),
        figures_of.Scope(level=3),
        figures_of.Scope(institution_id=inst2_staff.institution_id),
        figures_of.Scope(date_from=month_start),
        figures_of.Scope(date_from=today - timedelta(days=50), date_to=today - timedelta(days=10)),
        figures_of.Scope(date_from=today - timedelta(days=40), level=4),
        figures_of.Scope(date_to=month_start - timedelta(days=1), institution_id=inst1_staff.institution_id),
        figures_of.Scope(date_from=today, date_to=today - timedelta(days=1)),  # empty
    ]

    for scope in scopes:
        expected = percentiles_from_the_log(scope, inst_of, level_of)
        read = {row.stage: row for row in figures_of.days_per_stage(scope) if row.count}
        assert set(read) == set(expected), scope
        for stage, (count, median, p90) in expected.items():
            assert read[stage].count == count, scope
            assert read[stage].median == pytest.approx(median, abs=1e-6), scope
            assert read[stage].p90 == pytest.approx(p90, abs=1e-6), scope
    counted = Counter()
    for row in StageDuration.objects.all():
        assert row.level == level_of[row.enrolment_id]
        month = timezone.localdate(row.ended_at).replace(day=1)
        counted[(row.stage, month, row.batch_id, row.institution_id, row.track_id, row.level)] += 1
    fields = ["stage", "month", "batch_id", "institution_id", "track_id", "level"]
    assert dict(counted) == {tuple(key): n for *key, n in StageDurationsByMonth.objects.values_list(*fields, "n")}
