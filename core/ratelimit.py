"""A small fixed-window rate limiter for public forms (activation, verification, objections).

Counting is atomic, so that a burst of simultaneous tries lets exactly `limit` through: with the
database cache (the default) the count lives in core.RateCounter, one row a key and window, raised
by one INSERT ... ON CONFLICT DO UPDATE statement; with Redis by SET NX EX + INCR in one Lua script
(one command); with any other cache by the cache's own add() and incr(). Either way the limit holds
across several web processes.
"""

import hashlib
import time
import weakref
from datetime import UTC, datetime

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router

from .models import RateCounter


def hit(key: str, limit: int, window_seconds: int) -> bool:
    """Count one try under `key`; True while at most `limit` tries fell in the current window."""
    now = time.time()
    window = int(now // window_seconds)
    # Hashed: keys carry IP addresses, and some cache backends restrict key characters.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache = caches["default"]
    if isinstance(cache, DatabaseCache):
        count = _count_in_database(digest, window, expires=(window + 1) * window_seconds)
    elif isinstance(cache, RedisCache):
        count = _count_in_redis(cache, f"ratelimit:{digest}:{window}", window_seconds)
    else:
        count = _count_in_cache(f"ratelimit:{digest}:{window}", window_seconds)
    return count <= limit


_COLUMNS = {field.name: field.column or field.name for field in RateCounter._meta.concrete_fields}


def _count_in_database(digest: str, window: int, *, expires: int) -> int:
    alias = router.db_for_write(RateCounter)
    connection = connections[alias]
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    key, bucket, count, expires_at = (
        connection.ops.quote_name(_COLUMNS[name]) for name in ("key", "bucket", "count", "expires_at")
    )
    expires_at_value = datetime.fromtimestamp(expires, tz=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {bucket}, {count}, {expires_at}) VALUES (%s, %s, 1, %s) "
            f"ON CONFLICT ({key}, {bucket}) DO UPDATE SET {count} = {table}.{count} + 1 RETURNING {count}",
            [digest, window, connection.ops.adapt_datetimefield_value(expires_at_value)],
        )
        (result,) = cursor.fetchone()
    if result == 1:  # a new window: the rows of windows gone by go
        RateCounter.objects.using(alias).filter(expires_at__lt=datetime.fromtimestamp(time.time(), tz=UTC)).delete()
    return result


def _count_in_redis(cache: RedisCache, cache_key: str, window_seconds: int) -> int:
    """One command, atomic: a script makes the window's key with its expiry if missing, then counts.

    (The cache's own add() and incr() take three round trips: SET NX, then EXISTS and INCR; a
    MULTI/EXEC pipeline takes one, with four replies to read.) The key is the cache's own, so
    cache.get() reads the count; the connections are the pool Django's RedisCache keeps, the client
    and the script object are made once per cache object.
    """
    key = cache.make_and_validate_key(cache_key)
    count_script = _scripts.get(cache._cache)
    if count_script is None:
        count_script = _scripts[cache._cache] = cache._cache.get_client(key, write=True).register_script(_COUNT_SCRIPT)
    return int(count_script(keys=[key], args=[window_seconds]))


# EVALSHA of this (loaded into Redis on the first use): atomic, so the key never lacks its expiry.
_COUNT_SCRIPT = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
return redis.call('INCR', KEYS[1])
"""
_scripts: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Django's client of a cache -> the script


def _count_in_cache(cache_key: str, window_seconds: int) -> int:
    cache = caches["default"]
    for _attempt in range(3):
        # add() sets only a missing key and incr() raises on one; both are atomic on Redis.
        if cache.add(cache_key, 1, timeout=window_seconds):
            return 1
        try:
            return cache.incr(cache_key)
        except ValueError:  # expired between add() and incr(): try again
            continue
    return 1  # a cache that keeps nothing counts nothing


def client_ip(request) -> str:
    """The address the request came from.

    REMOTE_ADDR only: a deployment behind a reverse proxy sets it from the proxy's header in the
    WSGI server, so a client cannot pick its own address with an X-Forwarded-For header.
    """
    return request.META.get("REMOTE_ADDR", "") or "unknown"
