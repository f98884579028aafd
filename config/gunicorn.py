"""gunicorn's settings for production (`make serve`, deploy/): `gunicorn -c config/gunicorn.py`.

WEB_CONCURRENCY worker processes (default: 2 per core + 1), each a plain synchronous worker with its
own persistent database connection. BIND (default 127.0.0.1:8000) is where a reverse proxy that
terminates TLS sends requests; set FORWARDED_ALLOW_IPS to the proxy's address if it is not local.
Access logs are JSON lines like the application's (core.jsonlog), with the request id that the
response carries; ACCESS_LOG=0 turns them off.
"""

import gc
import logging
import os

from gunicorn.glogging import Logger

from core.jsonlog import JsonFormatter

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart together).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
accesslog = "-" if os.environ.get("ACCESS_LOG", "1") != "0" else None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


class JsonLogger(Logger):
    """gunicorn's own lines (start, worker boot, errors) and one access line a request, as JSON."""

    def setup(self, cfg):
        super().setup(cfg)
        if os.environ.get("LOG_FORMAT", "json") != "json":
            return
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        headers = {name.lower(): value for name, value in resp.headers}
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        self.access_log.info(
            "%s %s %s",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            status,
            extra={
                "request_id": headers.get("x-request-id", ""),
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "status": int(status),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "bytes": getattr(resp, "sent", None),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
            },
        )


def post_worker_init(worker):
    """Once the worker has loaded the application (and its URLs, with every view module): hand
    everything alive to gc.freeze(), as the task workers do (certificates.tasks.settle_worker). A
    worker holds ~200,000 long-lived objects (Django, the app, its libraries), and each full pass of
    the cyclic garbage collector, which a big page such as the statistics triggers now and then,
    walked them all: ~130 ms added to that one request (bench/statistics.py --freeze shows the
    difference). Frozen objects are still freed by reference counting; only cycles among them are
    never collected."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imported now, not by the first request
    gc.collect()
    gc.freeze()


logger_class = JsonLogger if os.environ.get("LOG_FORMAT", "json") == "json" else Logger
logging.captureWarnings(True)
