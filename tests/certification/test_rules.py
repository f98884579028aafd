"""The business rules read from Track and Module data (certification.rules)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from certification import registration, rules, services
from certification.models import AssessmentAttempt
from certification.models import EnrolmentStatus as S
from workflows.publicity import working_days

from .. import factories
from .test_lifecycle_transitions import enrolment_in


@pytest.fixture
def cast(inst1_staff, officer, assessor):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


def attempt(enrolment, number=1, theory=None, practical=None, **fields):
    return AssessmentAttempt.objects.create(
        enrolment=enrolment, number=number, theory_score=theory, practical_score=practical, **fields
    )


# --- modules -------------------------------------------------------------------------------------


def test_every_required_module_without_a_record_is_short_of_hours(enrolled_enrolment):
    short = rules.modules_short_of_hours(enrolled_enrolment)

    assert [m.code for m in short] == ["SAMPLE", "3D", "FABRIC"]


def test_a_module_at_exactly_its_minimum_is_not_short(enrolled_enrolment, inst1_staff):
    for module in enrolled_enrolment.track.modules.all():
        registration.record_module_completion(
            staff=inst1_staff, enrolment_id=enrolled_enrolment.pk, module_id=module.pk, hours=module.min_hours
        )

    assert rules.modules_short_of_hours(enrolled_enrolment) == []
    assert [m.code for m in rules.modules_missing_evidence(enrolled_enrolment)] == ["3D"]
    assert "3D" in rules.training_incomplete_reason(enrolled_enrolment)


def test_training_is_complete_when_hours_and_evidence_are_there(enrolled_enrolment, inst1_staff):
    factories.complete_all_modules(enrolled_enrolment, inst1_staff)

    assert rules.training_incomplete_reason(enrolled_enrolment) == ""


# --- results and scores --------------------------------------------------------------------------


def test_results_are_incomplete_without_an_attempt_or_a_score(enrolled_enrolment):
    assert rules.results_incomplete_reason(enrolled_enrolment, None)
    assert rules.results_incomplete_reason(enrolled_enrolment, attempt(enrolled_enrolment, theory=Decimal("70")))


def test_results_need_3d_evidence_only_where_the_track_says_so(enrolled_enrolment):
    complete = attempt(enrolled_enrolment, theory=Decimal("70"), practical=Decimal("70"))

    assert "3D" in rules.results_incomplete_reason(enrolled_enrolment, complete)
    enrolled_enrolment.track.requires_3d_evidence = False
    assert rules.results_incomplete_reason(enrolled_enrolment, complete) == ""


@pytest.mark.parametrize(
    ("theory", "practical", "theory_passed", "practical_passed"),
    [
        ("60", "60", True, True),
        ("59.9", "60", False, True),
        ("60", "59.9", True, False),
        ("0", "100", False, True),
    ],
)
def test_each_part_passes_at_its_own_mark(enrolled_enrolment, theory, practical, theory_passed, practical_passed):
    parts = rules.part_results(
        enrolled_enrolment, attempt(enrolled_enrolment, theory=Decimal(theory), practical=Decimal(practical))
    )

    assert (parts.theory_passed, parts.practical_passed) == (theory_passed, practical_passed)
    assert parts.passed == (theory_passed and practical_passed)


def test_the_fail_reason_names_the_part_and_the_marks(enrolled_enrolment):
    track = enrolled_enrolment.track
    track.pass_mark_theory, track.pass_mark_practical = 70, 65
    low = attempt(enrolled_enrolment, theory=Decimal("75"), practical=Decimal("64"))

    assert rules.fail_reason_of_scores(enrolled_enrolment, low) == ("The practical score 64 is below the pass mark 65.")
    assert rules.fail_reason_of_scores(enrolled_enrolment, None) == "There are no complete scores to pass."


# --- resits --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 5), 12, date(2027, 5, 5)),
        (date(2026, 5, 5), 0, date(2026, 5, 5)),
    ],
)
def test_months_are_added_as_calendar_months(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_a_resit_is_open_before_any_attempt_is_used_up(enrolled_enrolment):
    attempt(enrolled_enrolment, exam_date=timezone.localdate())

    assert rules.resit_closed_reason(enrolled_enrolment) == ""


def test_the_resit_closes_when_the_attempts_reach_the_tracks_maximum(enrolled_enrolment):
    attempt(enrolled_enrolment, number=1, exam_date=timezone.localdate())
    attempt(enrolled_enrolment, number=2, exam_date=timezone.localdate())

    assert "All 2 attempts" in rules.resit_closed_reason(enrolled_enrolment)
    enrolled_enrolment.track.max_attempts = 3
    assert rules.resit_closed_reason(enrolled_enrolment) == ""


def test_the_resit_window_counts_from_the_first_exam(enrolled_enrolment):
    first_exam = date(2026, 1, 10)
    attempt(enrolled_enrolment, exam_date=first_exam)

    with time_machine.travel(date(2027, 1, 10)):
        assert rules.resit_closed_reason(enrolled_enrolment) == ""
    with time_machine.travel(date(2027, 1, 11)):
        assert "2026-01-10" in rules.resit_closed_reason(enrolled_enrolment)


def test_without_an_exam_date_the_window_counts_from_submission(enrolled_enrolment):
    attempt(enrolled_enrolment, submitted_at=timezone.now() - timedelta(days=400))

    assert "resit window" in rules.resit_closed_reason(enrolled_enrolment)


# --- publicity -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # Monday → the next Monday
        (date(2026, 3, 6), 5, date(2026, 3, 13)),  # Friday → the next Friday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday → Monday
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
    ],
)
def test_the_public_notice_lasts_working_days(db, start, days, end):
    assert working_days.publicity_end_date(start, days) == end


def test_opening_the_public_notice_sets_its_end_from_the_track(cast, officer):
    enrolment = enrolment_in(S.PASSED, **cast)
    enrolment.track.publicity_working_days = 10
    enrolment.track.save()

    services._move(actor=officer, enrolment_id=enrolment.pk, transition="open_publicity")

    enrolment.refresh_from_db()
    assert enrolment.publicity_ends_on == working_days.publicity_end_date(timezone.localdate(), 10)
