"""The stage durations the statistics rank (certification.stage_durations) always equal what the
state log says: derived on demand for whatever moved since the last refresh."""

from datetime import timedelta

from django.utils import timezone

from certification import derived_figures, stage_durations
from certification import statistics as figures_of
from certification.models import StageDuration, StateLog

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
