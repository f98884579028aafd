"""A small fixed-window rate limiter on Django's cache, for public forms (activation, verification).

The default cache is the database cache, so the limit holds across several web processes. The
count is read and written without a lock: under heavy concurrency a few extra tries may slip
through, which is fine for slowing down guessing.
"""

import hashlib
import time

from django.core.cache import cache


def hit(key: str, limit: int, window_seconds: int) -> bool:
    """Count one try under `key`; True while at most `limit` tries fell in the current window."""
    window = int(time.time() // window_seconds)
    # Hashed: keys carry IP addresses, and some cache backends restrict key characters.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{digest}:{window}"
    # add() is a no-op when the key exists; the counter expires with its window.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def client_ip(request) -> str:
    """The address the request came from.

    REMOTE_ADDR only: a deployment behind a reverse proxy sets it from the proxy's header in the
    WSGI server, so a client cannot pick its own address with an X-Forwarded-For header.
    """
    return request.META.get("REMOTE_ADDR", "") or "unknown"
