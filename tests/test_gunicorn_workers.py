"""A web worker (config/gunicorn.py), once it has loaded the application, sets everything alive aside
from the cyclic garbage collector: no full collection walks Django and the app in the middle of a
request (bench/statistics.py --freeze)."""

import gc

from config import gunicorn as web


def test_a_web_worker_sets_its_start_up_objects_aside_from_the_garbage_collector():
    before = gc.get_freeze_count()
    try:
        web.post_worker_init(worker=None)

        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()  # the test process is no web worker
