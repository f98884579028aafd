"""exchange.services: preview and import through the registration services, all or nothing or the
valid rows only, idempotent re-uploads, and what the corpus's good files turn into."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils.translation import override

from certification.models import AssessmentAttempt, Enrolment, EnrolmentStatus, ModuleCompletion, StateLog, Trainee
from core.errors import MoveForbidden, RuleNotMet, StaleState
from exchange import services
from exchange.handlers import Options

from .. import factories
from ..data import make_corpus as corpus
from .conftest import corpus_file, enrolment_row, snapshot, workbook_bytes


def imported(staff, name, kind="enrolments", **options):
    with override("en"):
        return services.import_rows(staff=staff, kind=kind, fileobj=corpus_file(name), options=Options(**options))


def test_the_preview_counts_rows_and_writes_nothing(inst1_staff, pm_batch):
    before = snapshot()
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=corpus_file("enrolments_valid.xlsx"))
    assert summary.counts == {"create": 3, "update": 0, "unchanged": 0, "rejected": 0}
    assert summary.is_clean and not summary.written
    assert snapshot() == before


def test_a_valid_file_creates_trainees_and_draft_enrolments(inst1_staff, pm_batch):
    summary = imported(inst1_staff, "enrolments_valid.xlsx")
    assert summary.written and summary.counts["create"] == 3
    trainee = Trainee.objects.get(id_number=corpus.NEW_IDS[0])
    assert (trainee.name, trainee.institution_id, trainee.birth_date) == (
        "张晓明",
        inst1_staff.institution_id,
        date(1990, 3, 5),
    )
    assert set(Enrolment.objects.values_list("status", "batch_id")) == {(EnrolmentStatus.DRAFT, pm_batch.pk)}


def test_submitting_on_import_writes_the_state_log(inst1_staff, pm_batch):
    imported(inst1_staff, "enrolments_valid.xlsx", submit=True)
    assert set(Enrolment.objects.values_list("status", flat=True)) == {EnrolmentStatus.SUBMITTED}
    log = StateLog.objects.filter(transition="submit")
    assert log.count() == 3 and {entry.actor_id for entry in log} == {inst1_staff.pk}


def test_uploading_the_same_file_again_changes_nothing(inst1_staff, pm_batch):
    imported(inst1_staff, "enrolments_valid.xlsx", submit=True)
    before = snapshot()
    summary = imported(inst1_staff, "enrolments_valid.xlsx", submit=True)
    assert summary.counts == {"create": 0, "update": 0, "unchanged": 3, "rejected": 0}
    assert not summary.written
    assert snapshot() == before


def test_a_changed_field_is_an_update_through_the_service(inst1_staff, pm_batch):
    imported(inst1_staff, "enrolments_valid.xlsx")
    upload = workbook_bytes("enrolments", [corpus.person(corpus.NEW_IDS[0], "张晓明", phone="13900000000")])
    summary = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=upload)
    assert summary.counts["update"] == 1 and summary.written
    assert Trainee.objects.get(id_number=corpus.NEW_IDS[0]).phone == "13900000000"


def test_an_empty_optional_cell_keeps_what_is_recorded(inst1_staff, pm_batch):
    imported(inst1_staff, "enrolments_valid.xlsx")
    upload = workbook_bytes("enrolments", [corpus.person(corpus.NEW_IDS[0], "张晓明", employer=None, address="")])
    summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=upload)
    assert summary.counts["unchanged"] == 1
    assert Trainee.objects.get(id_number=corpus.NEW_IDS[0]).employer == "杭州某服饰有限公司"


def test_nothing_is_written_while_one_row_is_rejected(inst1_staff, pm_batch):
    rows = [enrolment_row(), enrolment_row(), enrolment_row(id_number=corpus.BAD_CHECKSUM_ID)]
    before = snapshot()
    summary = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=workbook_bytes("enrolments", rows))
    assert summary.counts == {"create": 2, "update": 0, "unchanged": 0, "rejected": 1}
    assert not summary.written
    assert snapshot() == before


def test_importing_the_valid_rows_only_leaves_the_rejected_ones(inst1_staff, pm_batch):
    rows = [enrolment_row(), enrolment_row(id_number=corpus.BAD_CHECKSUM_ID), enrolment_row()]
    summary = services.import_rows(
        staff=inst1_staff,
        kind="enrolments",
        fileobj=workbook_bytes("enrolments", rows),
        options=Options(valid_rows_only=True),
    )
    assert summary.written and summary.rejected_rows == [4]
    assert Enrolment.objects.count() == 2


def test_a_service_refusal_rolls_back_its_row_only(inst1_staff, officer):
    small = factories.batch(inst1_staff.institution, "PM", capacity=1)
    rows = [enrolment_row(batch=small.name), enrolment_row(batch=small.name)]
    with override("en"):
        summary = services.import_rows(
            staff=inst1_staff,
            kind="enrolments",
            fileobj=workbook_bytes("enrolments", rows),
            options=Options(valid_rows_only=True),
        )
    assert summary.counts["create"] == 1
    assert [(p.cell, p.message) for p in summary.problems] == [("L4", "The batch is full (1 places).")]
    # The refused row's trainee was created, then rolled back with the row.
    assert Trainee.objects.count() == 1


def test_rows_refer_to_rows_before_them(inst1_staff, pm_batch, cr_batch):
    """The second row enrols the trainee the first row created, in another track."""
    rows = [enrolment_row(corpus.NEW_IDS[0]), enrolment_row(corpus.NEW_IDS[0], batch=corpus.CR_BATCH, track="")]
    summary = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=workbook_bytes("enrolments", rows))
    assert summary.counts["create"] == 2 and summary.written
    assert Trainee.objects.count() == 1 and Enrolment.objects.count() == 2


def test_a_batch_can_be_named_by_its_number_and_the_track_is_checked(inst1_staff, pm_batch, cr_batch):
    rows = [enrolment_row(batch=str(pm_batch.pk)), enrolment_row(track="服装工艺")]
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="enrolments", fileobj=workbook_bytes("enrolments", rows))
    assert summary.counts["create"] == 1
    assert [(p.cell, p.message) for p in summary.problems] == [
        ("M4", "The batch “2025春季制版班” is for 服装制版, not 服装工艺.")
    ]


@pytest.mark.parametrize(
    "name", ["enrolments_dates_as_text.xlsx", "enrolments_dates_as_serials.xlsx", "enrolments_dates_chinese.xlsx"]
)
def test_dates_as_text_serials_and_chinese_dates_are_read(inst1_staff, pm_batch, name):
    summary = imported(inst1_staff, name)
    assert summary.written and summary.rejected == 0
    assert set(Trainee.objects.values_list("birth_date", flat=True)) == {date(1990, 3, 5)}


def test_full_width_digits_and_spaces_are_made_half_width(inst1_staff, pm_batch):
    summary = imported(inst1_staff, "enrolments_fullwidth.xlsx")
    assert summary.written
    trainee = Trainee.objects.get()
    assert (trainee.id_number, trainee.name, trainee.phone) == (corpus.NEW_IDS[0], "王五", "13800000000")


def test_empty_rows_in_the_middle_are_skipped_with_a_warning(inst1_staff, pm_batch):
    summary = imported(inst1_staff, "enrolments_empty_rows.xlsx")
    assert summary.counts["create"] == 2 and summary.written
    assert summary.warnings == ["Empty rows were skipped: 4–5."]


def test_module_completions_are_recorded_then_unchanged(inst1_staff, world):
    summary = imported(inst1_staff, "completions_valid.xlsx", kind="completions")
    assert summary.counts == {"create": 3, "update": 0, "unchanged": 0, "rejected": 0} and summary.written
    first = world[0]
    assert sorted(ModuleCompletion.objects.filter(enrolment=first).values_list("module__code", "hours", "score")) == [
        ("3D", Decimal("40.0"), None),
        ("SAMPLE", Decimal("60.0"), Decimal("85.0")),
    ]
    again = imported(inst1_staff, "completions_valid.xlsx", kind="completions")
    assert again.counts["unchanged"] == 3 and not again.written


def test_completions_of_someone_not_enrolled_are_rejected(inst1_staff, world, cr_batch):
    rows = [
        ["", "", corpus.UNKNOWN_ID, corpus.PM_BATCH, "版样制作", 60, 80],
        ["", "", corpus.ENROLLED_IDS[0], corpus.CR_BATCH, "面料学", 30, 80],
        ["王小二", "", corpus.ENROLLED_IDS[1], corpus.PM_BATCH, "面料学", 30, 80],
    ]
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="completions", fileobj=workbook_bytes("completions", rows))
    assert [(p.cell, p.message) for p in summary.problems] == [
        ("C3", "No trainee with this ID number is registered at your institution."),
        ("D4", "李雪梅 is not enrolled in the batch “2025春季工艺班”."),
        ("A5", "The name does not match the trainee with this ID number (王*国)."),
    ]


def test_completions_before_approval_are_refused_by_the_service(inst1_staff, pm_batch):
    draft = factories.draft_enrolment(inst1_staff, "PM", batch_obj=pm_batch)
    rows = [["", "", draft.trainee.id_number, corpus.PM_BATCH, "版样制作", 60, 80]]
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="completions", fileobj=workbook_bytes("completions", rows))
    assert [str(p) for p in summary.problems] == [
        "row 3: Module completions are recorded after approval and before results are submitted."
    ]


def test_exam_results_are_entered_and_a_resubmission_is_unchanged(inst1_staff, trained_world):
    summary = imported(inst1_staff, "results_valid.xlsx", kind="results")
    assert summary.counts["create"] == 2 and summary.written
    attempt = AssessmentAttempt.objects.get(enrolment=trained_world[1])
    assert (attempt.theory_score, attempt.practical_score, attempt.exam_date) == (
        Decimal("65.5"),
        Decimal("70.0"),
        date(2025, 6, 20),
    )
    again = imported(inst1_staff, "results_valid.xlsx", kind="results")
    assert again.counts["unchanged"] == 2 and not again.written


def test_a_results_row_needs_a_score(inst1_staff, trained_world):
    rows = [["", "", corpus.ENROLLED_IDS[0], corpus.PM_BATCH, None, None, "2025-06-20"]]
    with override("en"):
        summary = services.preview(staff=inst1_staff, kind="results", fileobj=workbook_bytes("results", rows))
    assert [str(p) for p in summary.problems] == ["row 3: Give the theory score, the practical score or both."]


def test_only_institution_staff_may_import(officer, assessor, pm_batch):
    for user in (officer, assessor):
        with pytest.raises(MoveForbidden):
            services.preview(staff=user, kind="enrolments", fileobj=corpus_file("enrolments_valid.xlsx"))


def test_confirming_imports_once(inst1_staff, pm_batch):
    session = services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    session, summary = services.confirm_import(staff=inst1_staff, session_id=session.pk)
    assert session.is_imported and summary.written and Enrolment.objects.count() == 3
    with pytest.raises(StaleState):
        services.confirm_import(staff=inst1_staff, session_id=session.pk)


def test_confirming_all_rows_is_refused_while_rows_are_rejected(inst1_staff, world):
    session = services.start_import(
        staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_duplicates_in_file.xlsx")
    )
    with pytest.raises(RuleNotMet):
        services.confirm_import(staff=inst1_staff, session_id=session.pk)
    session, summary = services.confirm_import(staff=inst1_staff, session_id=session.pk, valid_rows_only=True)
    assert session.is_imported and summary.counts["create"] == 1 and summary.rejected == 1


def test_another_institution_cannot_confirm(inst1_staff, inst2_staff, pm_batch):
    session = services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    with pytest.raises(MoveForbidden):
        services.confirm_import(staff=inst2_staff, session_id=session.pk)
    assert not Enrolment.objects.exists()


def test_a_reupload_of_an_imported_file_says_so(inst1_staff, pm_batch):
    first = services.start_import(staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx"))
    services.confirm_import(staff=inst1_staff, session_id=first.pk)
    with override("en"):
        second = services.start_import(
            staff=inst1_staff, kind="enrolments", upload=corpus_file("enrolments_valid.xlsx")
        )
    assert second.result.counts["unchanged"] == 3
    assert second.result.warnings[0].startswith("This same file was imported on ")


def test_rows_in_later_chunks_find_what_earlier_chunks_wrote(inst1_staff, pm_batch, cr_batch, monkeypatch):
    """Lookups are per chunk of rows (memory does not grow with the file); the database links them."""
    from exchange import importing

    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    rows = [
        enrolment_row(corpus.NEW_IDS[0]),
        enrolment_row(corpus.NEW_IDS[1]),
        enrolment_row(corpus.NEW_IDS[0], batch=corpus.CR_BATCH, track=""),
        enrolment_row(corpus.NEW_IDS[2]),
        enrolment_row(corpus.NEW_IDS[1]),
    ]
    with override("en"):
        summary = services.import_rows(
            staff=inst1_staff,
            kind="enrolments",
            fileobj=workbook_bytes("enrolments", rows),
            options=Options(valid_rows_only=True),
        )
    assert summary.counts == {"create": 4, "update": 0, "unchanged": 0, "rejected": 1}
    assert [str(p) for p in summary.problems] == [
        "row 7: Row 4 already has the same ID number and batch: each may appear once."
    ]
    assert Trainee.objects.count() == 3 and Enrolment.objects.count() == 4


def test_an_import_gives_the_objects_it_set_aside_back_to_the_garbage_collector(inst1_staff, pm_batch):
    import gc

    gc.unfreeze()  # a task run in this process earlier may have frozen it (certificates.tasks)
    summary = imported(inst1_staff, "enrolments_valid.xlsx")
    assert summary.counts["create"] > 0
    refused = imported(inst1_staff, "enrolments_damaged.xlsx")
    assert refused.refusal
    assert gc.get_freeze_count() == 0


def test_an_import_leaves_a_process_that_froze_its_objects_itself_frozen(inst1_staff, pm_batch):
    import gc

    gc.freeze()
    try:
        imported(inst1_staff, "enrolments_valid.xlsx")
        # Still frozen (a few frozen objects may have been freed meanwhile); unfrozen would be 0.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_name_with_a_hidden_direction_mark_is_rejected_with_a_clear_message(inst1_staff, pm_batch):
    rows = [enrolment_row(), enrolment_row(name="吴\u202e十一")]
    before = snapshot()

    with override("en"):
        summary = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=workbook_bytes("enrolments", rows))

    assert summary.counts["rejected"] == 1 and not summary.written
    [problem] = summary.problems
    assert problem.row == 4 and "invisible formatting characters" in problem.message
    assert snapshot() == before


def test_a_birth_date_that_differs_from_the_resident_ids_is_rejected_with_a_clear_message(inst1_staff, pm_batch):
    rows = [enrolment_row(), enrolment_row(birth_date=date(1991, 3, 5))]
    before = snapshot()

    with override("en"):
        summary = services.import_rows(staff=inst1_staff, kind="enrolments", fileobj=workbook_bytes("enrolments", rows))

    assert summary.counts["rejected"] == 1 and not summary.written
    [problem] = summary.problems
    assert problem.row == 4 and "birth date" in problem.message and "1990-03-05" in problem.message
    assert snapshot() == before


# The history of what an import changed (issue 10): written by the same services as the forms


def test_an_import_records_what_it_entered_and_a_reupload_adds_nothing(inst1_staff, world):
    from certification.models import ScoreChange

    imported(inst1_staff, "completions_valid.xlsx", kind="completions")
    first = set(
        ScoreChange.objects.filter(enrolment=world[0]).values_list("module__code", "field", "old_value", "new_value")
    )
    assert first == {("SAMPLE", "hours", "", "60"), ("SAMPLE", "score", "", "85"), ("3D", "hours", "", "40")}
    assert set(ScoreChange.objects.values_list("actor", flat=True)) == {inst1_staff.pk}
    count = ScoreChange.objects.count()

    imported(inst1_staff, "completions_valid.xlsx", kind="completions")

    assert ScoreChange.objects.count() == count


def test_a_corrected_upload_records_old_and_new_of_the_changed_cells_only(inst1_staff, world):
    from certification.models import ScoreChange

    imported(inst1_staff, "completions_valid.xlsx", kind="completions")
    count = ScoreChange.objects.count()
    rows = [[corpus.ENROLLED_NAMES[0], "居民身份证", corpus.ENROLLED_IDS[0], corpus.PM_BATCH, "版样制作", 64, 85]]

    with override("en"):
        summary = services.import_rows(
            staff=inst1_staff, kind="completions", fileobj=workbook_bytes("completions", rows)
        )

    assert summary.counts["update"] == 1
    new = ScoreChange.objects.order_by("pk")[count:]
    assert [(c.module.code, c.field, c.old_value, c.new_value) for c in new] == [("SAMPLE", "hours", "60", "64")]


def test_a_results_import_records_the_scores_and_a_preview_records_nothing(inst1_staff, trained_world):
    from certification.models import ScoreChange

    before = ScoreChange.objects.count()
    with override("en"):
        services.preview(staff=inst1_staff, kind="results", fileobj=corpus_file("results_valid.xlsx"))
    assert ScoreChange.objects.count() == before

    imported(inst1_staff, "results_valid.xlsx", kind="results")

    exam = ScoreChange.objects.filter(enrolment=trained_world[1], attempt__isnull=False)
    assert set(exam.values_list("field", "new_value")) == {
        ("theory_score", "65.5"),
        ("practical_score", "70"),
        ("exam_date", "2025-06-20"),
    }
