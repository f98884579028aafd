"""Large uploads checked and imported by a task worker (issue 17 item 4): the page follows the run
with a progress bar, the user may leave and come back, the report stays, and nobody else sees it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from certification.models import Enrolment
from exchange import background, importing, progress, tasks
from exchange.models import ImportSession, ImportStatus

from .conftest import enrolment_row, workbook_bytes
from .test_upload_views import post_upload

ROWS = 30


@pytest.fixture
def in_background(settings):
    """Every upload goes to the worker (the threshold is 128 KiB, about 2,000 rows, by default)."""
    settings.EXCHANGE_BACKGROUND_BYTES = 0


@pytest.fixture
def uploaded(client, inst1_staff, pm_batch, in_background, django_capture_on_commit_callbacks):
    client.force_login(inst1_staff)
    rows = [enrolment_row(name=f"学员{n}") for n in range(ROWS)]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, workbook_bytes("enrolments", rows), submit="on")
    session = ImportSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exchange/imports/{session.pk}/"
    return session


def run_queued_tasks():
    """What a task worker does with the queue, in this test's transaction: run every waiting task.
    (`db_worker` itself closes its connections between tasks, which would end the test's.)"""
    from django_tasks_db.models import DBTaskResult

    while waiting := list(DBTaskResult.objects.ready().order_by("enqueued_at")):
        for result in waiting:
            result.delete()
            result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])


def progress_json(client, session) -> dict:
    response = client.get(f"/exchange/imports/{session.pk}/progress.json")
    assert response.status_code == 200
    return response.json()


def test_a_large_upload_waits_for_a_worker_with_its_progress_on_its_page(client, uploaded):
    assert uploaded.status == ImportStatus.QUEUED and uploaded.in_background
    page = client.get(f"/exchange/imports/{uploaded.pk}/").content.decode()
    assert "data-import-progress-url" in page and "<progress" in page
    assert progress_json(client, uploaded) | {"summary": ""} == {
        "status": "queued",
        "label": "waiting to be checked",
        "done": 0,
        "total": 0,
        "percent": 0,
        "finished": False,
        "stalled": False,
        "may_start_again": False,
        "summary": "",
    }
    assert "<progress" in client.get("/exchange/").content.decode()  # the hub lists it, with its bar


def test_a_running_import_can_be_left_and_found_again_from_the_import_page(
    client, uploaded, django_capture_on_commit_callbacks
):
    run_queued_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exchange/imports/{uploaded.pk}/confirm/", {"mode": "all"})
    assert "data-import-progress-url" in client.get(f"/exchange/imports/{uploaded.pk}/").content.decode()

    hub = client.get("/exchange/")  # the user leaves the progress page for the import page
    listed = hub.content.decode()
    back = f'<a href="/exchange/imports/{uploaded.pk}/" data-running-import>Follow its progress</a>'
    assert back in listed and "being imported" in listed
    resumed = client.get(f"/exchange/imports/{uploaded.pk}/").content.decode()
    assert "data-import-progress-url" in resumed and "<progress" in resumed  # the bar again, still running

    run_queued_tasks()
    assert back not in client.get("/exchange/").content.decode()  # done: listed as imported, no bar
    assert "Imported on" in client.get(f"/exchange/imports/{uploaded.pk}/").content.decode()


def test_the_worker_checks_the_file_and_the_preview_waits_for_confirmation(client, uploaded):
    run_queued_tasks()
    state = progress_json(client, uploaded)
    assert state["status"] == "previewed" and state["finished"]
    assert state["done"] == state["total"] == 2 * ROWS and state["percent"] == 100
    page = client.get(f"/exchange/imports/{uploaded.pk}/").content.decode()
    assert f"Import {ROWS} rows" in page
    assert not Enrolment.objects.exists()  # checking writes nothing


def test_a_confirmed_import_runs_in_the_background_and_keeps_its_report(
    client, uploaded, django_capture_on_commit_callbacks
):
    run_queued_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exchange/imports/{uploaded.pk}/confirm/", {"mode": "all"})
    assert response.status_code == 302
    assert progress_json(client, uploaded)["status"] == "importing"
    assert not Enrolment.objects.exists()

    run_queued_tasks()
    uploaded.refresh_from_db()
    assert uploaded.status == ImportStatus.IMPORTED and uploaded.imported_by is not None
    assert uploaded.result.counts["create"] == ROWS
    assert Enrolment.objects.count() == ROWS
    page = client.get(f"/exchange/imports/{uploaded.pk}/").content.decode()
    assert "Imported on" in page


def test_progress_is_written_while_the_rows_go(uploaded, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0)
    seen = []
    real_call = progress.Progress.__call__

    def spy(self, done, total, **kwargs):
        seen.append((done, total))
        return real_call(self, done, total, **kwargs)

    monkeypatch.setattr(progress.Progress, "__call__", spy)
    tasks.check_upload.call(session_id=uploaded.pk)
    assert len(seen) >= 4  # every chunk of rows read, and every chunk checked
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)
    assert seen[-1] == (2 * ROWS, 2 * ROWS)


def test_a_failed_run_can_be_started_again_from_its_page(client, uploaded, django_capture_on_commit_callbacks):
    ImportSession.objects.filter(pk=uploaded.pk).update(status=ImportStatus.FAILED, message="check: OSError: disk")
    page = client.get(f"/exchange/imports/{uploaded.pk}/").content.decode()
    assert f"/exchange/imports/{uploaded.pk}/start-again/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exchange/imports/{uploaded.pk}/start-again/")
    assert response.status_code == 302
    run_queued_tasks()
    uploaded.refresh_from_db()
    assert uploaded.status == ImportStatus.PREVIEWED


def test_a_running_upload_is_not_started_again(client, uploaded):
    response = client.post(f"/exchange/imports/{uploaded.pk}/start-again/")
    assert response.status_code == 409


def test_small_uploads_stay_in_the_request(client, inst1_staff, pm_batch):
    client.force_login(inst1_staff)
    response = post_upload(client, workbook_bytes("enrolments", [enrolment_row()]))
    assert response.status_code == 200
    assert not ImportSession.objects.get().in_background


@pytest.mark.parametrize("suffix", ["", "progress.json"])
def test_another_institution_cannot_see_the_run(client, uploaded, inst2_staff, suffix):
    client.force_login(inst2_staff)
    assert client.get(f"/exchange/imports/{uploaded.pk}/{suffix}").status_code == 404
    assert client.post(f"/exchange/imports/{uploaded.pk}/start-again/").status_code == 404
    assert client.post(f"/exchange/imports/{uploaded.pk}/confirm/", {"mode": "all"}).status_code == 404
    assert uploaded.pk not in [s.pk for s in client.get("/exchange/").context["recent"]]


def test_anonymous_goes_to_login_and_wrong_roles_are_refused(client, uploaded, assessor, officer):
    client.logout()
    response = client.get(f"/exchange/imports/{uploaded.pk}/progress.json")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (assessor, officer):
        client.force_login(user)
        assert client.get(f"/exchange/imports/{uploaded.pk}/progress.json").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_committed_import_writes_its_progress_without_waiting_for_its_own_lock(
    client, inst1_staff, pm_batch, in_background, monkeypatch
):
    # Committed rows, as in production: the import's transaction locks the session row, and the
    # progress, written through a second connection, must not wait for it (lock_timeout).
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0)
    client.force_login(inst1_staff)
    post_upload(client, workbook_bytes("enrolments", [enrolment_row(name=f"学员{n}") for n in range(ROWS)]))
    session = ImportSession.objects.get()
    background.check(session.pk)
    background.confirm_in_background(staff=inst1_staff, session_id=session.pk)
    background.run_import(session.pk, inst1_staff.pk, False)
    session.refresh_from_db()
    assert session.status == ImportStatus.IMPORTED and Enrolment.objects.count() == ROWS
    assert progress.seen(session).done == progress.seen(session).total == 2 * ROWS


def _progress_seen_during_the_write_phase(monkeypatch, look) -> list[tuple[int, int, bool]]:
    """(steps seen by `look`, steps written, whether the caller was inside its transaction) at each
    progress write of the second half: a row planned and written."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0)
    seen = []
    real_call = progress.Progress.__call__

    def look_after_writing(self, done, total, **kwargs):
        real_call(self, done, total, **kwargs)
        if done > ROWS:  # past the rows read: planning and writing, inside the transaction
            seen.append((look(self.session_id), done, connection.in_atomic_block))

    monkeypatch.setattr(progress.Progress, "__call__", look_after_writing)
    return seen


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_another_connection_sees_the_import_go_on_before_it_commits(
    client, inst1_staff, pm_batch, in_background, monkeypatch
):
    client.force_login(inst1_staff)
    post_upload(client, workbook_bytes("enrolments", [enrolment_row(name=f"学员{n}") for n in range(ROWS)]))
    session = ImportSession.objects.get()
    background.check(session.pk)
    background.confirm_in_background(staff=inst1_staff, session_id=session.pk)
    other = connections.create_connection("default")  # the web server's, say

    def from_the_other_connection(session_id):
        with other.cursor() as cursor:
            cursor.execute("SELECT rows_done FROM exchange_importprogress WHERE session_id = %s", [session_id])
            rows_done = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM certification_enrolment")
            return rows_done, cursor.fetchone()[0]

    seen = _progress_seen_during_the_write_phase(monkeypatch, from_the_other_connection)
    try:
        background.run_import(session.pk, inst1_staff.pk, False)
    finally:
        other.close()
    assert len(seen) >= 3 and all(inside for _seen, _done, inside in seen)
    assert [rows_done for (rows_done, _enrolments), done, _inside in seen] == [done for _seen, done, _inside in seen]
    assert all(enrolments == 0 for (_rows_done, enrolments), _done, _inside in seen)  # not committed yet
    assert Enrolment.objects.count() == ROWS


def test_on_sqlite_the_page_shows_the_steps_written_inside_the_import(
    client, uploaded, monkeypatch, django_capture_on_commit_callbacks
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one writer: the count waits beside the database while the import holds it")
    run_queued_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exchange/imports/{uploaded.pk}/confirm/", {"mode": "all"})
    seen = _progress_seen_during_the_write_phase(monkeypatch, lambda _pk: progress_json(client, uploaded)["done"])
    run_queued_tasks()
    assert len(seen) >= 3 and all(inside for _seen, _done, inside in seen)
    assert [shown for shown, _done, _inside in seen] == [done for _shown, done, _inside in seen]
    assert not list(Path(settings.EXCHANGE_PROGRESS_DIR).glob(f"{uploaded.pk}.*"))  # gone once it is done
