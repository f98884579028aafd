"""The public notice services: opening a notice, lodging objections, upholding and dismissing them."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from certification.models import EnrolmentStatus, StateLog, Track
from core.errors import InvalidInput, MoveForbidden, RuleNotMet, StaleState
from workflows.models import NonWorkingDay, Objection, ObjectionStatus, PublicityEntry, PublicityNotice
from workflows.publicity import services as publicity

from .. import factories

MONDAY = date(2026, 3, 2)
NEXT_MONDAY = date(2026, 3, 9)  # the fifth working day after MONDAY


def at(day: date):
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def passed(staff, officer, assessor, count=1, track_code="PM"):
    return [
        factories.advance(
            factories.draft_enrolment(staff, track_code), staff=staff, officer=officer, assessor=assessor, to="passed"
        )
        for _ in range(count)
    ]


def open_notice(officer, enrolments, day=MONDAY, title="2026年第一批时尚工程师公示"):
    with at(day):
        return publicity.open_publicity(officer=officer, enrolment_ids=[e.pk for e in enrolments], title=title)


def lodge(entry, day=MONDAY, **overrides):
    fields = {"name": "李四", "contact": "13900000000", "text": "成绩有误。", "fingerprint": "f" * 64}
    fields.update(overrides)
    with at(day):
        return publicity.lodge_objection(entry_id=entry.pk, **fields)


@pytest.fixture
def cast(officer, assessor, inst1_staff):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


def status_of(enrolment) -> str:
    enrolment.refresh_from_db()
    return enrolment.status


# Opening a notice


def test_opening_a_notice_puts_the_candidates_in_public_notice_for_five_working_days(cast, officer):
    enrolments = passed(**cast, count=2)

    notice = open_notice(officer, enrolments)

    assert (notice.starts_on, notice.ends_on, notice.opened_by) == (MONDAY, NEXT_MONDAY, officer)
    assert set(notice.enrolments.all()) == set(enrolments)
    for enrolment in enrolments:
        assert status_of(enrolment) == EnrolmentStatus.IN_PUBLICITY
        assert enrolment.publicity_ends_on == NEXT_MONDAY
        assert enrolment.state_logs.get(transition="open_publicity").actor == officer


def test_the_period_skips_a_holiday_recorded_by_the_office(cast, officer):
    NonWorkingDay.objects.create(date=date(2026, 3, 4), name="test holiday")
    (enrolment,) = passed(**cast)

    notice = open_notice(officer, [enrolment])

    assert notice.ends_on == date(2026, 3, 10)
    assert status_of(enrolment) == EnrolmentStatus.IN_PUBLICITY
    assert enrolment.publicity_ends_on == date(2026, 3, 10)


def test_each_candidate_keeps_their_tracks_length_and_the_notice_ends_with_the_longest(cast, officer):
    Track.objects.filter(code="CR").update(publicity_working_days=7)
    (pattern_maker,) = passed(**cast, track_code="PM")
    (craftsman,) = passed(**cast, track_code="CR")

    notice = open_notice(officer, [pattern_maker, craftsman])

    pattern_maker.refresh_from_db()
    craftsman.refresh_from_db()
    assert pattern_maker.publicity_ends_on == NEXT_MONDAY
    assert craftsman.publicity_ends_on == date(2026, 3, 11)
    assert notice.ends_on == date(2026, 3, 11)


def test_opening_is_all_or_nothing(cast, officer, inst1_staff):
    (ready,) = passed(**cast)
    under_review = factories.advance(
        factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="under_review"
    )

    with pytest.raises(StaleState):
        open_notice(officer, [ready, under_review])

    assert status_of(ready) == EnrolmentStatus.PASSED
    assert ready.publicity_ends_on is None
    assert not PublicityNotice.objects.exists()
    assert not PublicityEntry.objects.exists()


@pytest.mark.parametrize("title", ["", "   "])
def test_a_notice_needs_a_title(cast, officer, title):
    (enrolment,) = passed(**cast)

    with pytest.raises(InvalidInput):
        open_notice(officer, [enrolment], title=title)

    assert status_of(enrolment) == EnrolmentStatus.PASSED


def test_a_notice_needs_at_least_one_candidate(officer):
    with pytest.raises(InvalidInput):
        open_notice(officer, [])
    assert not PublicityNotice.objects.exists()


@pytest.mark.parametrize("role_fixture", ["inst1_staff", "assessor"])
def test_only_the_office_opens_a_notice(cast, request, role_fixture):
    (enrolment,) = passed(**cast)

    with pytest.raises(MoveForbidden):
        open_notice(request.getfixturevalue(role_fixture), [enrolment])

    assert status_of(enrolment) == EnrolmentStatus.PASSED


# Objections


@pytest.fixture
def entry(cast, officer):
    (enrolment,) = passed(**cast)
    notice = open_notice(officer, [enrolment])
    return notice.entries.get()


def test_anyone_may_lodge_an_objection_during_the_period(entry):
    objection = lodge(entry, day=NEXT_MONDAY, name=" 李四 ", text=" 证书材料造假。 ")

    assert objection.status == ObjectionStatus.OPEN
    assert (objection.name, objection.text) == ("李四", "证书材料造假。")
    assert objection.entry == entry


def test_an_objection_after_the_period_is_refused_with_the_end_date_and_nothing_is_stored(entry):
    with pytest.raises(RuleNotMet) as refusal:
        lodge(entry, day=date(2026, 3, 10))

    assert "2026-03-09" in refusal.value.message
    assert not Objection.objects.exists()


def test_an_objection_on_a_closed_notice_is_refused(entry):
    PublicityNotice.objects.filter(pk=entry.notice_id).update(closed_at=datetime(2026, 3, 3, tzinfo=ZoneInfo("UTC")))

    with pytest.raises(RuleNotMet):
        lodge(entry)

    assert not Objection.objects.exists()


def test_an_objection_against_a_candidate_no_longer_in_notice_is_refused(entry, officer):
    objection = lodge(entry)
    publicity.uphold_objection(officer=officer, objection_id=objection.pk, reason="学历造假")

    with pytest.raises(RuleNotMet):
        lodge(entry)

    assert Objection.objects.count() == 1


@pytest.mark.parametrize("missing", ["name", "contact", "text"])
def test_an_objection_needs_a_name_a_contact_and_a_text(entry, missing):
    with pytest.raises(InvalidInput):
        lodge(entry, **{missing: "  "})

    assert not Objection.objects.exists()


def test_the_fingerprint_keeps_neither_the_address_nor_the_browser():
    fingerprint = publicity.client_fingerprint("203.0.113.9", "Mozilla/5.0")

    assert len(fingerprint) == 64
    assert "203.0.113.9" not in fingerprint
    assert fingerprint == publicity.client_fingerprint("203.0.113.9", "Mozilla/5.0")
    assert fingerprint != publicity.client_fingerprint("203.0.113.10", "Mozilla/5.0")


# Deciding objections


def test_upholding_disqualifies_the_candidate_with_the_reason_in_the_state_log(entry, officer):
    objection = lodge(entry)

    decided = publicity.uphold_objection(officer=officer, objection_id=objection.pk, reason="理论成绩系代考")

    assert decided.status == ObjectionStatus.UPHELD
    assert (decided.decided_by, decided.decision_reason) == (officer, "理论成绩系代考")
    assert status_of(entry.enrolment) == EnrolmentStatus.DISQUALIFIED
    log = StateLog.objects.get(enrolment=entry.enrolment, transition="uphold_objection")
    assert (log.transition, log.actor, log.reason) == ("uphold_objection", officer, "理论成绩系代考")


def test_upholding_needs_a_reason_and_changes_nothing_without_one(entry, officer):
    objection = lodge(entry)

    with pytest.raises(InvalidInput):
        publicity.uphold_objection(officer=officer, objection_id=objection.pk, reason=" ")

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN
    assert status_of(entry.enrolment) == EnrolmentStatus.IN_PUBLICITY


def test_upholding_one_objection_settles_the_others_against_the_same_candidate(entry, officer):
    first, second = lodge(entry), lodge(entry, name="王五")

    publicity.uphold_objection(officer=officer, objection_id=first.pk, reason="证书材料造假")

    second.refresh_from_db()
    assert (second.status, second.decision_reason) == (ObjectionStatus.UPHELD, "证书材料造假")


def test_upholding_the_only_candidate_closes_the_notice(entry, officer):
    publicity.uphold_objection(officer=officer, objection_id=lodge(entry).pk, reason="证书材料造假")

    entry.notice.refresh_from_db()
    assert entry.notice.closed_at is not None


def test_dismissing_records_the_reason_and_keeps_the_candidate_in_notice(entry, officer):
    objection = lodge(entry)

    decided = publicity.dismiss_objection(officer=officer, objection_id=objection.pk, reason="经核实成绩无误")

    assert (decided.status, decided.decision_reason, decided.decided_by) == (
        ObjectionStatus.DISMISSED,
        "经核实成绩无误",
        officer,
    )
    assert status_of(entry.enrolment) == EnrolmentStatus.IN_PUBLICITY


def test_a_decided_objection_cannot_be_decided_again(entry, officer):
    objection = lodge(entry)
    publicity.dismiss_objection(officer=officer, objection_id=objection.pk, reason="无依据")

    with pytest.raises(StaleState):
        publicity.uphold_objection(officer=officer, objection_id=objection.pk, reason="再议")

    assert status_of(entry.enrolment) == EnrolmentStatus.IN_PUBLICITY


@pytest.mark.parametrize("role_fixture", ["inst1_staff", "assessor"])
def test_only_the_office_decides_objections(entry, request, role_fixture):
    objection = lodge(entry)
    someone = request.getfixturevalue(role_fixture)

    for decide in (publicity.uphold_objection, publicity.dismiss_objection):
        with pytest.raises(MoveForbidden):
            decide(officer=someone, objection_id=objection.pk, reason="理由")

    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN


def test_an_objection_name_with_a_hidden_direction_mark_is_refused(entry):
    with pytest.raises(InvalidInput, match="invisible"):
        lodge(entry, name="李\u202e四")

    assert not Objection.objects.exists()
