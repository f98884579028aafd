"""One POST to a webhook endpoint, to an address checked by addresses.resolve (no TOCTOU).

http.client never follows redirects: a 3xx is an answer like any other (and counts as a failure).
The connection and each read time out after WEBHOOK_TIMEOUT_SECONDS, the whole answer after twice
that, and only the first few kilobytes of the body are read, so a slow or chatty endpoint cannot
hold a worker.
"""

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from django.conf import settings

from .addresses import Target, resolve

READ_AT_MOST = 4096


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer at all
    duration_ms: int
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the given address, whatever the Host header names."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS, the certificate checked against the host name (SNI too)."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def timeout() -> float:
    return float(settings.WEBHOOK_TIMEOUT_SECONDS)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """Resolve and check the endpoint again (DNS may have changed since it was registered), then
    POST to the first address that accepts a connection. Never raises: errors are in the Answer."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve(url)
    except Exception as error:  # InvalidInput: refused address; anything else: resolver trouble
        return Answer(None, elapsed(), _message(error))
    last_error = ""
    for address in target.addresses:
        try:
            return _post_to(target, address, body, headers, started)
        except (OSError, http.client.HTTPException) as error:
            last_error = _message(error)
            if isinstance(error, TimeoutError | socket.timeout) or time.monotonic() - started > timeout():
                break  # an endpoint that hangs: do not try its other addresses too
    return Answer(None, elapsed(), last_error)


def _post_to(target: Target, address: str, body: bytes, headers: dict[str, str], started: float) -> Answer:
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, address=address, timeout=timeout())
    try:
        connection.request("POST", target.path, body=body, headers={**headers, "Content-Length": str(len(body))})
        response = connection.getresponse()
        # Read a little of the answer (some servers wait until it is read), never all of it.
        deadline = started + 2 * timeout()
        remaining = READ_AT_MOST
        while remaining > 0 and time.monotonic() < deadline:
            chunk = response.read1(remaining)
            if not chunk:
                break
            remaining -= len(chunk)
        return Answer(response.status, int((time.monotonic() - started) * 1000))
    finally:
        connection.close()


def _message(error: Exception) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:255]
