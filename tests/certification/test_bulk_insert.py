"""core.bulk_insert: many new rows in one statement (a COPY on PostgreSQL), stored exactly as
bulk_create stores them; the enrolments' draft-only guard; and selectors.trainees_with_ids, which
the bulk services use to find trainees by ID."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certification import selectors
from certification.models import Enrolment, EnrolmentStatus, Gender, IdType, Trainee
from core.bulk_insert import insert_many

from .. import factories

FIELDS = {
    "name": "李娜",
    "gender": "F",
    "birth_date": date(1990, 3, 5),
    "education": "senior",
    "phone": "13900000000",
    "employer": "杭州某服饰有限公司",
    "years_in_trade": 7,
    "address": "杭州市西湖区文三路100号",
}
STAMPS = ("id", "id_number", "id_last_four", "created_at", "updated_at")


def new_trainee(inst, **changes) -> Trainee:
    return Trainee(institution=inst, **{**FIELDS, "id_number": factories.resident_id(), **changes})


def stored(trainee: Trainee) -> dict:
    row = Trainee.objects.filter(id_type=trainee.id_type, id_number=trainee.id_number).values().get()
    return {key: value for key, value in row.items() if key not in STAMPS}


# --- insert_many ---------------------------------------------------------------------------------


def test_it_stores_the_same_row_as_bulk_create(inst1):
    # Choices members (str subclasses, as the import passes the default ID type) are stored as their value.
    made_by_django, made_here = (new_trainee(inst1, id_type=IdType.PASSPORT, gender=Gender.FEMALE) for _ in range(2))

    Trainee.objects.bulk_create([made_by_django])
    insert_many(Trainee, [made_here])

    assert stored(made_here) == stored(made_by_django)
    assert stored(made_here)["ethnicity"] == "汉族" and stored(made_here)["user_id"] is None
    assert (stored(made_here)["id_type"], stored(made_here)["gender"]) == ("passport", "F")


def test_defaults_none_and_timestamps_are_filled_in(inst1):
    trainee = Trainee(
        institution=inst1,
        name="王芳",
        id_number=factories.resident_id(),
        gender="M",
        birth_date=date(1990, 3, 5),
        education="junior",
        phone="13700000000",
    )
    before = timezone.now()

    insert_many(Trainee, [trainee])

    row = Trainee.objects.filter(id_number=trainee.id_number).values().get()
    assert (row["ethnicity"], row["years_in_trade"], row["employer"], row["address"], row["photo"]) == (
        "汉族",
        0,
        "",
        "",
        "",
    )
    assert row["user_id"] is None and row["id_type"] == IdType.RESIDENT_ID
    assert before <= row["created_at"] <= timezone.now() and before <= row["updated_at"] <= timezone.now()
    assert trainee.pk is None and not trainee._state.adding  # no primary key back: callers read it by ID


def test_aware_datetimes_and_dates_read_back_equal(inst1, inst1_staff):
    batch = factories.batch(inst1, "PM")
    in_shanghai = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=ZoneInfo("Asia/Shanghai"))
    in_utc = datetime(2025, 12, 31, 23, 59, 59, 1, tzinfo=UTC)
    given = Enrolment(
        trainee=factories.trainee(inst1),
        batch=batch,
        track=batch.track,
        status_changed_at=in_utc,
        approved_at=in_shanghai,
        publicity_ends_on=date(2026, 2, 28),
        created_by=inst1_staff,
    )
    empty = Enrolment(trainee=factories.trainee(inst1), batch=batch, track=batch.track, created_by=None)

    Enrolment.objects.insert_drafts([given, empty])

    first = Enrolment.objects.get(trainee=given.trainee)
    assert (first.status_changed_at, first.approved_at, first.publicity_ends_on, first.created_by_id) == (
        in_utc,
        in_shanghai,
        date(2026, 2, 28),
        inst1_staff.pk,
    )
    assert first.status == EnrolmentStatus.DRAFT and first.created_at is not None
    second = Enrolment.objects.get(trainee=empty.trainee)
    assert (second.approved_at, second.publicity_ends_on, second.created_by_id) == (None, None, None)


def test_rows_beyond_one_statements_parameters_are_all_stored(inst1):
    # SQLite takes 999 parameters: 150 trainees of 16 columns need three INSERT statements.
    trainees = [new_trainee(inst1, name=f"学员{n}", years_in_trade=n % 50) for n in range(150)]

    insert_many(Trainee, trainees)

    assert set(Trainee.objects.values_list("id_number", "name", "years_in_trade")) == {
        (t.id_number, t.name, t.years_in_trade) for t in trainees
    }


def test_no_objects_make_no_query(db):
    with CaptureQueriesContext(connection) as queries:
        insert_many(Trainee, [])

    assert len(queries) == 0


def test_a_unique_violation_raises_djangos_integrity_error_and_writes_nothing(inst1):
    existing = factories.trainee(inst1)
    rows = [new_trainee(inst1), new_trainee(inst1, id_number=existing.id_number)]

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        insert_many(Trainee, rows)

    assert type(refused.value) is IntegrityError  # django.db's, not the driver's
    assert Trainee.objects.count() == 1  # the whole statement was refused, the transaction goes on


def test_two_rows_with_the_same_id_in_one_call_are_refused_together(inst1):
    number = factories.resident_id()

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many(Trainee, [new_trainee(inst1, id_number=number), new_trainee(inst1, id_number=number)])

    assert not Trainee.objects.exists()


def test_a_second_active_enrolment_in_a_track_is_refused_by_the_database(draft_enrolment, inst1):
    batch = factories.batch(inst1, "PM")

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        Enrolment.objects.insert_drafts([Enrolment(trainee=draft_enrolment.trainee, batch=batch, track=batch.track)])

    assert type(refused.value) is IntegrityError
    assert Enrolment.objects.count() == 1


# --- insert_drafts: the status guard ---------------------------------------------------------------


def test_insert_drafts_refuses_an_enrolment_in_a_later_status_and_writes_nothing(inst1):
    batch = factories.batch(inst1)
    draft = Enrolment(trainee=factories.trainee(inst1), batch=batch, track=batch.track)
    approved = Enrolment(
        trainee=factories.trainee(inst1), batch=batch, track=batch.track, status=EnrolmentStatus.ENROLLED
    )

    with pytest.raises(ValidationError, match="A new enrolment starts as a draft."):
        Enrolment.objects.insert_drafts([draft, approved])

    assert not Enrolment.objects.exists()


# --- selectors.trainees_with_ids -----------------------------------------------------------------


def test_trainees_are_found_by_id_type_and_number_together(inst1, inst2):
    number = factories.resident_id()
    resident = factories.trainee(inst1, id_number=number)
    passport = factories.trainee(inst2, id_type=IdType.PASSPORT, id_number=number)  # the same digits, another ID
    other = factories.trainee(inst1, id_type=IdType.PASSPORT, id_number="E12345678")
    factories.trainee(inst1)

    def found(*keys):
        return set(selectors.trainees_with_ids(keys))

    assert found((IdType.RESIDENT_ID, number)) == {resident}
    assert found((IdType.PASSPORT, number)) == {passport}
    assert found((IdType.HK_MACAU, number)) == set()
    assert found((IdType.RESIDENT_ID, "E12345678")) == set()
    assert found((IdType.RESIDENT_ID, number), (IdType.PASSPORT, "E12345678")) == {resident, other}
    assert found() == set()
