"""The API's default throttles, counted by core.ratelimit (one atomic statement on the database
cache, one command on Redis) instead of DRF's read-then-write of a list of timestamps."""

from rest_framework.throttling import SimpleRateThrottle

from core import ratelimit


class _FixedWindowThrottle(SimpleRateThrottle):
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        return ratelimit.hit(f"api-{self.scope}:{key}", self.num_requests, self.duration)

    def wait(self):
        return self.duration


class ClientThrottle(_FixedWindowThrottle):
    """Per API key, per signed-in user, else per client address."""

    scope = "client"

    def get_cache_key(self, request, view):
        if request.auth is not None and hasattr(request.auth, "prefix"):
            return f"key:{request.auth.prefix}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"ip:{ratelimit.client_ip(request)}"
