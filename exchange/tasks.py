"""Background tasks of the Excel exchange (Django's tasks API; `manage.py db_worker`): large uploads
are checked and imported here (exchange.background)."""

from django_tasks import task

from . import background


@task()
def check_upload(session_id: int) -> None:
    try:
        background.check(session_id)
    except Exception as error:
        background.mark_failed(session_id, error, importing=False)
        raise


@task()
def import_upload(session_id: int, staff_id: int, valid_rows_only: bool) -> None:
    try:
        background.run_import(session_id, staff_id, valid_rows_only)
    except Exception as error:
        background.mark_failed(session_id, error, importing=True)
        raise
