"""Conflicts of interest (docs/spec.md §4): an assessor never decides on a candidate they are tied to."""

import pytest

from certification import services
from certification.models import ConflictDeclaration, ConflictKind, EnrolmentStatus, Role, StateLog
from core.errors import MoveForbidden

from .. import factories

DECISIONS = ["pass", "fail", "return_for_correction"]


def assert_refused(assessor, enrolment, transition):
    logs_before = StateLog.objects.filter(enrolment=enrolment).count()

    with pytest.raises(MoveForbidden):
        services._move(actor=assessor, enrolment_id=enrolment.pk, transition=transition, reason="decided")

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.UNDER_REVIEW
    assert StateLog.objects.filter(enrolment=enrolment).count() == logs_before


@pytest.mark.parametrize("transition", DECISIONS)
def test_an_assessor_affiliated_with_the_candidates_institution_cannot_decide(
    enrolment_ready_for_review, inst1, transition
):
    colleague = factories.user("assessor-at-inst1", Role.ASSESSOR, institution=inst1)

    assert_refused(colleague, enrolment_ready_for_review, transition)


@pytest.mark.parametrize("kind", ConflictKind.values)
@pytest.mark.parametrize("transition", DECISIONS)
def test_an_assessor_who_declared_a_conflict_with_the_trainee_cannot_decide(
    enrolment_ready_for_review, assessor, transition, kind
):
    ConflictDeclaration.objects.create(assessor=assessor, trainee=enrolment_ready_for_review.trainee, kind=kind)

    assert_refused(assessor, enrolment_ready_for_review, transition)


@pytest.mark.parametrize("transition", DECISIONS)
def test_an_assessor_who_submitted_the_attempt_cannot_decide_on_it(enrolment_ready_for_review, assessor, transition):
    attempt = enrolment_ready_for_review.current_attempt
    attempt.submitted_by = assessor
    attempt.save()

    assert_refused(assessor, enrolment_ready_for_review, transition)


def test_a_conflict_declared_for_another_trainee_does_not_stop_the_assessor(
    enrolment_ready_for_review, assessor, inst1
):
    someone_else = factories.trainee(inst1, name="李四")
    ConflictDeclaration.objects.create(assessor=assessor, trainee=someone_else, kind=ConflictKind.RELATIVE)

    services._move(actor=assessor, enrolment_id=enrolment_ready_for_review.pk, transition="pass")

    enrolment_ready_for_review.refresh_from_db()
    assert enrolment_ready_for_review.status == EnrolmentStatus.PASSED


def test_an_unaffiliated_assessor_may_decide(enrolment_ready_for_review, assessor2):
    services._move(
        actor=assessor2,
        enrolment_id=enrolment_ready_for_review.pk,
        transition="fail",
        reason="practical work incomplete",
    )

    enrolment_ready_for_review.refresh_from_db()
    assert enrolment_ready_for_review.status == EnrolmentStatus.FAILED


def test_a_conflicted_assessor_is_not_offered_the_decisions(enrolment_ready_for_review, inst1, assessor):
    colleague = factories.user("assessor-at-inst1", Role.ASSESSOR, institution=inst1)

    assert services.available_moves(user=colleague, enrolment=enrolment_ready_for_review) == []
    assert {name for name, _label in services.available_moves(user=assessor, enrolment=enrolment_ready_for_review)} == {
        "pass",
        "fail",
        "return_for_correction",
    }


def test_the_decision_is_recorded_on_the_attempt(enrolment_ready_for_review, assessor):
    services._move(
        actor=assessor,
        enrolment_id=enrolment_ready_for_review.pk,
        transition="return_for_correction",
        reason="photo of the garment is blurred",
    )

    attempt = enrolment_ready_for_review.current_attempt
    assert (attempt.outcome, attempt.reviewed_by, attempt.reason) == (
        "returned",
        assessor,
        "photo of the garment is blurred",
    )
    assert attempt.reviewed_at is not None
