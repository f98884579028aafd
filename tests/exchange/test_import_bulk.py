"""Enrolment imports written in bulk (EnrolmentHandler.write_many, Run.apply_chunk): a refused row
leaves nothing behind, a row sees what the rows before it wrote, and a chunk costs a few queries
however many new enrolments it holds."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from certification.identity import birth_date_of_resident_id
from certification.models import (
    Enrolment,
    EnrolmentStatus,
    InstitutionStatus,
    Role,
    StateLog,
    Trainee,
)
from exchange import services
from exchange.handlers import Options
from exchange.importing import CHUNK_ROWS

from .. import factories
from ..data import make_corpus as corpus
from .conftest import enrolment_row, named_batch, workbook_bytes


def imported(staff, rows, **options):
    with override("en"):
        return services.import_rows(
            staff=staff, kind="enrolments", fileobj=workbook_bytes("enrolments", rows), options=Options(**options)
        )


def problems(summary) -> list[tuple[str, str]]:
    return [(p.cell, p.message) for p in summary.problems]


def test_a_row_refused_for_a_full_batch_leaves_no_trainee_while_the_valid_rows_are_written(inst1_staff, pm_batch):
    small = factories.batch(inst1_staff.institution, "PM", capacity=1)
    first, refused, last = (factories.resident_id() for _ in range(3))
    rows = [
        enrolment_row(first, batch=small.name),
        enrolment_row(refused, name="王芳", batch=small.name),
        enrolment_row(last, name="赵丽"),
    ]

    summary = imported(inst1_staff, rows, valid_rows_only=True)

    assert summary.written and summary.counts["create"] == 2 and summary.rejected_rows == [4]
    assert problems(summary) == [("L4", "The batch is full (1 places).")]
    assert set(Trainee.objects.values_list("id_number", flat=True)) == {first, last}
    assert set(Enrolment.objects.values_list("trainee__id_number", "batch_id", "status")) == {
        (first, small.pk, EnrolmentStatus.DRAFT),
        (last, pm_batch.pk, EnrolmentStatus.DRAFT),
    }


def test_a_refused_row_keeps_the_trainee_who_was_registered_before(inst1, inst1_staff, pm_batch):
    small = factories.batch(inst1, "PM", capacity=1)
    factories.draft_enrolment(inst1_staff, batch_obj=small)
    known = factories.trainee(inst1, name="张晓明", id_number=corpus.NEW_IDS[0])

    summary = imported(
        inst1_staff, [enrolment_row(known.id_number, batch=small.name), enrolment_row()], valid_rows_only=True
    )

    assert summary.written and problems(summary) == [("L3", "The batch is full (1 places).")]
    assert Trainee.objects.filter(pk=known.pk).exists() and not known.enrolments.exists()


def test_a_row_whose_trainee_correction_is_refused_leaves_no_draft_behind(inst1_staff, officer, pm_batch, cr_batch):
    enrolment = factories.draft_enrolment(
        inst1_staff,
        "PM",
        trainee_obj=factories.trainee(inst1_staff.institution, name="张晓明", id_number=corpus.NEW_IDS[0]),
    )
    factories.advance(enrolment, staff=inst1_staff, officer=officer, to="enrolled")  # name and ID now locked
    rows = [enrolment_row(corpus.NEW_IDS[0], name="张晓敏", batch=corpus.CR_BATCH, track=""), enrolment_row()]

    summary = imported(inst1_staff, rows, valid_rows_only=True)

    assert summary.written and summary.counts["create"] == 1 and summary.rejected_rows == [3]
    locked = "Name and ID cannot change once an enrolment is approved; ask the certification office for a correction."
    assert problems(summary) == [("C3", locked)]
    assert not cr_batch.enrolments.exists()
    assert Trainee.objects.get(id_number=corpus.NEW_IDS[0]).name == "张晓明"


def test_a_row_after_a_refused_one_registers_the_same_new_trainee_afresh(inst1_staff, pm_batch):
    small = factories.batch(inst1_staff.institution, "PM", capacity=1)
    factories.draft_enrolment(inst1_staff, batch_obj=small)
    number = corpus.NEW_IDS[0]
    rows = [enrolment_row(number, batch=small.name), enrolment_row(number)]

    summary = imported(inst1_staff, rows, valid_rows_only=True)

    assert summary.written and summary.counts["create"] == 1 and summary.rejected_rows == [3]
    assert problems(summary) == [("L3", "The batch is full (1 places).")]
    assert list(Trainee.objects.get(id_number=number).enrolments.values_list("batch_id", flat=True)) == [pm_batch.pk]


def test_a_row_refused_at_submission_leaves_neither_draft_nor_trainee(db):
    pending = factories.institution(status=InstitutionStatus.PENDING)
    staff = factories.user("pending-staff", Role.INSTITUTION, institution=pending)
    batch = named_batch(pending, "待审核机构制版班", "PM")
    known, new = corpus.NEW_IDS[:2]
    assert imported(staff, [enrolment_row(known, batch=batch.name)]).written  # a draft: no approval needed
    rows = [
        enrolment_row(known, batch=batch.name, phone="13911112222"),
        enrolment_row(new, name="王芳", batch=batch.name),
    ]

    summary = imported(staff, rows, submit=True, valid_rows_only=True)

    assert summary.written and (summary.counts["update"], summary.rejected_rows) == (1, [4])
    assert problems(summary) == [("L4", "The institution is not approved (vetted) by the certification office.")]
    assert not Trainee.objects.filter(id_number=new).exists()
    assert list(Enrolment.objects.values_list("trainee__id_number", "status")) == [(known, EnrolmentStatus.DRAFT)]
    assert Trainee.objects.get(id_number=known).phone == "13911112222" and not StateLog.objects.exists()


def test_a_new_trainee_in_two_batches_of_different_tracks_is_registered_once_and_enrolled_twice(
    inst1_staff, pm_batch, cr_batch
):
    number = corpus.NEW_IDS[0]
    rows = [enrolment_row(number), enrolment_row(), enrolment_row(number, batch=corpus.CR_BATCH, track="")]

    summary = imported(inst1_staff, rows)

    assert summary.written and summary.counts["create"] == 3 and not summary.problems
    trainee = Trainee.objects.get(id_number=number)
    assert sorted(trainee.enrolments.values_list("track__code", "batch_id")) == [
        ("CR", cr_batch.pk),
        ("PM", pm_batch.pk),
    ]


def test_a_new_trainee_in_two_batches_of_the_same_track_gets_the_first_only(inst1, inst1_staff, pm_batch):
    autumn = named_batch(inst1, "2025秋季制版班", "PM")
    number = corpus.NEW_IDS[0]
    rows = [enrolment_row(number), enrolment_row(number, batch=autumn.name)]

    summary = imported(inst1_staff, rows, valid_rows_only=True)

    assert summary.written and summary.counts["create"] == 1 and summary.rejected_rows == [4]
    assert problems(summary) == [("L4", "张晓明 already has an active enrolment in this track.")]
    trainee = Trainee.objects.get(id_number=number)
    assert list(trainee.enrolments.values_list("batch_id", flat=True)) == [pm_batch.pk]


def preview_queries(staff, numbers, submit=False) -> tuple[int, int, object]:
    """Queries of a preview of new trainees, each into the PM batch: (all, INSERT statements, summary)."""
    rows = [enrolment_row(number, birth_date=birth_date_of_resident_id(number)) for number in numbers]
    upload = workbook_bytes("enrolments", rows)
    with override("en"), CaptureQueriesContext(connection) as queries:
        summary = services.preview(staff=staff, kind="enrolments", fileobj=upload, options=Options(submit=submit))
    inserts = sum(query["sql"].startswith("INSERT INTO") for query in queries)
    return len(queries), inserts, summary


def test_a_preview_of_400_new_rows_costs_the_queries_of_40(inst1, inst1_staff):
    named_batch(inst1, corpus.PM_BATCH, "PM", capacity=1000)
    numbers = [factories.resident_id(serial=n, birth=date(1991, 1, 1)) for n in range(445)]
    assert 400 < CHUNK_ROWS  # one chunk each
    preview_queries(inst1_staff, numbers[:5])  # anything loaded once per process is loaded

    forty, forty_inserts, small = preview_queries(inst1_staff, numbers[5:45])
    four_hundred, four_hundred_inserts, large = preview_queries(inst1_staff, numbers[45:])

    assert (small.counts["create"], large.counts["create"], large.rejected) == (40, 400, 0)
    # Not one query more for ten times the rows, beyond the INSERT statements: SQLite takes 999
    # parameters per statement (62 trainees or 111 enrolments); PostgreSQL's COPY is not counted at all.
    assert four_hundred - four_hundred_inserts == forty - forty_inserts
    assert four_hundred_inserts <= 2 * 400 // 50  # trainees and enrolments, 50 rows or more a statement


def test_submitting_400_new_rows_on_import_costs_the_queries_of_40(inst1, inst1_staff):
    named_batch(inst1, corpus.PM_BATCH, "PM", capacity=1000)
    numbers = [factories.resident_id(serial=n, birth=date(1992, 1, 1)) for n in range(445)]
    preview_queries(inst1_staff, numbers[:5], submit=True)

    forty, forty_inserts, small = preview_queries(inst1_staff, numbers[5:45], submit=True)
    four_hundred, four_hundred_inserts, large = preview_queries(inst1_staff, numbers[45:], submit=True)

    assert (small.counts["create"], large.counts["create"], large.rejected) == (40, 400, 0)
    # The submissions and their StateLog rows are written together too (INSERTs aside, as above).
    assert four_hundred - four_hundred_inserts == forty - forty_inserts
