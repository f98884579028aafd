"""Background tasks (Django's tasks API; the database backend, run by `manage.py db_worker`).

Start one worker per core (`manage.py db_worker` twice on this two-core machine): each task issues
one chunk of a run, and chunks are independent, so the workers render side by side.
"""

from django_tasks import task

from . import issuance


@task()
def issue_items(run_id: int, item_ids: list[int]) -> dict:
    """Issue some items of an issuance run; repeating it (a resumed run) is harmless."""
    return issuance.process_items(run_id=run_id, item_ids=item_ids)


@task()
def freeze_certificates(certificate_ids: list[int]) -> int:
    """Render, sign and store certificates that were numbered outside a run."""
    return len(issuance.freeze(certificate_ids))
