import itertools

import pytest

from certification import services, vetting
from certification.models import (
    EnrolmentStatus,
    Institution,
    InstitutionStatus,
    Role,
    StateLog,
    Track,
    TrackQuota,
    VettingDecision,
)
from core.errors import InvalidInput, MoveForbidden, RuleNotMet, StaleState

from .. import factories

_serial = itertools.count(1)


def valid_org_code() -> str:
    """A unified social credit code with a correct check character."""
    first17 = f"91330100MA{next(_serial):07d}"
    return first17 + vetting.uscc_check_character(first17)


def register(officer, **overrides) -> Institution:
    fields = {
        "name": "温州服装技能学校",
        "org_code": valid_org_code(),
        "contact_name": "陈老师",
        "contact_phone": "0577-8888",
        "address": "温州市鹿城区",
    }
    fields.update(overrides)
    return vetting.create_institution(officer=officer, **fields)


# Registering institutions


def test_a_new_institution_starts_pending(officer):
    institution = register(officer)
    assert institution.status == InstitutionStatus.PENDING
    assert institution.vetted_at is None


def test_it_knows_a_real_unified_social_credit_code():
    # Published codes (Huawei, Tencent) pass; one changed character fails.
    assert vetting.org_code_problem("914403001922038216") == ""
    assert vetting.org_code_problem("9144030071526726XG") == ""
    assert vetting.org_code_problem("914403001922038217") != ""
    assert vetting.org_code_problem("91440300192203821") != ""


def test_it_refuses_an_org_code_with_a_wrong_check_character(officer):
    code = valid_org_code()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(InvalidInput, match="check character"):
        register(officer, org_code=wrong)
    assert not Institution.objects.filter(org_code=wrong).exists()


def test_it_normalises_the_org_code_to_capitals(officer):
    code = valid_org_code()
    institution = register(officer, org_code=code.lower())
    assert institution.org_code == code


def test_it_refuses_a_second_institution_with_the_same_code(officer):
    code = valid_org_code()
    register(officer, org_code=code)
    with pytest.raises(InvalidInput):
        register(officer, org_code=code, name="另一所学校")
    assert Institution.objects.filter(org_code=code).count() == 1


def test_only_an_officer_registers_institutions(inst1_staff):
    with pytest.raises(MoveForbidden):
        register(inst1_staff)


# Vetting


def test_approving_records_the_time_and_the_note(officer):
    institution = register(officer)
    vetting.approve_institution(officer=officer, institution_id=institution.pk, note="现场核查合格")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPROVED
    assert institution.vetted_at is not None
    decision = institution.vetting_decisions.get()
    assert (decision.from_status, decision.to_status) == (InstitutionStatus.PENDING, InstitutionStatus.APPROVED)
    assert (decision.officer, decision.note) == (officer, "现场核查合格")
    assert institution.vetting_note == ""  # decisions are rows now, not lines of the note


def test_suspending_needs_a_reason(officer, inst1):
    with pytest.raises(InvalidInput):
        vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="  ")
    inst1.refresh_from_db()
    assert inst1.status == InstitutionStatus.APPROVED


def test_every_vetting_decision_is_kept_as_a_row(officer):
    institution = register(officer)
    vetting.approve_institution(officer=officer, institution_id=institution.pk, note="first")
    vetting.suspend_institution(officer=officer, institution_id=institution.pk, note="second")
    vetting.reinstate_institution(officer=officer, institution_id=institution.pk, note="third")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.APPROVED
    assert list(institution.vetting_decisions.values_list("from_status", "to_status", "note")) == [
        ("pending", "approved", "first"),
        ("approved", "suspended", "second"),
        ("suspended", "approved", "third"),
    ]


def test_a_refused_vetting_move_leaves_no_decision(officer, inst1):
    with pytest.raises(StaleState):
        vetting.approve_institution(officer=officer, institution_id=inst1.pk, note="again")
    with pytest.raises(InvalidInput):
        vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="")
    assert not VettingDecision.objects.filter(institution=inst1).exists()


def test_it_refuses_a_vetting_move_from_the_wrong_status(officer, inst1):
    with pytest.raises(StaleState):
        vetting.approve_institution(officer=officer, institution_id=inst1.pk)
    with pytest.raises(StaleState):
        vetting.reinstate_institution(officer=officer, institution_id=inst1.pk)


def test_only_an_officer_vets(inst1_staff, inst1):
    with pytest.raises(MoveForbidden):
        vetting.suspend_institution(officer=inst1_staff, institution_id=inst1.pk, note="no")


def test_a_suspended_institution_cannot_submit_enrolments(officer, inst1, inst1_staff, draft_enrolment):
    vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="投诉调查中")
    with pytest.raises(RuleNotMet, match="not approved"):
        services.submit_enrolment(actor=inst1_staff, enrolment_id=draft_enrolment.pk)
    draft_enrolment.refresh_from_db()
    assert draft_enrolment.status == EnrolmentStatus.DRAFT
    assert not StateLog.objects.filter(enrolment=draft_enrolment).exists()


def test_a_suspended_institution_cannot_resubmit_a_rejected_enrolment(officer, inst1, inst1_staff, submitted_enrolment):
    services.reject_enrolments(officer=officer, enrolment_ids=[submitted_enrolment.pk], reason="照片不清晰")
    vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="投诉调查中")
    with pytest.raises(RuleNotMet, match="not approved"):
        services.resubmit_enrolment(actor=inst1_staff, enrolment_id=submitted_enrolment.pk)
    submitted_enrolment.refresh_from_db()
    assert submitted_enrolment.status == EnrolmentStatus.REJECTED


def test_a_pending_institution_cannot_submit_until_approved(officer):
    institution = register(officer)
    staff = factories.user("newstaff", Role.INSTITUTION, institution=institution)
    enrolment = factories.draft_enrolment(staff, "PM")
    with pytest.raises(RuleNotMet):
        services.submit_enrolment(actor=staff, enrolment_id=enrolment.pk)
    vetting.approve_institution(officer=officer, institution_id=institution.pk)
    services.submit_enrolment(actor=staff, enrolment_id=enrolment.pk)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SUBMITTED


def test_a_reinstated_institution_submits_again(officer, inst1, inst1_staff, draft_enrolment):
    vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="投诉调查中")
    vetting.reinstate_institution(officer=officer, institution_id=inst1.pk, note="调查结束")
    services.submit_enrolment(actor=inst1_staff, enrolment_id=draft_enrolment.pk)
    draft_enrolment.refresh_from_db()
    assert draft_enrolment.status == EnrolmentStatus.SUBMITTED


# Staff accounts


def add_staff(officer, institution, **overrides):
    fields = {
        "username": "hz-teacher",
        "name": "周老师",
        "email": "zhou@example.com",
        "password": "Sewing-2026-pattern",
    }
    fields.update(overrides)
    return vetting.add_staff_account(officer=officer, institution_id=institution.pk, **fields)


def test_a_staff_account_logs_in_for_its_institution(officer, inst1):
    staff = add_staff(officer, inst1)
    assert staff.role == Role.INSTITUTION and staff.institution == inst1
    assert staff.check_password("Sewing-2026-pattern")
    assert staff.get_full_name() == "周老师" and staff.email == "zhou@example.com"


def test_a_staff_login_is_unique_whatever_the_case(officer, inst1):
    add_staff(officer, inst1)
    with pytest.raises(InvalidInput, match="already taken"):
        add_staff(officer, inst1, username="HZ-Teacher")


def test_a_staff_login_cannot_look_like_an_id_number(officer, inst1):
    # Trainee logins are ID numbers: such a staff login could later be linked to a trainee.
    with pytest.raises(InvalidInput, match="ID number"):
        add_staff(officer, inst1, username=factories.resident_id())


def test_a_weak_initial_password_is_refused(officer, inst1):
    with pytest.raises(InvalidInput):
        add_staff(officer, inst1, password="12345678")
    assert not inst1.staff.filter(username="hz-teacher").exists()


def test_only_an_officer_adds_staff(inst1_staff, inst1):
    with pytest.raises(MoveForbidden):
        add_staff(inst1_staff, inst1)


# Quotas


def approve_in(officer, staff, track_code="PM", count=1):
    enrolments = [factories.draft_enrolment(staff, track_code) for _ in range(count)]
    for enrolment in enrolments:
        services.submit_enrolment(actor=staff, enrolment_id=enrolment.pk)
    services.approve_enrolments(officer=officer, enrolment_ids=[e.pk for e in enrolments])
    return enrolments


def test_setting_a_quota_creates_then_changes_it(officer, inst1):
    track = Track.objects.get(code="NM")
    vetting.set_quota(officer=officer, institution_id=inst1.pk, track_id=track.pk, year=2031, quota=40)
    vetting.set_quota(officer=officer, institution_id=inst1.pk, track_id=track.pk, year=2031, quota=55)
    assert TrackQuota.objects.get(institution=inst1, track=track, year=2031).quota == 55


def test_a_quota_cannot_go_below_the_approved_enrolments(officer, inst1, inst1_staff):
    approve_in(officer, inst1_staff, "PM", count=2)
    track = Track.objects.get(code="PM")
    year = TrackQuota.objects.get(institution=inst1, track=track).year
    with pytest.raises(RuleNotMet, match="2 enrolments are already approved"):
        vetting.set_quota(officer=officer, institution_id=inst1.pk, track_id=track.pk, year=year, quota=1)
    assert TrackQuota.objects.get(institution=inst1, track=track, year=year).quota == 100
    vetting.set_quota(officer=officer, institution_id=inst1.pk, track_id=track.pk, year=year, quota=2)
    assert TrackQuota.objects.get(institution=inst1, track=track, year=year).quota == 2


def test_an_approval_over_quota_is_refused_and_logs_nothing(officer, inst1, inst1_staff):
    track = Track.objects.get(code="PM")
    year = TrackQuota.objects.get(institution=inst1, track=track).year
    vetting.set_quota(officer=officer, institution_id=inst1.pk, track_id=track.pk, year=year, quota=1)
    enrolments = [factories.draft_enrolment(inst1_staff, "PM") for _ in range(2)]
    for enrolment in enrolments:
        services.submit_enrolment(actor=inst1_staff, enrolment_id=enrolment.pk)
    with pytest.raises(RuleNotMet, match="quota of 1"):
        services.approve_enrolments(officer=officer, enrolment_ids=[e.pk for e in enrolments])
    assert not StateLog.objects.filter(transition="approve").exists()


def test_only_an_officer_sets_quotas(inst1_staff, inst1):
    track = Track.objects.get(code="PM")
    with pytest.raises(MoveForbidden):
        vetting.set_quota(officer=inst1_staff, institution_id=inst1.pk, track_id=track.pk, year=2030, quota=999)


# The decisions are append-only, like the state log


@pytest.fixture
def decision(officer, inst1) -> VettingDecision:
    vetting.suspend_institution(officer=officer, institution_id=inst1.pk, note="投诉调查中")
    return VettingDecision.objects.get(institution=inst1)


def test_a_vetting_decision_cannot_be_rewritten_or_deleted_through_the_orm(decision):
    from django.core.exceptions import ValidationError

    decision.note = "rewritten"
    with pytest.raises(ValidationError, match="append-only"):
        decision.save()
    with pytest.raises(ValidationError, match="append-only"):
        decision.delete()
    with pytest.raises(ValidationError):
        VettingDecision.objects.filter(pk=decision.pk).update(note="rewritten")
    decision.refresh_from_db()
    assert decision.note == "投诉调查中"


def test_a_raw_sql_update_of_a_vetting_decision_is_refused_by_the_database(decision):
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE certification_vettingdecision SET note = 'x' WHERE id = %s", [decision.pk])
    decision.refresh_from_db()
    assert decision.note == "投诉调查中"


def test_the_admin_shows_vetting_decisions_read_only(client, officer, decision):
    client.force_login(officer)
    assert client.get("/admin/certification/vettingdecision/").status_code == 200
    assert client.get("/admin/certification/vettingdecision/add/").status_code == 403
    assert (
        client.post(f"/admin/certification/vettingdecision/{decision.pk}/delete/", {"post": "yes"}).status_code == 403
    )
