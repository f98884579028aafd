"""Institution-side writes (certification.registration): trainees, enrolments, completions, scores."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from certification import registration, services
from certification import services as lifecycle
from certification.models import Enrolment, Role, Track, Trainee, User
from certification.models import EnrolmentStatus as S
from core.errors import InvalidInput, MoveForbidden, RuleNotMet

from .. import factories
from .test_lifecycle_transitions import enrolment_in


@pytest.fixture
def cast(inst1_staff, officer, assessor):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


def enrol(staff, trainee, batch):
    return registration.enrol_trainee(staff=staff, trainee_id=trainee.pk, batch_id=batch.pk)


# --- enrolling -----------------------------------------------------------------------------------


def test_enrolling_creates_a_draft_in_the_batchs_track(inst1, inst1_staff):
    trainee, batch = factories.trainee(inst1), factories.batch(inst1, "NM")

    enrolment = enrol(inst1_staff, trainee, batch)

    assert (enrolment.status, enrolment.track.code, enrolment.created_by) == (S.DRAFT, "NM", inst1_staff)


def test_a_trainee_has_one_active_enrolment_per_track(inst1, inst1_staff):
    trainee = factories.trainee(inst1, name="王芳")
    enrol(inst1_staff, trainee, factories.batch(inst1, "PM"))

    with pytest.raises(InvalidInput) as refused:
        enrol(inst1_staff, trainee, factories.batch(inst1, "PM"))

    assert "王芳 already has an active enrolment in this track" in refused.value.message
    assert Enrolment.objects.filter(trainee=trainee).count() == 1


def test_a_second_track_is_allowed(inst1, inst1_staff):
    trainee = factories.trainee(inst1)
    enrol(inst1_staff, trainee, factories.batch(inst1, "PM"))

    enrol(inst1_staff, trainee, factories.batch(inst1, "CR"))

    assert sorted(trainee.enrolments.values_list("track__code", flat=True)) == ["CR", "PM"]


def test_a_withdrawn_enrolment_frees_the_track(inst1, inst1_staff):
    trainee = factories.trainee(inst1)
    first = enrol(inst1_staff, trainee, factories.batch(inst1, "PM"))
    lifecycle.withdraw(actor=inst1_staff, enrolment_id=first.pk, reason="wrong batch")

    second = enrol(inst1_staff, trainee, factories.batch(inst1, "PM"))

    assert second.status == S.DRAFT


def test_a_failed_enrolment_with_a_resit_left_still_holds_the_track(cast, inst1, inst1_staff):
    trainee = factories.trainee(inst1)
    enrolment_in(S.FAILED, trainee=trainee, **cast)

    with pytest.raises(InvalidInput):
        enrol(inst1_staff, trainee, factories.batch(inst1, "PM"))


def test_a_failed_enrolment_with_no_resit_left_frees_the_track(cast, inst1, inst1_staff):
    trainee = factories.trainee(inst1)
    failed = enrolment_in(S.FAILED, trainee=trainee, **cast)
    failed.track.max_attempts = 1
    failed.track.save()

    assert enrol(inst1_staff, trainee, factories.batch(inst1, "PM")).status == S.DRAFT


def test_the_database_refuses_a_second_active_enrolment_too(inst1, inst1_staff, draft_enrolment):
    batch = factories.batch(inst1, "PM")

    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(trainee=draft_enrolment.trainee, batch=batch, track=batch.track)


def test_a_full_batch_takes_nobody_else(inst1, inst1_staff):
    batch = factories.batch(inst1, "PM", capacity=1)
    enrol(inst1_staff, factories.trainee(inst1), batch)

    with pytest.raises(RuleNotMet) as refused:
        enrol(inst1_staff, factories.trainee(inst1), batch)

    assert "The batch is full (1 places)" in refused.value.message


def test_a_rejected_enrolment_keeps_its_place_in_the_batch(inst1, inst1_staff, officer):
    batch = factories.batch(inst1, "PM", capacity=1)
    rejected = enrol(inst1_staff, factories.trainee(inst1), batch)
    services.submit_enrolment(actor=inst1_staff, enrolment_id=rejected.pk)
    services.reject_enrolments(officer=officer, enrolment_ids=[rejected.pk], reason="photo missing")

    # It may be resubmitted: letting someone else in would put the batch over its capacity.
    with pytest.raises(RuleNotMet):
        enrol(inst1_staff, factories.trainee(inst1), batch)


def test_a_withdrawal_frees_a_place_in_the_batch(inst1, inst1_staff):
    batch = factories.batch(inst1, "PM", capacity=1)
    first = enrol(inst1_staff, factories.trainee(inst1), batch)
    lifecycle.withdraw(actor=inst1_staff, enrolment_id=first.pk, reason="ill")

    assert enrol(inst1_staff, factories.trainee(inst1), batch).status == S.DRAFT


def test_staff_cannot_enrol_another_institutions_trainee_or_use_its_batch(inst1, inst2, inst1_staff):
    with pytest.raises(MoveForbidden):
        enrol(inst1_staff, factories.trainee(inst2), factories.batch(inst1))
    with pytest.raises(MoveForbidden):
        enrol(inst1_staff, factories.trainee(inst1), factories.batch(inst2))


@pytest.mark.parametrize("who", ["officer", "assessor"])
def test_only_institution_staff_enrol(request, inst1, who):
    with pytest.raises(MoveForbidden):
        enrol(request.getfixturevalue(who), factories.trainee(inst1), factories.batch(inst1))


def test_a_closed_track_takes_no_enrolments(inst1, inst1_staff):
    Track.objects.filter(code="NM").update(is_active=False)

    with pytest.raises(RuleNotMet):
        enrol(inst1_staff, factories.trainee(inst1), factories.batch(inst1, "NM"))


def test_only_a_never_submitted_draft_can_be_deleted(inst1_staff, inst2_staff, draft_enrolment, officer):
    with pytest.raises(MoveForbidden):
        registration.delete_draft_enrolment(staff=inst2_staff, enrolment_id=draft_enrolment.pk)
    services.submit_enrolment(actor=inst1_staff, enrolment_id=draft_enrolment.pk)
    with pytest.raises(RuleNotMet):
        registration.delete_draft_enrolment(staff=inst1_staff, enrolment_id=draft_enrolment.pk)

    fresh = factories.draft_enrolment(inst1_staff)
    registration.delete_draft_enrolment(staff=inst1_staff, enrolment_id=fresh.pk)
    assert not Enrolment.objects.filter(pk=fresh.pk).exists()


# --- trainee records -----------------------------------------------------------------------------

TRAINEE = {
    "name": "李娜",
    "id_type": "resident_id",
    "gender": "F",
    "birth_date": date(1990, 3, 5),
    "ethnicity": "汉族",
    "education": "senior",
    "phone": "13900000000",
}


def test_a_trainee_is_registered_with_a_normalised_id_number(inst1_staff):
    number = factories.resident_id()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)

    trainee = registration.create_trainee(staff=inst1_staff, id_number=f" {full_width} ", **TRAINEE)

    assert trainee.id_number == number and trainee.institution == inst1_staff.institution


def test_a_trainee_is_registered_once_per_id_number(inst1_staff, inst2_staff):
    number = factories.resident_id()
    registration.create_trainee(staff=inst1_staff, id_number=number, **TRAINEE)

    with pytest.raises(InvalidInput, match="already registered"):
        registration.create_trainee(staff=inst1_staff, id_number=number, **TRAINEE)
    with pytest.raises(InvalidInput, match="another institution"):
        registration.create_trainee(staff=inst2_staff, id_number=number.lower(), **TRAINEE)


def test_a_trainee_with_a_bad_id_number_is_refused(inst1_staff):
    with pytest.raises(InvalidInput, match="checksum"):
        registration.create_trainee(staff=inst1_staff, id_number="330106199003050022", **TRAINEE)


def test_a_birth_date_that_differs_from_the_resident_ids_is_refused(inst1_staff):
    number = factories.resident_id(birth=date(1990, 3, 5))

    with pytest.raises(InvalidInput, match="1990-03-05"):
        registration.create_trainee(staff=inst1_staff, id_number=number, **{**TRAINEE, "birth_date": date(1990, 5, 3)})

    assert not Trainee.objects.exists()


def test_another_id_types_number_is_not_read_for_a_birth_date(inst1_staff):
    fields = {**TRAINEE, "id_type": "passport", "birth_date": date(1985, 1, 1)}

    trainee = registration.create_trainee(staff=inst1_staff, id_number="E12345678", **fields)

    assert trainee.birth_date == date(1985, 1, 1)


def test_correcting_the_birth_date_away_from_the_resident_ids_is_refused(draft_enrolment, inst1_staff):
    trainee = draft_enrolment.trainee

    with pytest.raises(InvalidInput, match="birth date"):
        registration.update_trainee(staff=inst1_staff, trainee_id=trainee.pk, birth_date=date(1991, 3, 5))
    with pytest.raises(InvalidInput, match="birth date"):
        registration.update_trainee(
            staff=inst1_staff, trainee_id=trainee.pk, id_number=factories.resident_id(birth=date(1988, 8, 8))
        )

    trainee.refresh_from_db()
    assert trainee.birth_date == date(1990, 3, 5)


def test_the_id_and_birth_date_may_be_corrected_together(draft_enrolment, inst1_staff):
    number = factories.resident_id(birth=date(1988, 8, 8))

    registration.update_trainee(
        staff=inst1_staff, trainee_id=draft_enrolment.trainee_id, id_number=number, birth_date=date(1988, 8, 8)
    )

    assert Trainee.objects.get(pk=draft_enrolment.trainee_id).id_number == number


def test_correcting_a_draft_trainees_id_to_a_bad_one_is_refused_as_input(draft_enrolment, inst1_staff):
    trainee = draft_enrolment.trainee

    with pytest.raises(InvalidInput, match="checksum"):
        registration.update_trainee(staff=inst1_staff, trainee_id=trainee.pk, id_number="330106199003050022")


def test_the_same_id_typed_differently_is_not_a_change(enrolled_enrolment, inst1_staff):
    trainee = enrolled_enrolment.trainee
    spaced = f" {trainee.id_number[:6]} {trainee.id_number[6:]} "

    registration.update_trainee(staff=inst1_staff, trainee_id=trainee.pk, id_number=spaced, phone="13700000001")

    trainee.refresh_from_db()
    assert trainee.phone == "13700000001"


def test_name_and_id_are_locked_once_an_enrolment_is_approved(enrolled_enrolment, inst1_staff):
    trainee = enrolled_enrolment.trainee

    with pytest.raises(RuleNotMet):
        registration.update_trainee(staff=inst1_staff, trainee_id=trainee.pk, name="别人")
    registration.update_trainee(staff=inst1_staff, trainee_id=trainee.pk, phone="13700000000")

    trainee.refresh_from_db()
    assert (trainee.name, trainee.phone) == ("张晓明", "13700000000")


def test_another_institution_cannot_update_a_trainee(draft_enrolment, inst2_staff):
    with pytest.raises(MoveForbidden):
        registration.update_trainee(staff=inst2_staff, trainee_id=draft_enrolment.trainee_id, phone="1")


# --- trainee accounts on approval ----------------------------------------------------------------


def test_approval_creates_the_trainee_account_with_the_id_number_as_login(submitted_enrolment, officer):
    services.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk])

    trainee = Trainee.objects.get(pk=submitted_enrolment.trainee_id)
    assert trainee.user.username == trainee.id_number
    assert trainee.user.role == Role.TRAINEE
    assert not trainee.user.has_usable_password()


def test_a_second_track_reuses_the_trainees_account(cast, inst1, officer):
    trainee = factories.trainee(inst1)
    enrolment_in(S.ENROLLED, trainee=trainee, **cast)
    account = Trainee.objects.get(pk=trainee.pk).user

    enrolment_in(S.ENROLLED, trainee=trainee, track_code="CR", **cast)

    assert Trainee.objects.get(pk=trainee.pk).user == account
    assert User.objects.filter(username=trainee.id_number).count() == 1


def test_no_account_before_approval(submitted_enrolment):
    assert submitted_enrolment.trainee.user is None


def test_approval_never_hands_over_someone_elses_login(submitted_enrolment, officer):
    factories.user(
        submitted_enrolment.trainee.id_number, Role.INSTITUTION, institution=submitted_enrolment.batch.institution
    )

    with pytest.raises(RuleNotMet, match="already someone else's account"):
        services.approve_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk])

    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == S.SUBMITTED
    assert submitted_enrolment.trainee.user is None


# --- module completions and scores ---------------------------------------------------------------


def test_completions_are_recorded_only_between_approval_and_results(submitted_enrolment, inst1_staff):
    module = submitted_enrolment.track.modules.first()

    with pytest.raises(RuleNotMet):
        registration.record_module_completion(
            staff=inst1_staff, enrolment_id=submitted_enrolment.pk, module_id=module.pk, hours=Decimal("10")
        )


def test_a_completion_is_corrected_in_place(enrolled_enrolment, inst1_staff):
    module = enrolled_enrolment.track.modules.first()
    for hours in ("10", "64"):
        registration.record_module_completion(
            staff=inst1_staff, enrolment_id=enrolled_enrolment.pk, module_id=module.pk, hours=Decimal(hours)
        )

    assert list(enrolled_enrolment.completions.values_list("hours", flat=True)) == [Decimal("64")]


def test_a_completion_with_impossible_hours_is_refused_and_not_saved(enrolled_enrolment, inst1_staff):
    module = enrolled_enrolment.track.modules.first()

    with pytest.raises(InvalidInput):
        registration.record_module_completion(
            staff=inst1_staff, enrolment_id=enrolled_enrolment.pk, module_id=module.pk, hours=Decimal("-3")
        )

    assert not enrolled_enrolment.completions.exists()


def test_a_module_of_another_track_is_refused(enrolled_enrolment, inst1_staff):
    other = Track.objects.get(code="NM").modules.first()

    with pytest.raises(InvalidInput):
        registration.record_module_completion(
            staff=inst1_staff, enrolment_id=enrolled_enrolment.pk, module_id=other.pk, hours=Decimal("40")
        )


def test_another_institution_cannot_record_completions_or_scores(enrolled_enrolment, inst2_staff):
    module = enrolled_enrolment.track.modules.first()

    with pytest.raises(MoveForbidden):
        registration.record_module_completion(
            staff=inst2_staff, enrolment_id=enrolled_enrolment.pk, module_id=module.pk, hours=Decimal("40")
        )
    with pytest.raises(MoveForbidden):
        registration.record_scores(
            staff=inst2_staff,
            enrolment_id=enrolled_enrolment.pk,
            theory_score=Decimal("70"),
            practical_score=Decimal("70"),
        )


def test_scores_are_entered_only_once_training_is_complete(enrolled_enrolment, inst1_staff):
    with pytest.raises(RuleNotMet):
        registration.record_scores(
            staff=inst1_staff,
            enrolment_id=enrolled_enrolment.pk,
            theory_score=Decimal("70"),
            practical_score=Decimal("70"),
        )


def test_a_score_above_100_is_refused(cast, inst1_staff):
    enrolment = enrolment_in(S.TRAINED, **cast)

    with pytest.raises(InvalidInput):
        registration.record_scores(
            staff=inst1_staff, enrolment_id=enrolment.pk, theory_score=Decimal("101"), practical_score=Decimal("70")
        )

    assert not enrolment.attempts.exists()
