"""Trainee accounts and activation slips (docs/spec.md §6): one-time codes, valid 30 days."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from certification import accounts
from certification.models import ActivationCode
from core.errors import InvalidInput, MoveForbidden, RuleNotMet

from .. import factories

PASSWORD = "a-long-Passphrase-2024"


@pytest.fixture
def trainee(trainee_user):
    return trainee_user.trainee


def slip(staff, trainee) -> str:
    return accounts.issue_activation_code(staff=staff, trainee_id=trainee.pk)


def activate(trainee, code, password=PASSWORD):
    return accounts.activate_account(id_number=trainee.id_number, code=code, password=password)


def test_a_code_from_the_slip_sets_the_password(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)

    user = activate(trainee, code)

    assert user == trainee.user and user.check_password(PASSWORD) and user.is_active


def test_a_code_works_once(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)
    activate(trainee, code)

    with pytest.raises(InvalidInput):
        activate(trainee, code, password="another-long-Passphrase-1")

    trainee.user.refresh_from_db()
    assert trainee.user.check_password(PASSWORD)


def test_a_code_is_typed_forgivingly(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)
    typed = " ".join([code[:5].lower(), code[5:]])
    spaced_id = f"{trainee.id_number[:6]} {trainee.id_number[6:]}"

    user = accounts.activate_account(id_number=spaced_id, code=typed, password=PASSWORD)

    assert user.check_password(PASSWORD)


def test_a_code_still_works_on_day_29(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)

    with time_machine.travel(timezone.now() + timedelta(days=29)):
        activate(trainee, code)


def test_a_code_expires_after_30_days(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)

    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)), pytest.raises(InvalidInput) as refused:
        activate(trainee, code)

    assert "expire after 30 days" in refused.value.message
    trainee.user.refresh_from_db()
    assert not trainee.user.has_usable_password()


def test_a_new_code_invalidates_the_old_one(inst1_staff, trainee):
    old = slip(inst1_staff, trainee)
    new = slip(inst1_staff, trainee)

    with pytest.raises(InvalidInput):
        activate(trainee, old)
    activate(trainee, new)

    assert ActivationCode.objects.filter(user=trainee.user, used_at__isnull=True).count() == 0


def test_codes_are_stored_only_as_hashes(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)

    stored = ActivationCode.objects.get(user=trainee.user)
    assert code not in stored.code_hash and len(code) == accounts.CODE_LENGTH


def test_a_wrong_code_or_a_wrong_id_number_gets_the_same_message(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)

    with pytest.raises(InvalidInput) as wrong_code:
        activate(trainee, "WRONGCODE2")
    with pytest.raises(InvalidInput) as wrong_id:
        accounts.activate_account(id_number=factories.resident_id(), code=code, password=PASSWORD)

    assert wrong_code.value.message == wrong_id.value.message
    activate(trainee, code)  # the failed tries did not use the code up


def test_a_weak_password_is_refused_and_the_code_stays_usable(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)

    with pytest.raises(InvalidInput):
        activate(trainee, code, password="123")
    with pytest.raises(InvalidInput):
        activate(trainee, code, password=trainee.id_number)

    activate(trainee, code)


def test_only_the_trainees_institution_prints_slips(inst2_staff, officer, trainee):
    for someone in (inst2_staff, officer):
        with pytest.raises(MoveForbidden):
            slip(someone, trainee)


def test_no_slip_before_the_trainee_has_an_account(inst1_staff, draft_enrolment):
    with pytest.raises(InvalidInput, match="when an enrolment is approved"):
        slip(inst1_staff, draft_enrolment.trainee)


def test_an_unknown_trainee_gets_no_slip(inst1_staff):
    with pytest.raises(MoveForbidden):
        accounts.issue_activation_code(staff=inst1_staff, trainee_id=999_999)


# A deactivated account stays deactivated ------------------------------------------------------


def deactivate(trainee):
    trainee.user.is_active = False
    trainee.user.save()


def test_a_slip_printed_before_deactivation_does_not_reactivate_the_account(inst1_staff, trainee):
    code = slip(inst1_staff, trainee)
    deactivate(trainee)

    with pytest.raises(RuleNotMet, match="deactivated"):
        activate(trainee, code)

    trainee.user.refresh_from_db()
    assert not trainee.user.is_active and not trainee.user.has_usable_password()


def test_a_wrong_code_for_a_deactivated_account_gets_the_usual_message(inst1_staff, trainee):
    slip(inst1_staff, trainee)
    deactivate(trainee)

    with pytest.raises(InvalidInput, match="not valid"):
        activate(trainee, "AAAAAAAAAA")


def test_no_slip_is_printed_for_a_deactivated_account(inst1_staff, trainee):
    deactivate(trainee)

    with pytest.raises(RuleNotMet, match="deactivated"):
        slip(inst1_staff, trainee)

    assert not ActivationCode.objects.filter(user=trainee.user).exists()
