"""Background tasks (Django's tasks API; the database backend, run by `manage.py db_worker`).

Start one worker per core (`manage.py db_worker` twice on this two-core machine): each task issues
one chunk of a run, and chunks are independent, so the workers render side by side.
"""

import gc
from functools import cache

from django_tasks import task

from core.tasks import enqueue_unless_waiting
from notifications import events as notifications

from . import check_rollup, issuance, rendering


@task()
def issue_items(run_id: int, item_ids: list[int]) -> dict:
    """Issue some items of an issuance run; repeating it (a resumed run) is harmless."""
    settle_worker()
    try:
        done = issuance.process_items(run_id=run_id, item_ids=item_ids)
    except Exception as error:
        notifications.issuance_run_failed(run_id=run_id, error=f"{type(error).__name__}: {error}")
        raise
    settle_after_first_certificates()
    return done


@task()
def freeze_certificates(certificate_ids: list[int]) -> int:
    """Render, sign and store certificates that were numbered outside a run."""
    settle_worker()
    frozen = len(issuance.freeze(certificate_ids))
    settle_after_first_certificates()
    return frozen


@cache
def settle_worker() -> None:
    """Once per process, before its first certificate: load the renderer (fonts, stylesheets), then
    hand everything alive to gc.freeze(). A worker holds ~200,000 long-lived objects (Django, the
    app, WeasyPrint, pyHanko), and the cyclic garbage collector, which a render triggers hundreds of
    times, kept walking them all: ~10 ms of CPU a certificate, ~4 ms once they are frozen. Frozen
    objects are still freed by reference counting; only cycles among them are never collected."""
    rendering.renderer()
    gc.collect()
    gc.freeze()


@cache
def settle_after_first_certificates() -> None:
    """Once per process, after its first task: freeze again what its first certificates left alive
    for good (the renderer's font and glyph caches, pyld's processed contexts, compiled templates:
    ~40,000 objects). The full collections, one every ~10 certificates, walked them all again:
    ~3 ms of CPU a certificate, ~0.6 ms once they are frozen. A full collection first, so that
    nothing already unreachable is frozen; what becomes garbage later is still freed by reference
    counting, and only cycles among these objects would stay (bounded: this happens once)."""
    gc.collect()
    gc.freeze()


@task()
def refresh_check_rollup() -> str:
    """Close the ended days of the office's counts of checks and redo late rows (check_rollup), so
    that the page seldom has to; returns the last day the rollup holds."""
    return str(check_rollup.refresh().through_day)


def schedule_check_rollup() -> bool:
    """Enqueue a refresh unless one is already waiting (core.periodic: the scheduler's every round)."""
    return enqueue_unless_waiting(refresh_check_rollup)
