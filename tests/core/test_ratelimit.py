"""The rate limiter of the public forms (core.ratelimit): exactly `limit` tries a window, however
many arrive at once, on the database (the default cache) and on Redis."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import override_settings

from core import ratelimit

# One window for the whole test run: a test never straddles two windows.
FOREVER = 10**9


def hammer(key: str, *, tries: int = 80, limit: int = 30) -> list[bool]:
    """`tries` hits at the same moment, each from its own thread (and database connection)."""
    start = threading.Barrier(tries)

    def one_try(_):
        start.wait()
        try:
            return ratelimit.hit(key, limit, FOREVER)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=tries) as pool:
        return list(pool.map(one_try, range(tries)))


@pytest.mark.django_db
def test_it_lets_the_limit_through_then_refuses_until_the_next_window(time_machine):
    time_machine.move_to("2026-11-02 09:00:00+08:00", tick=False)
    assert [ratelimit.hit("activate:10.0.0.1", 3, 60) for _ in range(5)] == [True, True, True, False, False]
    assert ratelimit.hit("activate:10.0.0.2", 3, 60)  # another address counts on its own
    time_machine.move_to("2026-11-02 09:01:00+08:00", tick=False)
    assert ratelimit.hit("activate:10.0.0.1", 3, 60)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eighty_simultaneous_tries_let_exactly_the_limit_through_on_the_database():
    assert sum(hammer("verify:203.0.113.9")) == 30


REDIS_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}
}


def test_eighty_simultaneous_tries_let_exactly_the_limit_through_on_redis():
    pytest.importorskip("redis", reason="the redis client is not installed")
    with override_settings(CACHES=REDIS_CACHE):
        from django.core.cache import cache

        cache.clear()
        assert sum(hammer("verify:203.0.113.10")) == 30
        cache.clear()


def test_on_redis_a_windows_count_expires_with_the_window_and_reads_as_the_cache_key():
    pytest.importorskip("redis", reason="the redis client is not installed")
    with override_settings(CACHES=REDIS_CACHE):
        from django.core.cache import cache

        cache.clear()
        assert [ratelimit.hit("verify:203.0.113.11", 2, 60) for _ in range(3)] == [True, True, False]
        (key,) = cache._cache.get_client().keys("*ratelimit:*")
        assert 0 < cache._cache.get_client().ttl(key) <= 60
        cache.clear()
