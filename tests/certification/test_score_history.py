"""Hours, module scores and exam scores keep a history (issue 10): each value that a service changes
is appended as old → new with who, when, why and the request; nothing when nothing changed. The
history is append-only in the ORM, in SQL and in the admin, like the state log."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from certification import registration
from certification.models import Module, ScoreChange
from core.errors import InvalidInput
from core.middleware import current_request_id

from .. import factories

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def changes(enrolment) -> list[tuple]:
    return list(
        ScoreChange.objects.filter(enrolment=enrolment)
        .order_by("pk")
        .values_list("module__code", "attempt__number", "field", "old_value", "new_value")
    )


@pytest.fixture
def sample_module(enrolled_enrolment) -> Module:
    return enrolled_enrolment.track.modules.get(code="SAMPLE")


@pytest.fixture
def trained(inst1_staff, officer):
    return factories.advance(factories.draft_enrolment(inst1_staff), staff=inst1_staff, officer=officer, to="trained")


def record(staff, enrolment, module, hours, score=None, **more):
    return registration.record_module_completion(
        staff=staff, enrolment_id=enrolment.pk, module_id=module.pk, hours=Decimal(hours), score=score, **more
    )


def scores(staff, enrolment, theory, practical, exam_date=date(2026, 6, 20), **more):
    return registration.record_scores(
        staff=staff,
        enrolment_id=enrolment.pk,
        theory_score=None if theory is None else Decimal(theory),
        practical_score=None if practical is None else Decimal(practical),
        exam_date=exam_date,
        **more,
    )


# Module completions


def test_a_first_completion_records_each_value_entered_by_whom(inst1_staff, enrolled_enrolment, sample_module):
    record(inst1_staff, enrolled_enrolment, sample_module, "60", Decimal("85"))

    assert changes(enrolled_enrolment) == [("SAMPLE", None, "hours", "", "60"), ("SAMPLE", None, "score", "", "85")]
    assert {change.actor for change in ScoreChange.objects.all()} == {inst1_staff}


def test_a_correction_records_only_the_value_that_changed(inst1_staff, enrolled_enrolment, sample_module):
    record(inst1_staff, enrolled_enrolment, sample_module, "60", Decimal("85"))
    corrector = factories.user("inst1-b", inst1_staff.role, institution=inst1_staff.institution)

    record(corrector, enrolled_enrolment, sample_module, "64", Decimal("85.0"), reason="签到表漏记4学时")

    latest = ScoreChange.objects.latest("pk")
    assert (latest.field, latest.old_value, latest.new_value) == ("hours", "60", "64")
    assert (latest.actor, latest.reason) == (corrector, "签到表漏记4学时")
    assert ScoreChange.objects.count() == 3


def test_saving_the_same_completion_again_records_nothing(inst1_staff, enrolled_enrolment, sample_module):
    record(inst1_staff, enrolled_enrolment, sample_module, "60", Decimal("85"))
    before = ScoreChange.objects.count()

    record(inst1_staff, enrolled_enrolment, sample_module, "60.0", Decimal("85.0"))

    assert ScoreChange.objects.count() == before


def test_clearing_a_module_score_is_a_change_to_nothing(inst1_staff, enrolled_enrolment, sample_module):
    record(inst1_staff, enrolled_enrolment, sample_module, "60", Decimal("85"))

    record(inst1_staff, enrolled_enrolment, sample_module, "60", None)

    assert changes(enrolled_enrolment)[-1] == ("SAMPLE", None, "score", "85", "")


def test_a_new_evidence_file_is_recorded(inst1_staff, enrolled_enrolment):
    module = enrolled_enrolment.track.modules.get(code="3D")
    record(inst1_staff, enrolled_enrolment, module, "40", evidence=SimpleUploadedFile("a.pdf", b"%PDF-1.4 one"))
    record(inst1_staff, enrolled_enrolment, module, "40", evidence=SimpleUploadedFile("b.pdf", b"%PDF-1.4 two"))
    record(inst1_staff, enrolled_enrolment, module, "40")  # no file given: the file stays

    evidence = ScoreChange.objects.filter(field="evidence").order_by("pk")
    assert [(e.old_shown, e.new_shown) for e in evidence] == [("—", "a file"), ("a file", "a file")]
    first, second = evidence
    assert first.new_value and second.old_value == first.new_value and second.new_value != first.new_value


def test_a_refused_completion_leaves_no_history(inst1_staff, enrolled_enrolment, sample_module):
    with pytest.raises(InvalidInput):
        record(inst1_staff, enrolled_enrolment, sample_module, "3000")

    assert not ScoreChange.objects.exists()


def test_the_request_id_is_recorded(inst1_staff, enrolled_enrolment, sample_module):
    token = current_request_id.set("req-42")
    try:
        record(inst1_staff, enrolled_enrolment, sample_module, "60")
    finally:
        current_request_id.reset(token)

    assert ScoreChange.objects.get().request_id == "req-42"


# Exam scores


def test_first_scores_and_a_correction_are_recorded(inst1_staff, trained):
    scores(inst1_staff, trained, "75", "82")
    scores(inst1_staff, trained, "78", "82", exam_date=date(2026, 6, 21), reason="复核试卷")

    exam = [c for c in changes(trained) if c[1] is not None]
    assert exam == [
        (None, 1, "exam_date", "", "2026-06-20"),
        (None, 1, "theory_score", "", "75"),
        (None, 1, "practical_score", "", "82"),
        (None, 1, "exam_date", "2026-06-20", "2026-06-21"),
        (None, 1, "theory_score", "75", "78"),
    ]
    assert ScoreChange.objects.latest("pk").reason == "复核试卷"


def test_entering_the_same_scores_again_records_nothing(inst1_staff, trained):
    scores(inst1_staff, trained, "75", "82")
    before = ScoreChange.objects.count()

    scores(inst1_staff, trained, "75.0", "82")

    assert ScoreChange.objects.count() == before


def test_a_refused_score_leaves_no_history(inst1_staff, trained):
    before = ScoreChange.objects.count()
    with pytest.raises(InvalidInput):
        scores(inst1_staff, trained, "120", "82")

    assert ScoreChange.objects.count() == before


# Append-only


@pytest.fixture
def change(inst1_staff, enrolled_enrolment, sample_module) -> ScoreChange:
    record(inst1_staff, enrolled_enrolment, sample_module, "60")
    return ScoreChange.objects.get()


def test_a_change_cannot_be_rewritten_or_deleted_through_the_orm(change):
    change.new_value = "99"
    with pytest.raises(ValidationError, match="append-only"):
        change.save()
    with pytest.raises(ValidationError, match="append-only"):
        change.delete()
    with pytest.raises(ValidationError):
        ScoreChange.objects.filter(pk=change.pk).update(new_value="99")
    with pytest.raises(ValidationError):
        ScoreChange.objects.all().delete()
    with pytest.raises(ValidationError):
        change.enrolment.score_changes.update(new_value="99")

    change.refresh_from_db()
    assert change.new_value == "60"


def test_a_raw_sql_update_of_a_change_is_refused_by_the_database(change):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE certification_scorechange SET new_value = '99' WHERE id = %s", [change.pk])

    change.refresh_from_db()
    assert change.new_value == "60"


@pytest.mark.postgres
@on_postgresql
def test_a_raw_sql_delete_of_a_change_is_refused_by_postgresql(change):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM certification_scorechange WHERE id = %s", [change.pk])

    assert ScoreChange.objects.filter(pk=change.pk).exists()


def test_the_admin_shows_changes_but_offers_no_add_change_or_delete(client, officer, change):
    client.force_login(officer)

    assert client.get("/admin/certification/scorechange/").status_code == 200
    assert client.get(f"/admin/certification/scorechange/{change.pk}/change/").status_code == 200
    assert client.get("/admin/certification/scorechange/add/").status_code == 403
    assert client.post(f"/admin/certification/scorechange/{change.pk}/change/", {"new_value": "9"}).status_code == 403
    assert client.post(f"/admin/certification/scorechange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    change.refresh_from_db()
    assert change.new_value == "60"
