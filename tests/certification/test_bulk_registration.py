"""The many-rows forms of the registration services (certification.registration): create_trainees,
enrol_trainees and discard_new_registrations. Every row gets its own outcome, in the order given,
nothing is written for a refused row, and the number of queries does not grow with the rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification import registration, services
from certification import services as lifecycle
from certification.models import Enrolment, Role, StateLog, Track, Trainee
from certification.models import EnrolmentStatus as S
from core.errors import MoveForbidden

from .. import factories
from .test_lifecycle_transitions import enrolment_in

ROW = {
    "name": "李娜",
    "id_type": "resident_id",
    "gender": "F",
    "birth_date": date(1990, 3, 5),
    "ethnicity": "回族",
    "education": "senior",
    "phone": "13900000000",
    "employer": "杭州某服饰有限公司",
    "years_in_trade": 3,
    "address": "杭州市西湖区文三路100号",
}

OWN = "A trainee with this ID number is already registered: open them from the trainee list."
OTHER = "This ID number is already registered by another institution; the certification office can move the record."
CHECKSUM = "This resident ID number fails its checksum: please check each digit."
FULL = "The batch is full (2 places)."
CLOSED = "This track is closed for enrolment."
NOT_YOURS = "Both the trainee and the batch must belong to your institution."


def row(**changes) -> dict:
    return {**ROW, "id_number": factories.resident_id(), **changes}


def described(outcomes) -> list[tuple]:
    """Each outcome as what a user would notice: the new object's kind, or the refusal and its message."""
    return [
        (type(outcome).__name__, outcome.message) if isinstance(outcome, Exception) else (type(outcome).__name__,)
        for outcome in outcomes
    ]


def columns(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.fixture
def cast(inst1_staff, officer, assessor):
    return {"staff": inst1_staff, "officer": officer, "assessor": assessor}


# --- create_trainees -----------------------------------------------------------------------------


def test_each_row_gets_its_trainee_or_its_refusal_in_order(inst1, inst2, inst1_staff):
    own = factories.trainee(inst1)
    theirs = factories.trainee(inst2)
    twice = factories.resident_id()
    good = factories.resident_id()
    bad_checksum = good[:17] + ("0" if good[17] != "0" else "1")
    long_name = row(name="长" * 65)
    rows = [
        row(),
        row(id_number=own.id_number),
        row(id_number=theirs.id_number),
        row(id_number=twice),
        row(id_number=twice, name="另一个人"),
        row(id_number=bad_checksum),
        long_name,
        row(id_number=good),
    ]
    before = Trainee.objects.count()

    outcomes = registration.create_trainees(staff=inst1_staff, rows=rows)

    assert described(outcomes) == [
        ("Trainee",),
        ("InvalidInput", OWN),
        ("InvalidInput", OTHER),
        ("Trainee",),
        ("InvalidInput", OWN),
        ("InvalidInput", CHECKSUM),
        ("InvalidInput", "Ensure this value has at most 64 characters (it has 65)."),
        ("Trainee",),
    ]
    assert Trainee.objects.count() == before + 3
    assert Trainee.objects.get(id_number=twice).name == "李娜"  # the first row asking got it
    assert not Trainee.objects.filter(id_number__in=[bad_checksum, long_name["id_number"]]).exists()
    assert (Trainee.objects.get(pk=own.pk).institution, Trainee.objects.get(pk=theirs.pk).institution) == (inst1, inst2)


def test_a_refused_row_does_not_hold_its_id_number_for_a_later_row(inst1_staff):
    number = factories.resident_id()

    outcomes = registration.create_trainees(
        staff=inst1_staff, rows=[row(id_number=number, name="长" * 65), row(id_number=number)]
    )

    assert described(outcomes) == [
        ("InvalidInput", "Ensure this value has at most 64 characters (it has 65)."),
        ("Trainee",),
    ]
    assert Trainee.objects.get(id_number=number).name == "李娜"


def test_created_trainees_have_primary_keys_and_read_back_as_given(inst1_staff):
    rows = [
        row(),
        row(
            name="王芳",
            gender="M",
            employer="",
            address="",
            years_in_trade=0,
            id_type="passport",
            id_number="E12345678",
        ),
    ]

    created = registration.create_trainees(staff=inst1_staff, rows=rows)

    for given, trainee in zip(rows, created):
        assert trainee.pk is not None
        stored = Trainee.objects.get(pk=trainee.pk)
        assert columns(stored) == columns(trainee)
        assert {key: getattr(stored, key) for key in given} == given
        assert (stored.institution_id, stored.user_id, stored.photo.name) == (inst1_staff.institution_id, None, "")
        assert stored.created_at is not None and stored.updated_at is not None


def test_the_id_number_is_normalised_before_the_rows_are_compared(inst1_staff):
    number = factories.resident_id()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)

    outcomes = registration.create_trainees(
        staff=inst1_staff, rows=[row(id_number=f" {full_width} "), row(id_number=number)]
    )

    assert described(outcomes) == [("Trainee",), ("InvalidInput", OWN)]
    assert outcomes[0].id_number == number and Trainee.objects.filter(id_number=number).count() == 1


def test_creating_trainees_costs_the_same_queries_for_one_row_and_for_fifty(inst1_staff):
    registration.create_trainees(staff=inst1_staff, rows=[row()])  # anything loaded once is loaded

    one = queries_of(lambda: registration.create_trainees(staff=inst1_staff, rows=[row()]))
    fifty = queries_of(lambda: registration.create_trainees(staff=inst1_staff, rows=[row() for _ in range(50)]))

    assert one == fifty
    assert Trainee.objects.count() == 52


def test_no_row_at_all_writes_nothing(inst1_staff):
    assert registration.create_trainees(staff=inst1_staff, rows=[]) == []
    assert not Trainee.objects.exists()


def test_a_trainee_registered_meanwhile_refuses_only_its_own_row(monkeypatch, inst2, inst1_staff):
    """Another request registers one of the IDs between the check and the insert: the database
    refuses the insert, and the rows are then inserted one by one."""
    contested = factories.resident_id()
    validated = registration._validated

    def validated_while_someone_else_registers(instance, *args, **kwargs):
        if instance.id_number == contested and not Trainee.objects.filter(id_number=contested).exists():
            factories.trainee(inst2, id_number=contested)
        return validated(instance, *args, **kwargs)

    monkeypatch.setattr(registration, "_validated", validated_while_someone_else_registers)
    rows = [row(), row(id_number=contested), row()]

    outcomes = registration.create_trainees(staff=inst1_staff, rows=rows)

    assert described(outcomes) == [
        ("Trainee",),
        ("InvalidInput", "A trainee with this ID number is already registered."),
        ("Trainee",),
    ]
    for trainee in (outcomes[0], outcomes[2]):
        assert columns(Trainee.objects.get(pk=trainee.pk)) == columns(trainee)
    assert Trainee.objects.get(id_number=contested).institution == inst2


@pytest.mark.parametrize("who", ["officer", "assessor"])
def test_only_institution_staff_create_trainees(request, who):
    with pytest.raises(MoveForbidden, match="Only institution staff can do this."):
        registration.create_trainees(staff=request.getfixturevalue(who), rows=[row()])

    assert not Trainee.objects.exists()


# --- enrol_trainees ------------------------------------------------------------------------------


def test_the_last_place_of_a_batch_goes_to_the_first_pair_asking(inst1, inst1_staff):
    batch = factories.batch(inst1, "PM", capacity=2)
    # Made in the reverse of the order they ask in: the order of the pairs decides, not the ids.
    third, second, first = (factories.trainee(inst1) for _ in range(3))
    requests = [(trainee.pk, batch.pk) for trainee in (first, second, third)]

    outcomes = registration.enrol_trainees(staff=inst1_staff, requests=requests)

    assert described(outcomes) == [("Enrolment",), ("Enrolment",), ("RuleNotMet", FULL)]
    assert set(batch.enrolments.values_list("trainee_id", flat=True)) == {first.pk, second.pk}


def test_a_refused_pair_takes_no_place_in_the_batch(inst1, inst1_staff):
    batch = factories.batch(inst1, "PM", capacity=2)
    already = factories.draft_enrolment(inst1_staff, "PM").trainee
    first, second = factories.trainee(inst1), factories.trainee(inst1)

    outcomes = registration.enrol_trainees(
        staff=inst1_staff, requests=[(already.pk, batch.pk), (first.pk, batch.pk), (second.pk, batch.pk)]
    )

    assert described(outcomes) == [
        ("InvalidInput", "张晓明 already has an active enrolment in this track."),
        ("Enrolment",),
        ("Enrolment",),
    ]


def test_each_pair_gets_its_enrolment_or_its_refusal_in_order(cast, inst1, inst2, inst1_staff):
    Track.objects.filter(code="NM").update(is_active=False)
    pm, pm_again, cr, nm = (factories.batch(inst1, code) for code in ("PM", "PM", "CR", "NM"))
    theirs = factories.batch(inst2, "PM")
    already = factories.trainee(inst1, name="王芳")
    registration.enrol_trainee(staff=inst1_staff, trainee_id=already.pk, batch_id=pm.pk)
    twice, fresh = factories.trainee(inst1, name="周杰"), factories.trainee(inst1)
    foreign = factories.trainee(inst2)
    before = Enrolment.objects.count()

    outcomes = registration.enrol_trainees(
        staff=inst1_staff,
        requests=[
            (fresh.pk, nm.pk),  # closed track
            (fresh.pk, theirs.pk),  # another institution's batch
            (foreign.pk, pm.pk),  # another institution's trainee
            (already.pk, pm_again.pk),  # an active enrolment in the track
            (twice.pk, pm.pk),
            (twice.pk, pm_again.pk),  # the same trainee and track twice in one call
            (twice.pk, cr.pk),  # another track is fine
            (fresh.pk, pm_again.pk),
        ],
    )

    assert described(outcomes) == [
        ("RuleNotMet", CLOSED),
        ("MoveForbidden", NOT_YOURS),
        ("MoveForbidden", NOT_YOURS),
        ("InvalidInput", "王芳 already has an active enrolment in this track."),
        ("Enrolment",),
        ("InvalidInput", "周杰 already has an active enrolment in this track."),
        ("Enrolment",),
        ("Enrolment",),
    ]
    assert Enrolment.objects.count() == before + 3
    assert sorted(Enrolment.objects.filter(trainee=twice).values_list("batch_id", flat=True)) == sorted([pm.pk, cr.pk])
    assert not Enrolment.objects.filter(trainee=foreign).exists() and not theirs.enrolments.exists()


def test_a_failed_enrolment_blocks_a_new_one_only_while_a_resit_is_possible(cast, inst1, inst1_staff):
    resit_left = enrolment_in(S.FAILED, track_code="CR", **cast).trainee
    used_up = enrolment_in(S.FAILED, track_code="PM", **cast).trainee
    Track.objects.filter(code="PM").update(max_attempts=1)
    cr, pm = factories.batch(inst1, "CR"), factories.batch(inst1, "PM")

    outcomes = registration.enrol_trainees(staff=inst1_staff, requests=[(resit_left.pk, cr.pk), (used_up.pk, pm.pk)])

    assert described(outcomes) == [
        ("InvalidInput", f"{resit_left.name} already has an active enrolment in this track."),
        ("Enrolment",),
    ]
    assert not cr.enrolments.exists() and pm.enrolments.get().trainee_id == used_up.pk


def test_created_enrolments_are_drafts_with_primary_keys_made_by_the_staff_member(inst1, inst1_staff):
    pm, cr = factories.batch(inst1, "PM"), factories.batch(inst1, "CR")
    trainee = factories.trainee(inst1)

    created = registration.enrol_trainees(staff=inst1_staff, requests=[(trainee.pk, pm.pk), (trainee.pk, cr.pk)])

    for enrolment, batch in zip(created, (pm, cr)):
        assert enrolment.pk is not None
        stored = Enrolment.objects.get(pk=enrolment.pk)
        assert (stored.status, stored.trainee_id, stored.batch_id, stored.track_id, stored.created_by) == (
            S.DRAFT,
            trainee.pk,
            batch.pk,
            batch.track_id,
            inst1_staff,
        )
        assert columns(stored) == columns(enrolment)
        assert not stored.state_logs.exists()
    # The objects handed back move on through the lifecycle like any loaded enrolment.
    services.submit_enrolment(actor=inst1_staff, enrolment_id=created[0].pk)
    assert Enrolment.objects.get(pk=created[0].pk).status == S.SUBMITTED


def test_enrolling_costs_the_same_queries_for_one_pair_and_for_fifty(inst1, inst1_staff):
    batch = factories.batch(inst1, "PM", capacity=100)
    trainees = [factories.trainee(inst1) for _ in range(52)]
    registration.enrol_trainees(staff=inst1_staff, requests=[(trainees[0].pk, batch.pk)])

    one = queries_of(lambda: registration.enrol_trainees(staff=inst1_staff, requests=[(trainees[1].pk, batch.pk)]))
    fifty = queries_of(
        lambda: registration.enrol_trainees(
            staff=inst1_staff, requests=[(trainee.pk, batch.pk) for trainee in trainees[2:]]
        )
    )

    assert one == fifty
    assert batch.enrolments.count() == 52


def test_an_enrolment_made_meanwhile_refuses_only_its_own_pair(monkeypatch, inst1, inst1_staff):
    """Another request enrols one of the trainees in the track after the check: the database
    refuses the insert, and the pairs are then inserted one by one."""
    batch, elsewhere = factories.batch(inst1, "PM"), factories.batch(inst1, "PM")
    first, contested, last = factories.trainee(inst1), factories.trainee(inst1, name="周杰"), factories.trainee(inst1)
    open_resits = registration._open_resits

    def open_resits_while_someone_else_enrols(trainee_ids, track_ids):
        found = open_resits(trainee_ids, track_ids)
        if contested.pk in trainee_ids and not contested.enrolments.exists():
            Enrolment.objects.create(trainee=contested, batch=elsewhere, track=elsewhere.track)
        return found

    monkeypatch.setattr(registration, "_open_resits", open_resits_while_someone_else_enrols)

    outcomes = registration.enrol_trainees(
        staff=inst1_staff, requests=[(first.pk, batch.pk), (contested.pk, batch.pk), (last.pk, batch.pk)]
    )

    assert described(outcomes) == [
        ("Enrolment",),
        ("InvalidInput", "周杰 already has an active enrolment in this track."),
        ("Enrolment",),
    ]
    assert {e.pk for e in batch.enrolments.all()} == {outcomes[0].pk, outcomes[2].pk}
    assert contested.enrolments.get().batch == elsewhere


@pytest.mark.parametrize("who", ["officer", "assessor"])
def test_only_institution_staff_enrol_in_bulk(request, inst1, who):
    trainee, batch = factories.trainee(inst1), factories.batch(inst1)

    with pytest.raises(MoveForbidden, match="Only institution staff can do this."):
        registration.enrol_trainees(staff=request.getfixturevalue(who), requests=[(trainee.pk, batch.pk)])

    assert not Enrolment.objects.exists()


# --- discard_new_registrations -------------------------------------------------------------------


def test_discarding_takes_back_only_untouched_drafts_and_trainees_of_ones_own_institution(
    inst1, inst2, inst1_staff, inst2_staff
):
    untouched = factories.draft_enrolment(inst1_staff)
    submitted = factories.draft_enrolment(inst1_staff)
    services.submit_enrolment(actor=inst1_staff, enrolment_id=submitted.pk)
    withdrawn = factories.draft_enrolment(inst1_staff)
    lifecycle.withdraw(actor=inst1_staff, enrolment_id=withdrawn.pk, reason="wrong batch")
    logged_draft = factories.draft_enrolment(inst1_staff)
    # No move leaves a draft with a log entry; written here to try that condition on its own.
    StateLog.objects.create(enrolment=logged_draft, transition="note", from_status=S.DRAFT, to_status=S.DRAFT)
    their_draft = factories.draft_enrolment(inst2_staff)
    free = factories.trainee(inst1)
    with_enrolment = factories.draft_enrolment(inst1_staff).trainee
    with_account = factories.trainee(inst1, user=factories.user("trainee-account", Role.TRAINEE))
    their_trainee = factories.trainee(inst2)
    enrolments = [untouched, submitted, withdrawn, logged_draft, their_draft]

    registration.discard_new_registrations(
        staff=inst1_staff,
        enrolment_ids=[e.pk for e in enrolments],
        trainee_ids=[untouched.trainee_id, free.pk, with_enrolment.pk, with_account.pk, their_trainee.pk],
    )

    assert set(Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).values_list("pk", flat=True)) == {
        submitted.pk,
        withdrawn.pk,
        logged_draft.pk,
        their_draft.pk,
    }
    # A trainee whose only draft went in the same call goes too.
    assert set(
        Trainee.objects.filter(
            pk__in=[untouched.trainee_id, free.pk, with_enrolment.pk, with_account.pk, their_trainee.pk]
        ).values_list("pk", flat=True)
    ) == {with_enrolment.pk, with_account.pk, their_trainee.pk}


def test_discarding_nothing_writes_nothing(inst1_staff, draft_enrolment):
    with CaptureQueriesContext(connection) as queries:
        registration.discard_new_registrations(staff=inst1_staff, enrolment_ids=[], trainee_ids=[])

    assert len(queries) == 0 and Enrolment.objects.filter(pk=draft_enrolment.pk).exists()


@pytest.mark.parametrize("who", ["officer", "assessor"])
def test_only_institution_staff_discard(request, draft_enrolment, who):
    with pytest.raises(MoveForbidden):
        registration.discard_new_registrations(
            staff=request.getfixturevalue(who),
            enrolment_ids=[draft_enrolment.pk],
            trainee_ids=[draft_enrolment.trainee_id],
        )

    assert Enrolment.objects.filter(pk=draft_enrolment.pk).exists()
