"""The business rules that guard the moves (docs/spec.md §4), each with the message the user reads.

Thresholds are data on Track and Module: several tests change them to prove that the rule reads them.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from certification import registration, services
from certification import services as lifecycle
from certification.models import AssessmentAttempt, InstitutionStatus, StateLog, TrackQuota
from certification.models import EnrolmentStatus as S
from core.errors import InvalidInput, RuleNotMet

from .. import factories
from .test_lifecycle_transitions import enrolment_in


@pytest.fixture
def cast(inst1_staff, officer, assessor):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


def refused(error_class, **move):
    """Make the move, expect `error_class`, and check that neither the status nor the log changed."""
    enrolment_id = move["enrolment_id"]
    from certification.models import Enrolment

    status_before = Enrolment.objects.get(pk=enrolment_id).status
    logs_before = StateLog.objects.filter(enrolment_id=enrolment_id).count()
    with pytest.raises(error_class) as caught:
        services._move(**move)
    assert Enrolment.objects.get(pk=enrolment_id).status == status_before
    assert StateLog.objects.filter(enrolment_id=enrolment_id).count() == logs_before
    return caught.value.message


def record_hours(enrolment, staff, hours_by_code: dict, evidence_for=()):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for module in enrolment.track.modules.all():
        evidence = SimpleUploadedFile("work.pdf", b"%PDF-1.4") if module.code in evidence_for else None
        registration.record_module_completion(
            staff=staff,
            enrolment_id=enrolment.pk,
            module_id=module.pk,
            hours=hours_by_code.get(module.code, module.min_hours),
            evidence=evidence,
        )


# --- complete_training ---------------------------------------------------------------------------


def test_training_is_not_complete_while_a_module_is_below_its_minimum_hours(enrolled_enrolment, inst1_staff):
    record_hours(enrolled_enrolment, inst1_staff, {"FABRIC": Decimal("23.5")}, evidence_for={"3D"})
    fabric = enrolled_enrolment.track.modules.get(code="FABRIC")

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=enrolled_enrolment.pk, transition="complete_training")

    assert "below their minimum hours" in message
    assert fabric.display_name in message and "24" in message
    assert "版样制作" not in message  # the modules that are complete are not named


def test_training_is_not_complete_while_a_required_module_has_no_record(enrolled_enrolment, inst1_staff):
    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=enrolled_enrolment.pk, transition="complete_training")

    for module in enrolled_enrolment.track.modules.all():
        assert module.display_name in message


def test_minimum_hours_are_data_on_the_module(enrolled_enrolment, inst1_staff):
    record_hours(enrolled_enrolment, inst1_staff, {"FABRIC": Decimal("10")}, evidence_for={"3D"})
    enrolled_enrolment.track.modules.filter(code="FABRIC").update(min_hours=Decimal("10"))

    services.complete_training(actor=inst1_staff, enrolment_id=enrolled_enrolment.pk)

    enrolled_enrolment.refresh_from_db()
    assert enrolled_enrolment.status == S.TRAINED


def test_an_optional_module_may_stay_below_its_hours(enrolled_enrolment, inst1_staff):
    record_hours(enrolled_enrolment, inst1_staff, {"FABRIC": Decimal("1")}, evidence_for={"3D"})
    enrolled_enrolment.track.modules.filter(code="FABRIC").update(is_required=False)

    services.complete_training(actor=inst1_staff, enrolment_id=enrolled_enrolment.pk)

    enrolled_enrolment.refresh_from_db()
    assert enrolled_enrolment.status == S.TRAINED


def test_pattern_making_training_needs_the_3d_modelling_evidence(enrolled_enrolment, inst1_staff):
    record_hours(enrolled_enrolment, inst1_staff, {}, evidence_for=())
    module_3d = enrolled_enrolment.track.modules.get(code="3D")

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=enrolled_enrolment.pk, transition="complete_training")

    assert "need an evidence file" in message and module_3d.display_name in message


# --- submit_results ------------------------------------------------------------------------------


@pytest.fixture
def trained_pm(cast):
    return enrolment_in(S.TRAINED, **cast)


def test_results_need_an_attempt_with_scores(trained_pm, inst1_staff):
    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=trained_pm.pk, transition="submit_results")

    assert "Both the theory and the practical score" in message


@pytest.mark.parametrize(
    ("theory", "practical"), [(Decimal("70"), None), (None, Decimal("70"))], ids=["practical-missing", "theory-missing"]
)
def test_results_need_both_scores(trained_pm, inst1_staff, theory, practical):
    registration.record_scores(
        staff=inst1_staff, enrolment_id=trained_pm.pk, theory_score=theory, practical_score=practical
    )

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=trained_pm.pk, transition="submit_results")

    assert "Both the theory and the practical score" in message


def test_pattern_making_results_need_the_3d_model_evidence(trained_pm, inst1_staff):
    registration.record_scores(
        staff=inst1_staff, enrolment_id=trained_pm.pk, theory_score=Decimal("70"), practical_score=Decimal("70")
    )

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=trained_pm.pk, transition="submit_results")

    assert "3D garment model evidence" in message


def test_garment_craft_results_need_no_3d_evidence(cast, inst1_staff):
    enrolment = enrolment_in(S.TRAINED, track_code="CR", **cast)
    registration.record_scores(
        staff=inst1_staff, enrolment_id=enrolment.pk, theory_score=Decimal("70"), practical_score=Decimal("70")
    )

    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="submit_results")

    enrolment.refresh_from_db()
    assert enrolment.status == S.UNDER_REVIEW


def test_results_cannot_go_to_review_once_training_hours_were_corrected_below_the_minimum(trained_pm, inst1_staff):
    factories.enter_passing_results(trained_pm, inst1_staff)
    fabric = trained_pm.track.modules.get(code="FABRIC")
    registration.record_module_completion(
        staff=inst1_staff, enrolment_id=trained_pm.pk, module_id=fabric.pk, hours=Decimal("2")
    )

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=trained_pm.pk, transition="submit_results")

    assert fabric.display_name in message


# --- pass ----------------------------------------------------------------------------------------


def under_review_with(cast, theory, practical, track_code="CR"):
    enrolment = enrolment_in(S.TRAINED, track_code=track_code, **cast)
    factories.enter_passing_results(enrolment, cast["staff"], theory=Decimal(theory), practical=Decimal(practical))
    services._move(actor=cast["staff"], enrolment_id=enrolment.pk, transition="submit_results")
    return enrolment


def test_a_candidate_with_theory_below_the_pass_mark_cannot_pass(cast, assessor):
    enrolment = under_review_with(cast, "59.5", "90")

    message = refused(RuleNotMet, actor=assessor, enrolment_id=enrolment.pk, transition="pass")

    assert "theory score 59.5 is below the pass mark 60" in message


def test_a_candidate_with_practical_below_the_pass_mark_cannot_pass(cast, assessor):
    enrolment = under_review_with(cast, "90", "40")

    message = refused(RuleNotMet, actor=assessor, enrolment_id=enrolment.pk, transition="pass")

    assert "practical score 40.0 is below the pass mark 60" in message


def test_scores_exactly_at_the_pass_mark_pass(cast, assessor):
    enrolment = under_review_with(cast, "60", "60")

    services._move(actor=assessor, enrolment_id=enrolment.pk, transition="pass")

    enrolment.refresh_from_db()
    assert enrolment.status == S.PASSED


def test_the_pass_mark_is_data_on_the_track(cast, assessor):
    enrolment = under_review_with(cast, "75", "82")
    enrolment.track.pass_mark_practical = 85
    enrolment.track.save()

    message = refused(RuleNotMet, actor=assessor, enrolment_id=enrolment.pk, transition="pass")
    assert "below the pass mark 85" in message

    enrolment.track.pass_mark_practical = 50
    enrolment.track.pass_mark_theory = 50
    enrolment.track.save()
    low = under_review_with(cast, "55", "52")
    services._move(actor=assessor, enrolment_id=low.pk, transition="pass")
    low.refresh_from_db()
    assert low.status == S.PASSED


def test_failing_needs_no_score_rule_but_a_reason(cast, assessor):
    enrolment = under_review_with(cast, "90", "90")

    services._move(actor=assessor, enrolment_id=enrolment.pk, transition="fail", reason="the evidence is not hers")

    enrolment.refresh_from_db()
    assert enrolment.status == S.FAILED


# --- schedule_resit ------------------------------------------------------------------------------


def failed_enrolment(cast, theory="40", practical="80"):
    enrolment = under_review_with(cast, theory, practical)
    services._move(actor=cast["assessor"], enrolment_id=enrolment.pk, transition="fail", reason="theory too low")
    enrolment.refresh_from_db()
    return enrolment


def test_no_resit_once_every_attempt_is_used(cast, inst1_staff):
    enrolment = failed_enrolment(cast)
    enrolment.track.max_attempts = 1
    enrolment.track.save()

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")

    assert "All 1 attempts have been used" in message


def test_the_second_failure_closes_the_case_when_two_attempts_are_allowed(cast, inst1_staff, assessor):
    enrolment = failed_enrolment(cast)
    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")
    registration.record_scores(
        staff=inst1_staff, enrolment_id=enrolment.pk, theory_score=Decimal("45"), practical_score=None
    )
    services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="submit_results")
    services._move(actor=assessor, enrolment_id=enrolment.pk, transition="fail", reason="theory still low")

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")

    assert "All 2 attempts have been used" in message
    assert enrolment.attempts.count() == 2


def test_no_resit_once_the_resit_window_has_passed(cast, inst1_staff):
    enrolment = failed_enrolment(cast)
    first_exam = enrolment.attempts.get().exam_date

    with time_machine.travel(timezone.now() + timedelta(days=400)):
        message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")

    assert "resit window of 12 months" in message and first_exam.isoformat() in message


def test_a_resit_is_possible_on_the_last_day_of_the_window(cast, inst1_staff):
    enrolment = failed_enrolment(cast)
    enrolment.track.resit_window_months = 1
    enrolment.track.save()
    first_exam = enrolment.attempts.get().exam_date
    last_day = first_exam + timedelta(days=28)  # within one month of any date

    with time_machine.travel(
        timezone.make_aware(timezone.datetime.combine(last_day, timezone.datetime.min.time())) + timedelta(hours=12)
    ):
        services._move(actor=inst1_staff, enrolment_id=enrolment.pk, transition="schedule_resit")

    enrolment.refresh_from_db()
    assert enrolment.status == S.TRAINED


# --- the institution must be approved ------------------------------------------------------------


@pytest.mark.parametrize("vetting", [InstitutionStatus.SUSPENDED, InstitutionStatus.PENDING])
def test_an_institution_that_is_not_approved_cannot_submit(draft_enrolment, inst1, inst1_staff, vetting):
    inst1.status = vetting
    inst1.save()

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=draft_enrolment.pk, transition="submit")

    assert "not approved" in message


@pytest.mark.parametrize("vetting", [InstitutionStatus.SUSPENDED, InstitutionStatus.PENDING])
def test_an_institution_that_is_not_approved_cannot_resubmit(cast, inst1, inst1_staff, vetting):
    enrolment = enrolment_in(S.REJECTED, **cast)
    inst1.status = vetting
    inst1.save()

    message = refused(RuleNotMet, actor=inst1_staff, enrolment_id=enrolment.pk, transition="resubmit")

    assert "not approved" in message


# --- quota ---------------------------------------------------------------------------------------


def set_quota(institution, track_code, quota):
    TrackQuota.objects.filter(institution=institution, track__code=track_code).update(quota=quota)


def test_approval_stops_at_the_yearly_quota_and_a_withdrawal_frees_a_place(cast, inst1, inst1_staff, officer):
    set_quota(inst1, "PM", 1)
    first = enrolment_in(S.SUBMITTED, **cast)
    second = enrolment_in(S.SUBMITTED, **cast)
    services.approve_enrolments(officer=officer, enrolment_ids=[first.pk])

    message = refused(RuleNotMet, actor=officer, enrolment_id=second.pk, transition="approve")
    assert "quota of 1" in message and "used up" in message

    lifecycle.withdraw(actor=inst1_staff, enrolment_id=first.pk, reason="moved to another city")
    services.approve_enrolments(officer=officer, enrolment_ids=[second.pk])
    second.refresh_from_db()
    assert second.status == S.ENROLLED


def test_a_bulk_approval_over_the_quota_approves_nobody(cast, inst1, officer):
    set_quota(inst1, "PM", 1)
    enrolments = [enrolment_in(S.SUBMITTED, **cast) for _ in range(2)]

    with pytest.raises(RuleNotMet):
        services.approve_enrolments(officer=officer, enrolment_ids=[e.pk for e in enrolments])

    for enrolment in enrolments:
        enrolment.refresh_from_db()
        assert enrolment.status == S.SUBMITTED


def test_the_quota_counts_per_track(cast, inst1, officer):
    set_quota(inst1, "PM", 1)
    pm = enrolment_in(S.SUBMITTED, **cast)
    cr = enrolment_in(S.SUBMITTED, track_code="CR", **cast)

    services.approve_enrolments(officer=officer, enrolment_ids=[pm.pk, cr.pk])

    pm.refresh_from_db(), cr.refresh_from_db()
    assert {pm.status, cr.status} == {S.ENROLLED}


def test_approval_without_a_quota_for_the_year_is_refused(cast, inst1, officer):
    enrolment = enrolment_in(S.SUBMITTED, **cast)
    TrackQuota.objects.filter(institution=inst1).delete()

    message = refused(RuleNotMet, actor=officer, enrolment_id=enrolment.pk, transition="approve")

    assert "has no" in message and "quota" in message


# --- reasons -------------------------------------------------------------------------------------

NEEDS_REASON = [
    ("reject", S.SUBMITTED, "officer"),
    ("fail", S.UNDER_REVIEW, "assessor"),
    ("return_for_correction", S.UNDER_REVIEW, "assessor"),
    ("uphold_objection", S.IN_PUBLICITY, "officer"),
    ("revoke", S.CERTIFIED, "officer"),
    ("withdraw", S.ENROLLED, "staff"),
]


@pytest.mark.parametrize(("transition", "source", "who"), NEEDS_REASON, ids=[row[0] for row in NEEDS_REASON])
@pytest.mark.parametrize("reason", ["", "   \n"], ids=["empty", "blank"])
def test_a_move_that_needs_a_reason_is_refused_without_one(cast, transition, source, who, reason):
    enrolment = enrolment_in(source, **cast)

    message = refused(InvalidInput, actor=cast[who], enrolment_id=enrolment.pk, transition=transition, reason=reason)

    assert "reason" in message


def test_the_reason_is_kept_without_surrounding_blanks(cast, officer):
    enrolment = enrolment_in(S.SUBMITTED, **cast)

    services.reject_enrolments(officer=officer, enrolment_ids=[enrolment.pk], reason="  photo missing \n")

    assert StateLog.objects.filter(enrolment=enrolment).latest("pk").reason == "photo missing"


def test_a_move_that_needs_no_reason_keeps_the_one_given(cast, officer):
    enrolment = enrolment_in(S.SUBMITTED, **cast)

    services.approve_enrolments(officer=officer, enrolment_ids=[enrolment.pk], reason="documents checked")

    assert StateLog.objects.filter(enrolment=enrolment).latest("pk").reason == "documents checked"


def test_attempts_are_unchanged_by_a_refused_pass(cast, assessor):
    enrolment = under_review_with(cast, "10", "10")

    refused(RuleNotMet, actor=assessor, enrolment_id=enrolment.pk, transition="pass")

    assert AssessmentAttempt.objects.get(enrolment=enrolment).outcome == "pending"
