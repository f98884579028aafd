"""JSON log lines that carry the request id (production logging, docs/spec.md §14).

`RequestIdFilter` puts the id of the request being served (core.middleware) on every record;
`JsonFormatter` writes one JSON object a line: time, level, logger, message, request_id, and the
record's extra fields (status_code, path...). The request object itself is never written: only its
method and path, so that no header or cookie reaches a log.
"""

import json
import logging
from datetime import UTC, datetime

from core.middleware import current_request_id

# Attributes every LogRecord has: anything else on a record came in through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request", "request_id"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # Django logs 4xx responses after the middleware has returned: the request keeps the id.
            request = getattr(record, "request", None)
            record.request_id = current_request_id.get() or getattr(request, "request_id", "")
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or current_request_id.get()
        if request_id:
            entry["request_id"] = request_id
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = getattr(request, "method", "")
            entry["path"] = request.path
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
