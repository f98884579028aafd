"""Stale moves (docs/spec.md §4): someone else moved the enrolment first, or the move does not exist from here."""

import pytest
from django.utils import translation

from certification import services
from certification.models import EnrolmentStatus, StateLog
from core.errors import InvalidInput, MoveForbidden, StaleState

from .. import factories


def test_a_move_based_on_an_old_status_is_refused_with_the_current_status(submitted_enrolment, officer):
    with translation.override("en"), pytest.raises(StaleState) as stale:
        services._move(
            actor=officer,
            enrolment_id=submitted_enrolment.pk,
            transition="approve",
            expected_status=EnrolmentStatus.DRAFT,
        )

    assert stale.value.message == (
        "Someone else moved this enrolment first: it is now “submitted for approval”. Reload the page."
    )
    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.SUBMITTED
    assert StateLog.objects.filter(enrolment=submitted_enrolment).count() == 1


def test_a_move_with_the_current_expected_status_goes_through(submitted_enrolment, officer):
    services._move(
        actor=officer,
        enrolment_id=submitted_enrolment.pk,
        transition="reject",
        reason="no photo",
        expected_status=EnrolmentStatus.SUBMITTED,
    )

    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.REJECTED


def test_a_move_that_does_not_exist_from_the_current_status_is_stale(draft_enrolment, officer):
    with translation.override("en"), pytest.raises(StaleState) as stale:
        services.approve_enrolments(officer=officer, enrolment_ids=[draft_enrolment.pk])

    assert "“Approve eligibility” is not possible while the enrolment is “draft”" in stale.value.message
    assert StateLog.objects.filter(enrolment=draft_enrolment).count() == 0


def test_the_stale_message_names_the_move_as_people_know_it(enrolment_ready_for_review, officer, assessor2):
    failed = enrolment_ready_for_review
    services.decide_review(assessor=assessor2, enrolment_id=failed.pk, decision="fail", reason="theory too low")

    with translation.override("en"), pytest.raises(StaleState) as stale:
        services.decide_review(assessor=assessor2, enrolment_id=failed.pk, decision="pass")

    assert stale.value.message == "“Pass” is not possible while the enrolment is “failed”."


def test_an_assessor_cannot_move_a_candidate_they_may_not_see(draft_enrolment, assessor2):
    with pytest.raises(MoveForbidden):
        services.decide_review(assessor=assessor2, enrolment_id=draft_enrolment.pk, decision="pass")

    assert StateLog.objects.filter(enrolment=draft_enrolment).count() == 0


def test_submitting_twice_is_stale_the_second_time(draft_enrolment, inst1_staff):
    services.submit_enrolment(actor=inst1_staff, enrolment_id=draft_enrolment.pk)

    with pytest.raises(StaleState):
        services.submit_enrolment(actor=inst1_staff, enrolment_id=draft_enrolment.pk)

    assert StateLog.objects.filter(enrolment=draft_enrolment).count() == 1


def test_a_bulk_move_with_one_stale_enrolment_moves_none_and_names_the_trainee(
    submitted_enrolment, inst1_staff, inst1, officer
):
    still_draft = factories.draft_enrolment(inst1_staff, trainee_obj=factories.trainee(inst1, name="王芳"))

    with pytest.raises(StaleState) as stale:
        services.reject_enrolments(
            officer=officer, enrolment_ids=[submitted_enrolment.pk, still_draft.pk], reason="incomplete file"
        )

    assert stale.value.message.startswith("王芳: ")
    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.SUBMITTED


def test_a_deleted_enrolment_is_stale(officer):
    with pytest.raises(StaleState) as stale:
        services._move(actor=officer, enrolment_id=999_999, transition="approve")

    assert "no longer exists" in stale.value.message


def test_a_bulk_move_on_a_deleted_enrolment_is_stale(submitted_enrolment, officer):
    with pytest.raises(StaleState):
        services.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk, 999_999])

    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.SUBMITTED


def test_a_bulk_move_needs_at_least_one_enrolment(officer):
    with pytest.raises(InvalidInput):
        services.approve_enrolments(officer=officer, enrolment_ids=[])


def test_an_unknown_move_is_invalid_input(draft_enrolment, inst1_staff):
    with pytest.raises(InvalidInput) as invalid:
        services._move(actor=inst1_staff, enrolment_id=draft_enrolment.pk, transition="teleport")

    assert "teleport" in invalid.value.message


def test_another_institution_learns_nothing_about_the_status_of_an_enrolment(submitted_enrolment, inst2_staff):
    # The move would be stale for its owner; a stranger is simply refused, without the status.
    with pytest.raises(MoveForbidden) as refused:
        services.submit_enrolment(
            actor=inst2_staff, enrolment_id=submitted_enrolment.pk, expected_status=EnrolmentStatus.DRAFT
        )

    assert "submitted" not in refused.value.message
