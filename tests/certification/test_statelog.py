"""The state log is append-only (docs/spec.md §3): in the ORM, in SQL, and in the admin.

The SQL guard is a trigger from migration 0002: on SQLite it refuses UPDATE, on PostgreSQL UPDATE and
DELETE (SQLite keeps DELETE possible because Django's test flush deletes rows there).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from certification.models import StateLog

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


@pytest.fixture
def log(submitted_enrolment) -> StateLog:
    return StateLog.objects.get(enrolment=submitted_enrolment)


def test_a_move_appends_one_row_with_everything_about_it(submitted_enrolment, inst1_staff):
    log = StateLog.objects.get(enrolment=submitted_enrolment)

    assert (log.transition, log.from_status, log.to_status, log.actor) == ("submit", "draft", "submitted", inst1_staff)
    assert log.created_at is not None


def test_saving_an_existing_row_is_refused(log):
    log.reason = "rewritten history"

    with pytest.raises(ValidationError, match="append-only"):
        log.save()

    log.refresh_from_db()
    assert log.reason == ""


def test_deleting_a_row_is_refused(log):
    with pytest.raises(ValidationError, match="append-only"):
        log.delete()

    assert StateLog.objects.filter(pk=log.pk).exists()


def test_a_queryset_update_is_refused(log):
    with pytest.raises(ValidationError):
        StateLog.objects.filter(pk=log.pk).update(reason="rewritten")

    log.refresh_from_db()
    assert log.reason == ""


def test_a_queryset_delete_is_refused(log):
    with pytest.raises(ValidationError):
        StateLog.objects.filter(pk=log.pk).delete()

    with pytest.raises(ValidationError):
        StateLog.objects.all().delete()

    assert StateLog.objects.filter(pk=log.pk).exists()


def test_a_bulk_update_is_refused(log):
    log.reason = "rewritten"

    with pytest.raises(ValidationError):
        StateLog.objects.bulk_update([log], ["reason"])

    log.refresh_from_db()
    assert log.reason == ""


def test_the_enrolments_related_manager_cannot_rewrite_its_log(submitted_enrolment, log):
    with pytest.raises(ValidationError):
        submitted_enrolment.state_logs.update(reason="rewritten")

    with pytest.raises(ValidationError):
        submitted_enrolment.state_logs.all().delete()


def test_an_enrolment_with_a_history_cannot_be_deleted(submitted_enrolment, log):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        submitted_enrolment.delete()


def test_a_raw_sql_update_is_refused_by_the_database(log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE certification_statelog SET reason = 'rewritten' WHERE id = %s", [log.pk])

    log.refresh_from_db()
    assert log.reason == ""


@pytest.mark.postgres
@on_postgresql
def test_a_raw_sql_delete_is_refused_by_postgresql(log):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM certification_statelog WHERE id = %s", [log.pk])

    assert StateLog.objects.filter(pk=log.pk).exists()


def test_the_admin_offers_no_add_change_or_delete(client, officer, log):
    client.force_login(officer)

    assert client.get("/admin/certification/statelog/add/").status_code == 403
    assert client.post(f"/admin/certification/statelog/{log.pk}/change/", {"reason": "x"}).status_code == 403
    assert client.post(f"/admin/certification/statelog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    log.refresh_from_db()
    assert log.reason == ""
