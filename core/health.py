"""`/healthz`: can this web process serve? For load balancers and monitoring (docs/spec.md §14).

Checks the database, the cache, the file storage and the workers' heartbeat (core.tasks), and
answers JSON: 200 when all pass, 503 otherwise. No login, and nothing secret: a failed check says
only which kind of error it met; the details go to the log.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.tasks import last_heartbeat

logger = logging.getLogger(__name__)


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_cache() -> dict:
    key, token = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    try:
        if cache.get(key) != token:
            raise RuntimeError("the cache did not return what was just stored")
    finally:
        cache.delete(key)
    return {}


def check_storage() -> dict:
    """Write, read back and delete a small file: the storage photos, evidence and PDFs go to."""
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as file:
            if file.read() != b"ok":
                raise RuntimeError("the storage did not return what was just written")
    finally:
        default_storage.delete(name)
    return {}


def check_worker() -> dict:
    """A worker finished a heartbeat recently (the scheduler enqueues one a minute)."""
    newest = last_heartbeat()
    if newest is None:
        raise RuntimeError("no heartbeat yet: is the scheduler running, and a worker?")
    age = (timezone.now() - newest).total_seconds()
    if age > settings.HEALTHZ_HEARTBEAT_MAX_AGE:
        raise RuntimeError(f"last heartbeat {age:.0f} s ago: are the workers running?")
    return {"last_heartbeat_seconds_ago": round(age)}


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage, "worker": check_worker}


@never_cache
@require_safe
def healthz(request):
    results, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except Exception as error:
            logger.warning("healthz: %s check failed", name, exc_info=True)
            # RuntimeError messages are ours and carry no secret; anything else shows its type only.
            detail = str(error) if type(error) is RuntimeError else type(error).__name__
            result, healthy = {"ok": False, "error": detail}, False
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": results}, status=200 if healthy else 503)
