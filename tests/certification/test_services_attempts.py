"""What the moves record on the assessment attempts (certification.services): outcomes and resits."""

from decimal import Decimal

import pytest

from certification import registration, services
from certification.models import AttemptOutcome
from certification.models import EnrolmentStatus as S

from .. import factories
from .test_lifecycle_transitions import enrolment_in


@pytest.fixture
def cast(inst1_staff, officer, assessor):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


def under_review(cast, theory, practical):
    enrolment = enrolment_in(S.TRAINED, track_code="CR", **cast)
    factories.enter_passing_results(enrolment, cast["staff"], theory=Decimal(theory), practical=Decimal(practical))
    services._move(actor=cast["staff"], enrolment_id=enrolment.pk, transition="submit_results")
    return enrolment


def failed(cast, theory, practical):
    enrolment = under_review(cast, theory, practical)
    services._move(actor=cast["assessor"], enrolment_id=enrolment.pk, transition="fail", reason="below the mark")
    return enrolment


@pytest.mark.parametrize(
    ("transition", "outcome"),
    [
        ("pass", AttemptOutcome.PASSED),
        ("fail", AttemptOutcome.FAILED),
        ("return_for_correction", AttemptOutcome.RETURNED),
    ],
)
def test_the_assessors_decision_is_recorded_on_the_attempt(cast, assessor, transition, outcome):
    enrolment = under_review(cast, "80", "80")

    services._move(actor=assessor, enrolment_id=enrolment.pk, transition=transition, reason="seen")

    attempt = enrolment.current_attempt
    assert (attempt.outcome, attempt.reviewed_by, attempt.reason) == (outcome, assessor, "seen")


def test_results_returned_and_resubmitted_await_review_again(cast, assessor, inst1_staff):
    enrolment = under_review(cast, "80", "80")
    services._move(
        actor=assessor, enrolment_id=enrolment.pk, transition="return_for_correction", reason="exam date missing"
    )
    registration.record_scores(
        staff=inst1_staff, enrolment_id=enrolment.pk, theory_score=Decimal("80"), practical_score=Decimal("81")
    )

    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="submit_results")

    attempt = enrolment.current_attempt
    assert (attempt.number, attempt.outcome, attempt.reviewed_by, attempt.practical_score) == (
        1,
        AttemptOutcome.PENDING,
        None,
        Decimal("81"),
    )


def test_a_resit_is_a_new_attempt_that_keeps_the_passed_part(cast, inst1_staff):
    enrolment = failed(cast, theory="45", practical="82")

    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")

    first, resit = enrolment.attempts.order_by("number")
    assert first.outcome == AttemptOutcome.FAILED
    assert (resit.number, resit.outcome) == (2, AttemptOutcome.PENDING)
    assert (resit.theory_score, resit.theory_carried_over) == (None, False)
    assert (resit.practical_score, resit.practical_carried_over) == (Decimal("82"), True)


def test_a_resit_re_examines_only_the_failed_part(cast, inst1_staff, assessor):
    enrolment = failed(cast, theory="45", practical="82")
    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")

    registration.record_scores(
        staff=inst1_staff, enrolment_id=enrolment.pk, theory_score=Decimal("71"), practical_score=Decimal("10")
    )
    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="submit_results")
    services._move(actor=assessor, enrolment_id=enrolment.pk, transition="pass")

    resit = enrolment.current_attempt
    assert (resit.theory_score, resit.practical_score) == (Decimal("71"), Decimal("82"))
    enrolment.refresh_from_db()
    assert enrolment.status == S.PASSED


def test_a_resit_after_failing_both_parts_re_examines_both(cast, inst1_staff):
    enrolment = failed(cast, theory="30", practical="30")

    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")

    resit = enrolment.current_attempt
    assert (resit.theory_score, resit.practical_score) == (None, None)
    assert not (resit.theory_carried_over or resit.practical_carried_over)


def test_a_resit_keeps_the_part_passed_under_the_tracks_current_mark(cast, inst1_staff):
    enrolment = failed(cast, theory="45", practical="70")
    enrolment.track.pass_mark_practical = 75
    enrolment.track.save()

    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")

    assert enrolment.current_attempt.practical_score is None


def test_approval_stamps_the_approval_time(submitted_enrolment, officer):
    services.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk])

    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.approved_at is not None
